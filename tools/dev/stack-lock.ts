import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { commandOf, isAlive } from '@homeline/testing';

type State = 'starting' | 'running' | 'stopping';

interface Owner {
  readonly pid: number;
  /** The tools/start.ts process that started the supervisor: while it lives, the stack is in use. */
  readonly launcher: number;
  readonly state: State;
}

export interface StackLock {
  setState(state: State): void;
  release(): void;
}

/**
 * One stack per data directory, held by its supervisor in `<data>/stack.lock`. After kill -9 of
 * `npm start`, the supervisor (in a process group of its own) is told by the closed IPC channel
 * and stops the services, the broker and PostgreSQL, which takes seconds: a start meanwhile waits
 * for it (at most `waitMs`) instead of failing on its PostgreSQL and ports. A stack still running
 * for a live `npm start` is reported, and a lock whose supervisor is gone is taken over.
 */
export async function lockStack(dataDir: string, say: (line: string) => void, waitMs = 60_000): Promise<StackLock> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'stack.lock');
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const me: Owner = { pid: process.pid, launcher: process.ppid, state: 'starting' };
    if (create(file, me)) return held(file, me);
    const owner = read(file);
    if (!owner || !isAlive(owner.pid) || !(commandOf(owner.pid) ?? 'supervisor.ts').includes('supervisor.ts')) {
      rmSync(file, { force: true }); // left by a supervisor that is gone
      continue;
    }
    if (owner.state !== 'stopping' && isAlive(owner.launcher)) {
      throw new Error(`Homeline is already running from ${dataDir} (npm start pid ${owner.launcher}, supervisor pid ${owner.pid}): stop it first (Ctrl-C in its terminal, or kill ${owner.launcher}), or give this one another HOMELINE_DATA_DIR`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the Homeline started earlier from ${dataDir} (supervisor pid ${owner.pid}) is still stopping after ${waitMs / 1000} s: kill ${owner.pid}, then start again`);
    }
    if (!told) say(`the Homeline started earlier from ${dataDir} is still stopping (supervisor pid ${owner.pid}); waiting for it`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The lock file always holds a whole record: it is written beside the lock and then linked
 * (create) or renamed (state changes) into place, both atomic. A start that read it while it was
 * being written would see it empty, take it for one left by a dead supervisor, and take it over.
 */
function create(file: string, owner: Owner): boolean {
  const draft = written(file, owner);
  try {
    linkSync(draft, file); // fails if the lock exists: only one start creates it
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function written(file: string, owner: Owner): string {
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, JSON.stringify(owner));
  return draft;
}

function read(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return Number.isInteger(owner.pid) && Number.isInteger(owner.launcher) ? owner : undefined;
  } catch {
    return undefined;
  }
}

function held(file: string, owner: Owner): StackLock {
  let current = owner;
  const release = () => {
    if (read(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return {
    setState: (state) => {
      current = { ...current, state };
      renameSync(written(file, current), file);
    },
    release,
  };
}
