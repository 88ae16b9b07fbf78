import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { commandOf, isAlive } from './port-holder';

/** How a child process ended, or why it could not start. */
export const exitOf = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> =>
  new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

/** The last lines of a log, on one line, for an error message. */
export const lastLines = (text: string, count: number): string =>
  text.split('\n').map((line) => line.trim()).filter(Boolean).slice(-count).join(' | ');

/**
 * What a killed run may have left on a data directory: its PostgreSQL still running or still
 * going down (a postmaster and backends whose working directory is the data directory), or a
 * postmaster.pid naming a pid that another process now has. The first is waited for (or stopped,
 * when nothing of ours owns it any more), within `deadline`; the second is removed. A
 * postmaster.pid whose pid is gone is left to PostgreSQL, which then checks that no old backend
 * still holds the shared memory it names.
 */
export async function clearLeftovers(
  dataDir: string,
  options: { readonly stop: boolean; readonly deadline: number; readonly say: (line: string) => void },
): Promise<void> {
  const dir = await realpath(dataDir);
  const pidFile = join(dir, 'postmaster.pid');
  let told = false;
  for (;;) {
    const postmaster = await postmasterPid(pidFile);
    const running = processesIn(dir, postmaster).sort((a, b) => (a === postmaster ? -1 : b === postmaster ? 1 : a - b));
    if (running.length === 0) {
      if (postmaster !== undefined && isAlive(postmaster)) {
        options.say(`removing ${pidFile}: pid ${postmaster} is now another process, not a PostgreSQL on this data directory`);
        await rm(pidFile, { force: true });
      }
      return;
    }
    const pids = running.length > 4 ? `pids ${running.slice(0, 4).join(', ')} and ${running.length - 4} more` : `pids ${running.join(', ')}`;
    if (Date.now() > options.deadline) {
      throw new Error(`a PostgreSQL of an earlier run still uses ${dir} (${pids}); stop it (kill -INT ${postmaster ?? running[0]}) and start again`);
    }
    if (!told) {
      const what = options.stop ? 'stopping it' : 'waiting for it to stop';
      options.say(`a PostgreSQL of an earlier run still uses ${dir} (${pids}); ${what}`);
      // Fast shutdown of the postmaster; its backends (or orphans of a killed one) follow on their own.
      if (options.stop && postmaster !== undefined && running.includes(postmaster)) process.kill(postmaster, 'SIGINT');
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function postmasterPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Pids of PostgreSQL processes working in `dir`: from /proc on Linux, else the postmaster by its command line. */
function processesIn(dir: string, postmaster: number | undefined): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return postmaster !== undefined && isAlive(postmaster) && commandOf(postmaster)?.includes(dir) ? [postmaster] : [];
  }
  return entries.map(Number).filter((pid) => procEntry(pid, (p) => readlinkSync(`${p}/cwd`)) === dir && procEntry(pid, (p) => readFileSync(`${p}/comm`, 'utf8').trim()) === 'postgres');
}

function procEntry(pid: number, read: (path: string) => string): string | undefined {
  try {
    return read(`/proc/${pid}`);
  } catch {
    return undefined;
  }
}
