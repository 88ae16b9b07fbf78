import { readFile } from 'node:fs/promises';
import { Client } from 'pg';

/**
 * CPU spent on a workload: this process (the store's client code) plus the PostgreSQL backends
 * serving the database (read from /proc; the embedded server runs on this machine). Unlike
 * events/s, this hardly moves when other work shares the machine.
 */
export const cpuMeter = async (databaseUrl: string) => {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const backendTicks = async (): Promise<number> => {
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      let ticks = 0;
      for (const { pid } of rows) {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
      }
      return ticks;
    } finally {
      await admin.end();
    }
  };
  const serverBefore = await backendTicks();
  const clientBefore = process.cpuUsage();
  return {
    /** Microseconds of CPU (client + server) consumed since the meter started. */
    stop: async (): Promise<number> => {
      const client = process.cpuUsage(clientBefore);
      const server = (await backendTicks()) - serverBefore;
      return client.user + client.system + (server / ticksPerSecond) * 1e6;
    },
  };
};
