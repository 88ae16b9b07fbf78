import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100; // USER_HZ on Linux

interface Stat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: the process's CPU and that of its reaped children. */
  readonly ticks: number;
}

const readStat = (pid: number): Stat | null => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return null; // gone
  }
};

const allStats = (): Stat[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is Stat => s !== null);

/**
 * CPU time, in ms, of every process descending from `roots` (services, broker, PostgreSQL and its
 * backends), read from /proc: idle burn included, the measuring process excluded. Processes that
 * exited and were reaped are counted in their parent's cutime/cstime.
 */
export const cpuMsOfTrees = (roots: readonly number[]): number => {
  const stats = allStats();
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  let ticks = 0;
  const seen = new Set<number>();
  const walk = (pid: number) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const stat = byPid.get(pid);
    if (stat) ticks += stat.ticks;
    for (const child of children.get(pid) ?? []) walk(child.pid);
  };
  roots.forEach(walk);
  return (ticks * 1000) / ticksPerSecond;
};

/** Child processes of `pid` (one level). */
export const childrenOf = (pid: number): number[] => allStats().filter((s) => s.ppid === pid).map((s) => s.pid);

/** `pid` and every process below it, parents first. */
export const processTree = (pid: number): number[] => {
  const stats = allStats();
  const tree: number[] = [];
  const walk = (p: number) => {
    tree.push(p);
    for (const s of stats) if (s.ppid === p) walk(s.pid);
  };
  walk(pid);
  return tree;
};

/**
 * SIGKILLs `pid` and everything below it at once, as a power cut would: the tree is read first,
 * so processes that moved into sessions of their own (setsid) are killed too.
 */
export const killTree = (pid: number): void => {
  for (const p of processTree(pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
