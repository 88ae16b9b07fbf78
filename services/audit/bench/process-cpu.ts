import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (ms) used so far by the PostgreSQL server listening on `port` and all its processes,
 * read from /proc: on a shared machine, CPU per entry says more than entries per second.
 */
export const postgresCpuMs = (port: number): number => {
  const ticks = 100; // USER_HZ on Linux
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { pid: Number(pid), ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]), cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') };
    } catch {
      return null; // gone meanwhile
    }
  }).filter((p): p is { pid: number; ppid: number; cpu: number; cmd: string } => p !== null);
  const postmaster = procs.find((p) => /\/postgres /.test(p.cmd) && p.cmd.includes(` -p ${port} `));
  if (!postmaster) return NaN;
  const total = procs.filter((p) => p.pid === postmaster.pid || p.ppid === postmaster.pid).reduce((sum, p) => sum + p.cpu, 0);
  return (total * 1000) / ticks;
};

/** CPU time (ms) of this process's children that have exited and been waited for (fields cutime, cstime). */
export const childrenCpuMs = (): number => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
};
