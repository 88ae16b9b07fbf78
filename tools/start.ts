import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm start`: the whole system on the embedded defaults (see README.md).
 *
 * The work happens in tools/dev/supervisor.ts, started in a process group of its own so that
 * Ctrl-C in the terminal does not reach PostgreSQL and the services directly: the supervisor
 * stops them in order (services, then the broker, then PostgreSQL) when it is told to.
 */
const supervisor = spawn(process.execPath, ['-r', join(__dirname, 'register.js'), join(__dirname, 'dev', 'supervisor.ts')], {
  detached: true,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});

let forwarded = false;
const stop = () => {
  // Ctrl-C reaches npm, its shell and us at once: one stop request is enough.
  if (forwarded) return;
  forwarded = true;
  supervisor.kill('SIGTERM');
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
// `kill <npm's pid>` stops npm without telling its children; being orphaned means stop too.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop(), 500).unref();
supervisor.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
