import type { RunningSystem } from '@homeline/system';
import { withClient } from '@homeline/testing';
import type { Client } from 'pg';
import { oneDecimal, services } from './figures';

/**
 * `npm run bench -- --statements`: what each service asks of PostgreSQL per call, from
 * pg_stat_statements (loaded into the embedded server only when asked, see
 * libs/testing/src/embedded-server.ts; it costs a little CPU of its own). Top-level statements only:
 * each is one round trip from a service (the statements a function or a foreign key runs inside
 * one are not counted again). Planning and execution are the server's own time, in its backends.
 * Like the CPU figures, the counts include what runs in the background meanwhile (pollers, sweepers).
 */

/** Creates the extension in every service's database and empties the server's statistics. */
export async function resetStatementStats(system: RunningSystem): Promise<void> {
  for (const service of services) {
    await withClient(system.databaseUrls[service], (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
  }
  await withClient(system.databaseUrls.calls, (c) => c.query('SELECT pg_stat_statements_reset()'));
}

interface Statement { readonly calls: number; readonly ms: number; readonly query: string }
interface Totals { readonly statements: number; readonly planMs: number; readonly execMs: number; readonly top: readonly Statement[]; readonly costliest: readonly Statement[] }

const ofThisDatabase = `dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
  AND query NOT LIKE '%pg_stat_statements%'`;

const totalsOf = async (client: Client): Promise<Totals> => {
  const sum = await client.query<{ n: string | null; plan: number | null; exec: number | null }>(
    `SELECT sum(calls) AS n, sum(total_plan_time) AS plan, sum(total_exec_time) AS exec FROM pg_stat_statements WHERE ${ofThisDatabase}`,
  );
  const ranked = (order: string) => client.query<{ calls: string; ms: number; query: string }>(
    `SELECT calls, total_plan_time + total_exec_time AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
       FROM pg_stat_statements WHERE ${ofThisDatabase} ORDER BY ${order} DESC LIMIT 4`,
  ).then(({ rows }) => rows.map((r) => ({ calls: Number(r.calls), ms: r.ms, query: r.query })));
  return {
    statements: Number(sum.rows[0].n ?? 0),
    planMs: sum.rows[0].plan ?? 0,
    execMs: sum.rows[0].exec ?? 0,
    top: await ranked('calls'),
    costliest: await ranked('total_plan_time + total_exec_time'),
  };
};

/** Lines for the report: statements (round trips) per call by service, then each service's most frequent and costliest ones. */
export async function statementStats(system: RunningSystem, calls: number): Promise<string[]> {
  const per = (n: number) => oneDecimal(n / Math.max(1, calls));
  const totals = await Promise.all(services.map(async (s) => [s, await withClient(system.databaseUrls[s], totalsOf)] as const));
  const all = totals.reduce((sum, [, t]) => ({ statements: sum.statements + t.statements, planMs: sum.planMs + t.planMs, execMs: sum.execMs + t.execMs }), { statements: 0, planMs: 0, execMs: 0 });
  const lines = [
    `  PostgreSQL statements per call (round trips): ${totals.map(([s, t]) => `${s} ${per(t.statements)}`).join(', ')}; ` +
      `${per(all.statements)} in all, planned in ${per(all.planMs)} ms and executed in ${per(all.execMs)} ms of the server's time per call`,
  ];
  for (const [service, t] of totals) {
    for (const { calls: n, query } of t.top) lines.push(`    ${service} ${String(per(n)).padStart(5)}  ${query}`);
  }
  lines.push("  the costliest statements (the server's planning and execution time per call, ms):");
  for (const [service, t] of totals) {
    for (const { ms, query } of t.costliest) lines.push(`    ${service} ${String(per(ms)).padStart(5)}  ${query}`);
  }
  return lines;
}
