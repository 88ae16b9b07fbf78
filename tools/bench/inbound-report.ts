import { cpuSpent, hops, httpTimes, oneDecimal, percentile } from './figures';
import type { InboundCallRecord } from './inbound-call';

/** What one rate's run left behind: its calls, and the system's /metrics and CPU around it. */
export interface InboundRun {
  readonly rate: number;
  readonly seconds: number;
  readonly households: number;
  readonly devicesPerHousehold: number;
  readonly started: number;
  readonly records: readonly InboundCallRecord[];
  readonly metrics: { readonly before: Record<string, string>; readonly after: Record<string, string> };
  readonly cpu: ReturnType<typeof cpuSpent>;
}

const quantiles = (values: number[]) => {
  const sorted = values.sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
};
const line = (q: ReturnType<typeof quantiles>) => `p50 ${q.p50} ms, p95 ${q.p95} ms, p99 ${q.p99} ms (n ${q.n})`;
const between = (records: readonly InboundCallRecord[], from: (r: InboundCallRecord) => number | undefined, to: (r: InboundCallRecord) => number | undefined) =>
  quantiles(records.filter((r) => from(r) !== undefined && to(r) !== undefined).map((r) => to(r)! - from(r)!));

const countBy = (records: readonly InboundCallRecord[]) => {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
};

/**
 * Prints one rate's figures and returns its JSON line. Offer -> ringing is measured to the moment the
 * last speaker's DeviceRingRequested is read from Kafka (as the device cloud would read it); answer ->
 * connected to CallConnected's occurredAt, as the outbound run measures POST -> connected.
 */
export function reportInbound(run: InboundRun) {
  const { records, cpu } = run;
  const connected = records.filter((r) => r.outcome === 'connected');
  const last = Math.max(run.started, ...connected.map((r) => r.connectedSeenAt!));
  const ringing = between(records, (r) => r.offeredAt, (r) => r.allRingingAt);
  const answer = between(connected, (r) => r.answeredAt, (r) => r.connectedAt);
  const perCall = (ms: number) => oneDecimal(ms / Math.max(1, connected.length));
  const result = {
    direction: 'inbound', rate: run.rate, seconds: run.seconds, total: records.length, households: run.households,
    devicesPerHousehold: run.devicesPerHousehold, connected: connected.length,
    sustainedPerSecond: oneDecimal(connected.length / ((last - run.started) / 1000)),
    ringP50Ms: ringing.p50, ringP95Ms: ringing.p95, ringP99Ms: ringing.p99,
    answerP50Ms: answer.p50, answerP95Ms: answer.p95, answerP99Ms: answer.p99,
    cpuMsPerCall: perCall(cpu.total), carrierSimCpuMsPerCall: perCall(cpu.of('carrier-sim')),
  };
  console.log(`inbound: offered ${run.rate} calls/s for ${run.seconds} s to ${run.households} households of ${run.devicesPerHousehold} speakers: ${connected.length}/${records.length} connected, outcomes ${JSON.stringify(countBy(records))}`);
  console.log(`  sustained ${result.sustainedPerSecond} calls/s connected`);
  console.log(`  offer -> all ${run.devicesPerHousehold} speakers ringing (last DeviceRingRequested read): ${line(ringing)}`);
  console.log(`  answer POST -> CallConnected (occurredAt): ${line(answer)}; -> read from Kafka: ${line(between(connected, (r) => r.answeredAt, (r) => r.connectedSeenAt))}`);
  console.log(`  offer -> carrier webhook answered: ${line(between(records, (r) => r.offeredAt, (r) => r.offerAnsweredAt))}`);
  console.log(`  offer -> calls opened the call (CallOffered read): ${line(between(records, (r) => r.offeredAt, (r) => r.openedAt))}`);
  console.log(`  CPU ${result.cpuMsPerCall} ms per connected call (${Math.round(cpu.total)} ms over ${((last - run.started) / 1000).toFixed(1)} s, all processes; of which the carrier simulator ${result.carrierSimCpuMsPerCall} ms)`);
  console.log(`  CPU ms per connected call by process: ${cpu.byProcess.map(([label, ms]) => `${label} ${perCall(ms)}`).join(', ')}; the bench client itself (not counted above) ${perCall(cpu.client)}`);
  console.log('  server time per route:');
  for (const text of httpTimes(run.metrics.before, run.metrics.after)) console.log(text);
  console.log('  per hop:');
  for (const text of hops(run.metrics.before, run.metrics.after)) console.log(text);
  return result;
}
