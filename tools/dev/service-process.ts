import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { LinePrinter, pipeLines } from './log-lines';

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  /** Resolves when the process has exited, whatever the reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(graceMs: number): Promise<void>;
}

export interface ServiceSpec {
  readonly name: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  /** Its entry point, relative to the repository root; `services/<name>/src/main.ts` by default. */
  readonly entry?: string;
}

/** Runs a service's (or the carrier simulator's) main.ts as a child process with its log lines prefixed. */
export function spawnService(root: string, spec: ServiceSpec, print: LinePrinter): ServiceProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', join(root, 'tools', 'register.js'), join(root, spec.entry ?? join('services', spec.name, 'src', 'main.ts'))],
    // Own process group: Ctrl-C reaches the supervisor, which stops services in order. The IPC
    // channel closes if the supervisor dies (kill -9): the service then stops itself (runService).
    { cwd: root, env: spec.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true },
  );
  pipeLines(child.stdout!, print);
  pipeLines(child.stderr!, print);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stop = async (graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      print(`did not stop within ${graceMs} ms; killing it`);
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name: spec.name, port: spec.port, exited, stop };
}

/** Polls /health/ready until it answers 200; gives up when the process exits or time runs out. */
export async function waitUntilReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (!exited && Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${service.port}/health/ready`, { signal: AbortSignal.timeout(3_000) })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(exited ? `${service.name} exited before it was ready` : `${service.name} not ready within ${timeoutMs} ms`);
}
