import { readFileSync } from 'node:fs';
import { cpuMsOfTrees, type RunningSystem } from '@homeline/system';
import { countOf, parseHistograms, quantileMs, type Buckets } from './histogram';

/** What both bench runs print: percentiles of their own samples, and per-hop latency from the services' /metrics. */
export const services = ['calls', 'identity', 'routing', 'audit'] as const;

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const oneDecimal = (n: number) => Math.round(n * 10) / 10;

export async function metrics(system: RunningSystem): Promise<Record<string, string>> {
  const texts = await Promise.all(services.map(async (s) => [s, await (await fetch(`${system.endpoints[s]}/metrics`)).text()] as const));
  return Object.fromEntries(texts);
}

/** Append -> published per service and published -> consumed per consumer, between two /metrics snapshots. */
export function hops(before: Record<string, string>, after: Record<string, string>): string[] {
  const lines: string[] = [];
  const describe = (label: string, b: Buckets, a: Buckets) => {
    for (const [series, buckets] of a) {
      const n = countOf(b.get(series), buckets);
      if (!n) continue;
      const q = (p: number) => quantileMs(b.get(series), buckets, p);
      lines.push(`    ${label}${series ? ` ${series}` : ''}: ${n} events, p50 <= ${q(0.5)} ms, p99 <= ${q(0.99)} ms`);
    }
  };
  for (const s of services) {
    describe(`${s} append -> published`, parseHistograms(before[s], 'homeline_event_publish_delay_seconds'), parseHistograms(after[s], 'homeline_event_publish_delay_seconds'));
    describe(`${s} published -> consumed`, parseHistograms(before[s], 'homeline_event_consume_delay_seconds'), parseHistograms(after[s], 'homeline_event_consume_delay_seconds'));
  }
  return lines;
}

/** Server-side time of each API route that was called between two /metrics snapshots (health and metrics left out). */
export function httpTimes(before: Record<string, string>, after: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const s of services) {
    const b = parseHistograms(before[s], 'http_request_duration_seconds');
    for (const [series, buckets] of parseHistograms(after[s], 'http_request_duration_seconds')) {
      const n = countOf(b.get(series), buckets);
      if (!n || !series.includes('/v1/')) continue;
      const q = (p: number) => quantileMs(b.get(series), buckets, p);
      lines.push(`    ${s} ${series}: ${n} requests, p50 <= ${q(0.5)} ms, p99 <= ${q(0.99)} ms`);
    }
  }
  return lines;
}

/**
 * Each service's event-loop delay, p50 / p99 / max, from one /metrics snapshot: prom-client resets
 * the delay histogram at each scrape, so these cover the time since the scrape before. Node records
 * the time between ticks of a timer that runs every 100 ms (eventLoopMonitoringPrecision,
 * libs/platform metrics.ts): the delay is what exceeds those 100 ms.
 */
export function eventLoopDelays(after: Record<string, string>): string[] {
  const delayMs = (text: string, quantile: string) => {
    const seconds = Number(new RegExp(`^nodejs_eventloop_lag_${quantile}_seconds\\{[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    return Math.max(0, Math.round(seconds * 1000) - 100);
  };
  return services.map((s) => `${s} ${['p50', 'p99', 'max'].map((q) => delayMs(after[s], q)).join(' / ')} ms`);
}

/** What each process tree below the bench is, from its command line: a service, the carrier simulator, the broker or PostgreSQL. */
export const labelOf = (pid: number): string => {
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return `pid ${pid}`;
  }
  const service = /services\/([a-z-]+)\/src\/main/.exec(cmdline)?.[1];
  if (service) return service;
  if (cmdline.includes('bench/one-process')) return 'services';
  if (cmdline.includes('carrier-sim')) return 'carrier-sim';
  if (cmdline.includes('kafka-embedded')) return 'broker';
  if (cmdline.includes('postgres')) return 'postgres';
  return `pid ${pid}`;
};

/** CPU ms of each process tree below the bench (a service, the broker, PostgreSQL with its backends), and the bench's own. */
export interface CpuReading {
  readonly byProcess: ReadonlyMap<string, number>;
  readonly client: NodeJS.CpuUsage;
}

export const readCpu = (roots: readonly number[]): CpuReading => {
  const byProcess = new Map<string, number>();
  for (const pid of roots) byProcess.set(labelOf(pid), (byProcess.get(labelOf(pid)) ?? 0) + cpuMsOfTrees([pid]));
  return { byProcess, client: process.cpuUsage() };
};

/** CPU ms spent between two readings: per process, in all (idle burn included), and by the bench itself (not in `total`). */
export const cpuSpent = (before: CpuReading, after: CpuReading) => {
  const byProcess = [...after.byProcess].map(([label, ms]) => [label, ms - (before.byProcess.get(label) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
  return {
    byProcess,
    total: byProcess.reduce((sum, [, ms]) => sum + ms, 0),
    of: (label: string) => byProcess.find(([l]) => l === label)?.[1] ?? 0,
    client: (after.client.user - before.client.user + after.client.system - before.client.system) / 1000,
  };
};
