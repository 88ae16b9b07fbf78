// Runs one PostgreSQL server for the parent process (see embedded-server.ts), outside jest, and
// prints READY when it accepts connections. Lives as long as its parent: when the parent exits
// (however it dies) its end of our stdin closes, and we stop the server and remove its files.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster';

const [baseDir, port, user, password, flagsJson, registryFile] = process.argv.slice(2);
let cluster: PostgresCluster | undefined;
let stopping = false;

const removeFiles = async () => {
  await rm(registryFile, { force: true }).catch(() => undefined);
  if (cluster) await rm(cluster.dataDir, { recursive: true, force: true }).catch(() => undefined);
  await rm(baseDir, { recursive: true, force: true }).catch(() => undefined);
};

const stop = async () => {
  if (stopping) return;
  stopping = true;
  await cluster?.stop().catch(() => undefined);
  await removeFiles();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.resume();

startPostgresCluster({
  dataDir: join(baseDir, 'data'),
  port: Number(port),
  user,
  password,
  authMethod: 'password',
  flags: JSON.parse(flagsJson) as string[],
  durable: false,
}).then(
  async (started) => {
    cluster = started;
    if (stopping) return void (await started.stop());
    process.stdout.write('READY\n');
  },
  async (error: Error) => {
    process.stderr.write(`embedded postgres failed: ${error.message}\n`);
    await removeFiles();
    process.exit(1);
  },
);
