import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ApacheKafkaOptions, log4jConfig, randomClusterId, scramArguments, serverProperties } from './config';
import { requireTool } from './fetch';

export interface RunningKafka {
  readonly pid: number;
  /** resolves with the JVM's exit code once it has exited */
  readonly exited: Promise<number | null>;
  /** SIGTERM (Kafka's controlled shutdown), SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions extends Omit<ApacheKafkaOptions, 'controllerPort'> {
  readonly libs: string;
  /** SCRAM-SHA-512 users written into the metadata log when the storage is formatted */
  readonly scramUsers?: Readonly<Record<string, string>>;
  readonly heap?: string;
  /** lines Kafka logs at WARN or ERROR */
  readonly onWarning?: (line: string) => void;
}

const java = (libs: string, dataDir: string, heap: string) => [
  `-Xmx${heap}`,
  '-Xms256m',
  '-XX:+UseG1GC',
  '-Djava.awt.headless=true',
  `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.yaml')}`,
  '-cp',
  join(libs, '*'),
];

/**
 * Formats the KRaft storage on first use, then starts the JVM and resolves once Kafka logs that
 * it has started; rejects with the tail of its log if it exits first. Kafka's own log goes to
 * `<dataDir>/kafka.log`.
 */
export async function startApacheKafka(o: StartOptions): Promise<RunningKafka> {
  requireTool('java');
  mkdirSync(o.dataDir, { recursive: true });
  const controllerPort = await stableControllerPort(o.dataDir);
  const props = join(o.dataDir, 'server.properties');
  writeFileSync(props, serverProperties({ ...o, controllerPort }));
  writeFileSync(join(o.dataDir, 'log4j2.yaml'), log4jConfig);
  const heap = o.heap ?? '1g';
  if (!existsSync(join(o.dataDir, 'logs', 'meta.properties'))) format(o, props, heap);

  const logFile = join(o.dataDir, 'kafka.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn('java', [...java(o.libs, o.dataDir, heap), 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let tail = '';
    const scan = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-20_000);
      const lines = tail.split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('Kafka Server started')) resolve();
        if (/\] (WARN|ERROR) /.test(line)) o.onWarning?.(line);
      }
    };
    child.stdout!.on('data', scan);
    child.stderr!.on('data', scan);
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`Apache Kafka exited (${code}) before it started; its log: ${logFile}\n${lastLines(logFile)}`)));
  });
  return { pid: child.pid!, exited, stop: (graceMs = 60_000) => stopJvm(child, exited, graceMs) };
}

function format(o: StartOptions, props: string, heap: string): void {
  const args = [...java(o.libs, o.dataDir, heap), 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', props];
  const formatted = spawnSync('java', [...args, ...scramArguments(o.scramUsers ?? {})], { encoding: 'utf8' });
  if (formatted.status !== 0) throw new Error(`kafka-storage format failed (${formatted.status}):\n${formatted.stdout}${formatted.stderr}`);
}

async function stopJvm(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The controller listener keeps its port across restarts of one data directory. */
async function stableControllerPort(dataDir: string): Promise<number> {
  const file = join(dataDir, 'controller-port');
  if (existsSync(file)) return Number(readFileSync(file, 'utf8'));
  const port = await freePort();
  writeFileSync(file, String(port));
  return port;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const lastLines = (file: string, n = 30): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
};
