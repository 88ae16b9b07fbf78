/**
 * npm run bench — outbound calls through the whole system: the four services, the broker and
 * PostgreSQL, with the carrier simulator answering at once. It starts its own system on throwaway
 * state, drives calls at fixed rates, and prints calls/s sustained and POST /v1/calls -> connected
 * latency (p50, p95, p99), read from each call's own CallConnected time.
 *
 *   npm run bench [-- --rates 50,150,300 --seconds 10]
 */
import { createHousehold, spokenRequest, startSystem, type Household, type RunningSystem } from '@homeline/system';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rates = arg('rates', '50,150,300').split(',').map(Number);
const seconds = Number(arg('seconds', '10'));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface Sent { callId: string; sentAt: number }

async function drive(system: RunningSystem, home: Household, rate: number): Promise<void> {
  const total = rate * seconds;
  const started = Date.now();
  const sent: Sent[] = [];
  const inflight: Promise<void>[] = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const request = spokenRequest(home, home.members.Alex.voice, 'Mom');
    const sentAt = Date.now();
    inflight.push(system.client.placeCall(request).then(({ callId }) => void sent.push({ callId, sentAt }), () => void errors++));
  }
  await Promise.all(inflight);
  const offered = (Date.now() - started) / 1000;
  // Wait for every call to settle, then read when each connected.
  const latencies: number[] = [];
  let lastConnected = 0;
  const statuses: Record<string, number> = {};
  for (const { callId, sentAt } of sent) {
    const call = await system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed'], 60_000);
    statuses[call.status] = (statuses[call.status] ?? 0) + 1;
    const connected = call.timeline.find((e) => e.type === 'CallConnected');
    if (!connected) continue;
    const at = Date.parse(connected.at);
    latencies.push(at - sentAt);
    lastConnected = Math.max(lastConnected, at);
  }
  latencies.sort((a, b) => a - b);
  const sustained = latencies.length / ((lastConnected - started) / 1000);
  console.log(
    `offered ${String(rate).padStart(4)} calls/s for ${seconds}s (${offered.toFixed(1)}s to send): ` +
      `${latencies.length}/${total} connected, ${errors} POST errors, statuses ${JSON.stringify(statuses)}; ` +
      `sustained ${sustained.toFixed(1)} calls/s; POST->connected p50 ${percentile(latencies, 50)} ms, ` +
      `p95 ${percentile(latencies, 95)} ms, p99 ${percentile(latencies, 99)} ms`,
  );
}

async function main() {
  console.log('starting the system (embedded PostgreSQL, broker, four services; carrier answers at once) ...');
  const system = await startSystem({ env: { routing: { CARRIER_SIM_STEP_MS: '0', LOG_LEVEL: 'warn' }, calls: { LOG_LEVEL: 'warn' }, identity: { LOG_LEVEL: 'warn' }, audit: { LOG_LEVEL: 'warn' } } });
  try {
    const home = await createHousehold(system.client);
    await drive(system, home, 5); // warm-up: JIT, connection pools, consumer groups
    for (const rate of rates) await drive(system, home, rate);
  } finally {
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
