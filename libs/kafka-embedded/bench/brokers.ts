import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '../../..');

export interface BenchBroker {
  readonly name: string;
  readonly address: string;
  stop(): Promise<void>;
}

/** Starts a broker as its own process and resolves once it prints "listening on host:port". */
async function spawnBroker(name: string, args: string[], timeoutMs: number): Promise<BenchBroker> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const child: ChildProcess = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), ...args, '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (\d+\.\d+\.\d+\.\d+:\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return {
    name,
    address,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** The embedded broker, as `npm run broker` runs it. */
export const embedded = (fsync: string) =>
  spawnBroker('embedded', ['libs/kafka-embedded/src/cli.ts', '--port', '0', '--fsync', fsync, '--initial-rebalance-delay-ms', '0', '--partitions', '3'], 30_000);

/** Apache Kafka, as `npm run broker:apache` runs it (its jars fetched on first use: allow for that). */
export const apache = async () =>
  spawnBroker('apache-kafka', ['tools/apache-kafka/cli.ts', '--port', String(await freePort()), '--initial-rebalance-delay-ms', '0', '--partitions', '3'], 300_000);
