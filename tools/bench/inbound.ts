/**
 * The inbound run of `npm run bench` (docs/architecture.md section 6.1): households of several linked
 * speakers each; a caller dials one of them through the carrier simulator at a fixed rate, every
 * speaker rings (DeviceRingRequested read from homeline.routing.v1, as the device cloud reads it), the
 * owner answers on one at once, and the call connects (CallConnected on homeline.calls.v1). Per rate it
 * prints offer -> all ringing and answer -> connected p50/p95/p99, calls/s sustained, CPU ms per call
 * summed over every process of the system, per-hop latency, then one JSON line; then it hangs every
 * call up so the lines are free.
 */
import type { RunningSystem } from '@homeline/system';
import { cpuSpent, metrics, oneDecimal, readCpu, sleep } from './figures';
import { inboundCall, type InboundCallRecord } from './inbound-call';
import { createInboundHouseholds, type InboundHousehold } from './inbound-households';
import { reportInbound } from './inbound-report';
import { watchInbound, type InboundWatch } from './inbound-watch';

export interface InboundOptions {
  /** Calls offered per second, one run each. */
  readonly rates: readonly number[];
  readonly seconds: number;
  /** Households the calls are spread over (round robin), and the speakers linked in each. */
  readonly households: number;
  readonly devicesPerHousehold: number;
  /** The system's process trees, for CPU accounting. */
  readonly roots: readonly number[];
}

/** Ring and answer deadlines of one call, well inside calls' own ring timeout (CALL_RING_TIMEOUT_MS, 30 s). */
const callTimeoutMs = 25_000;

interface Run { readonly system: RunningSystem; readonly watch: InboundWatch; readonly homes: readonly InboundHousehold[] }

/** Offers calls at `rate` for `seconds`, each call to the next household, and waits for every one to settle. */
async function offerAt(run: Run, rate: number, seconds: number, homes = run.homes): Promise<{ records: InboundCallRecord[]; started: number }> {
  const total = Math.round(rate * seconds);
  const started = Date.now();
  const calls: Promise<InboundCallRecord>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    calls.push(inboundCall(run.system, run.watch, homes[i % homes.length], callTimeoutMs));
  }
  return { records: await Promise.all(calls), started };
}

/** Hangs up every connected call, a few at a time, and waits for each CallEnded. */
async function hangUpAll(run: Run, records: readonly InboundCallRecord[]): Promise<{ ended: number; errors: number }> {
  const connected = records.filter((r) => r.outcome === 'connected').map((r) => r.callId!);
  let next = 0;
  let ended = 0;
  let errors = 0;
  const worker = async () => {
    for (let i = next++; i < connected.length; i = next++) {
      try {
        await run.system.client.hangUp(connected[i]);
        if (await run.watch.until(connected[i], (t) => t.endedAt !== undefined, callTimeoutMs)) ended++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  // What follows CallEnded (routing's hang-up to the carrier, its 'completed' webhook, audit) settles before the next run is measured.
  await sleep(2000);
  return { ended, errors };
}

/**
 * Every household's line answered once at a low rate before anything is measured: routing and calls
 * have projected its speakers (else fewer ring), and JIT, pools and consumer groups are warm.
 */
async function warmUp(run: Run): Promise<void> {
  let pending = run.homes;
  for (let round = 1; pending.length > 0; round++) {
    const { records } = await offerAt(run, 20, pending.length / 20, pending);
    await hangUpAll(run, records);
    const failed = records.filter((r) => r.outcome !== 'connected');
    pending = failed.map((r) => r.home);
    if (pending.length > 0 && round === 3) {
      throw new Error(`inbound warm-up: ${pending.length} households never rang and connected: ${[...new Set(failed.map((r) => r.outcome))].join(', ')}`);
    }
  }
}

async function measure(run: Run, options: InboundOptions, rate: number): Promise<void> {
  const before = { metrics: await metrics(run.system), cpu: readCpu(options.roots) };
  const { records, started } = await offerAt(run, rate, options.seconds);
  const cpu = cpuSpent(before.cpu, readCpu(options.roots));
  const result = reportInbound({
    rate, seconds: options.seconds, households: run.homes.length, devicesPerHousehold: options.devicesPerHousehold,
    started, records, metrics: { before: before.metrics, after: await metrics(run.system) }, cpu,
  });
  const hangUpFrom = readCpu(options.roots);
  const hungUp = await hangUpAll(run, records);
  const hangUpCpu = cpuSpent(hangUpFrom, readCpu(options.roots)).total;
  console.log(`  then hung up: ${hungUp.ended}/${result.connected} ended (${hungUp.errors} errors), CPU ${oneDecimal(hangUpCpu / Math.max(1, hungUp.ended))} ms per hang-up`);
  console.log(JSON.stringify(result));
}

/** The inbound run: households made, every line answered once, then each rate measured. */
export async function driveInbound(system: RunningSystem, options: InboundOptions): Promise<void> {
  console.log(`inbound: creating ${options.households} households of ${options.devicesPerHousehold} speakers ...`);
  const homes = await createInboundHouseholds(system.client, options.households, options.devicesPerHousehold);
  const watch = await watchInbound(system.kafkaBrokers);
  try {
    const run = { system, watch, homes };
    await warmUp(run);
    for (const rate of options.rates) await measure(run, options, rate);
  } finally {
    await watch.stop();
  }
}
