/**
 * npm run bench — outbound calls through the whole system as `npm start` runs it: the four services,
 * the embedded broker (its own process) and PostgreSQL, the carrier simulator (its own process) answering at once.
 * An outside client places "call Mom" at fixed rates and reads each CallConnected from Kafka.
 * Per rate it prints calls/s sustained, POST -> connected p50/p95/p99, CPU ms per call summed over
 * every process of the system (from /proc, idle burn included) and per-hop latency (append ->
 * published per service, published -> consumed per consumer, from the services' /metrics), then
 * one JSON line. Then the inbound run (inbound.ts): offer -> all speakers ringing and answer -> connected.
 *
 *   npm run bench [-- --rates 10,50,150,300 --seconds 10 --profile DIR --keep-logs]
 *                 [-- --inbound-rates 50 --inbound-seconds 20 --inbound-households 100 --inbound-devices 3]
 *                 [-- --outbound-only | --inbound-only] [-- --households 1] [-- --statements] [-- --perf]
 *                 [-- --one-process] [-- --node-options "--max-semi-space-size=64"]
 *
 * --households N spreads the outbound calls round-robin over N households (each its own line, the
 * same one member calling Mom): a carrier's traffic comes from many lines, and each line's limits
 * are decided one call at a time under that line's lock (docs/architecture.md section 6.2).
 *
 * --statements loads pg_stat_statements into the embedded PostgreSQL and prints, per outbound rate,
 * each service's statements (round trips) per call, the server's planning and execution time per
 * call, and each service's most frequent and costliest statements (statements.ts). It costs some CPU of its own.
 *
 * --perf samples every process of the machine with Linux perf while each outbound rate runs and
 * prints, per process, its CPU per call split by what ran: V8's compiler, its interpreter and
 * builtins, generated code, inline-cache stubs, the runtime, GC, the kernel (machine-profile.ts;
 * needs `perf`).
 *
 * --one-process runs the four services in one Node process (one-process.ts), each still its own
 * app talking to the others only through Kafka and HTTP: what fewer processes would save.
 *
 * --node-options passes flags to the node processes of the services and the carrier simulator
 * (not the broker's): what a V8 or GC setting would change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Topics } from '@homeline/contracts';
import { childrenOf, cpuMsOfTrees, createHousehold, HttpProblem, spokenRequest, startSystem, type Household, type RunningSystem } from '@homeline/system';
import { freePort, statementStatsEnv } from '@homeline/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { cpuSpent, eventLoopDelays, hops, httpTimes, metrics, percentile, readCpu, sleep } from './figures';
import { driveInbound } from './inbound';
import { resetStatementStats, statementStats } from './statements';
import { machineProfileLines, startMachineProfile } from './machine-profile';
import { summariseProfiles } from './profile-summary';

const root = resolve(__dirname, '..', '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rates = arg('rates', '10,50,150,300').split(',').map(Number);
const seconds = Number(arg('seconds', '10'));
const households = Number(arg('households', '1'));
const profileDir = arg('profile', '');
const outbound = !process.argv.includes('--inbound-only');
const inbound = !process.argv.includes('--outbound-only');
const withStatements = process.argv.includes('--statements');
const withPerf = process.argv.includes('--perf');
const oneProcess = process.argv.includes('--one-process');
/** Flags for the services' node processes (V8's, the GC's), to measure what one would change. */
const serviceNodeOptions = arg('node-options', '').split(' ').filter(Boolean);
const finalTypes = new Set(['CallConnected', 'CallFailed', 'CallRejected', 'CallEnded']);
const unlimited = { RATE_LIMIT_DEVICE_PER_MINUTE: '100000', RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000', MAX_CONCURRENT_CALLS_PER_LINE: '100000' };

interface Outcome { readonly type: string; readonly occurredAt: number; readonly seenAt: number }

/** Watches calls' topic for each call's first final-or-connected event. */
async function watchCalls(brokers: string): Promise<{ outcomes: Map<string, Outcome>; stop(): Promise<void> }> {
  const outcomes = new Map<string, Outcome>();
  const consumer: Consumer = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).consumer({ groupId: `bench-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.calls], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const type = message.headers?.['event-type']?.toString() ?? '';
      if (!finalTypes.has(type)) return;
      const envelope = JSON.parse(String(message.value)) as { occurredAt: string; data: { callId: string; reason?: string; stage?: string } };
      // A failure counts by its reason and the stage it ended in (timeout/routing...): where the calls got stuck.
      const { reason, stage } = envelope.data;
      const label = type === 'CallFailed' && reason ? `${type} ${[reason, stage].filter(Boolean).join('/')}` : type;
      if (!outcomes.has(envelope.data.callId)) outcomes.set(envelope.data.callId, { type: label, occurredAt: Date.parse(envelope.occurredAt), seenAt: Date.now() });
    },
  });
  return { outcomes, stop: () => consumer.disconnect() };
}

async function drive(system: RunningSystem, homes: readonly Household[], watch: Awaited<ReturnType<typeof watchCalls>>, roots: number[], rate: number, report: boolean): Promise<void> {
  const total = Math.round(rate * seconds);
  if (report && withStatements) await resetStatementStats(system);
  const before = await metrics(system);
  const machine = report && withPerf ? await startMachineProfile(roots) : undefined;
  const cpuBefore = readCpu(roots);
  const started = Date.now();
  const sent = new Map<string, number>();
  const inflight: Promise<void>[] = [];
  const errors: Record<string, number> = {};
  const postMs: number[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    const home = homes[i % homes.length];
    const request = spokenRequest(home, home.members.Alex.voice, 'Mom');
    const sentAt = Date.now();
    inflight.push(system.client.placeCall(request).then(
      ({ callId }) => {
        sent.set(callId, sentAt);
        postMs.push(Date.now() - sentAt);
      },
      (error: unknown) => {
        // By status and problem code, or by what the connection said (a refused or reset socket).
        const label = error instanceof HttpProblem ? `${error.status} ${String(error.body.code)}` : String((error as Error).cause ?? error).slice(0, 60);
        errors[label] = (errors[label] ?? 0) + 1;
      },
    ));
  }
  await Promise.all(inflight);
  const deadline = Date.now() + 60_000;
  while ([...sent.keys()].some((id) => !watch.outcomes.has(id)) && Date.now() < deadline) await sleep(20);
  const cpu = cpuSpent(cpuBefore, readCpu(roots));
  const samples = await machine?.stop();
  // The carrier simulator is one of those processes; in production its share is the carrier's.
  const carrierCpu = cpu.of('carrier-sim');
  const after = await metrics(system);
  if (!report) return;
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let last = started;
  for (const [callId, sentAt] of sent) {
    const outcome = watch.outcomes.get(callId);
    statuses[outcome?.type ?? 'pending'] = (statuses[outcome?.type ?? 'pending'] ?? 0) + 1;
    if (outcome?.type !== 'CallConnected') continue;
    latencies.push(outcome.occurredAt - sentAt);
    last = Math.max(last, outcome.seenAt);
  }
  latencies.sort((a, b) => a - b);
  const result = {
    rate, total, connected: latencies.length,
    sustainedPerSecond: Math.round((latencies.length / ((last - started) / 1000)) * 10) / 10,
    p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99),
    cpuMsPerCall: Math.round((cpu.total / Math.max(1, latencies.length)) * 10) / 10,
    carrierSimCpuMsPerCall: Math.round((carrierCpu / Math.max(1, latencies.length)) * 10) / 10,
  };
  postMs.sort((a, b) => a - b);
  const postErrors = Object.values(errors).reduce((a, b) => a + b, 0);
  console.log(`offered ${rate} calls/s for ${seconds} s from ${homes.length} household(s): ${result.connected}/${total} connected, ${postErrors} POST errors${postErrors ? ` ${JSON.stringify(errors)}` : ''}, outcomes ${JSON.stringify(statuses)}`);
  // The client shares the machine: when it is busy itself, what it measures includes its own wait.
  console.log(`  POST -> 202 p50 ${percentile(postMs, 50)} ms, p99 ${percentile(postMs, 99)} ms (the bench client used ${Math.round(cpu.client / ((last - started) / 1000))} ms of CPU per second)`);
  console.log(`  sustained ${result.sustainedPerSecond} calls/s; POST -> connected p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms; CPU ${result.cpuMsPerCall} ms per call (${Math.round(cpu.total)} ms over ${((last - started) / 1000).toFixed(1)} s, all processes; of which the carrier simulator ${result.carrierSimCpuMsPerCall} ms)`);
  const perCall = (ms: number) => (ms / Math.max(1, latencies.length)).toFixed(1);
  console.log(`  CPU ms per call by process: ${cpu.byProcess.map(([label, ms]) => `${label} ${perCall(ms)}`).join(', ')}`);
  console.log('  per hop:');
  for (const line of hops(before, after)) console.log(line);
  console.log(`  event-loop delay p50 / p99 / max: ${eventLoopDelays(after).join(', ')}`);
  console.log('  server-side HTTP time:');
  for (const line of httpTimes(before, after)) console.log(line);
  if (withStatements) for (const line of await statementStats(system, latencies.length)) console.log(line);
  if (samples) for (const line of machineProfileLines(samples, latencies.length)) console.log(line);
  console.log(JSON.stringify(result));
}

async function startBrokerProcess(dir: string): Promise<{ child: ChildProcess; address: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', join(root, 'tools', 'register.js'), join(root, 'libs/kafka-embedded/src/cli.ts'),
    '--port', String(port), '--data-dir', join(dir, 'kafka'), '--initial-rebalance-delay-ms', '0'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((ok) => connect(port, '127.0.0.1').once('connect', function (this: { end(): void }) { this.end(); ok(true); }).once('error', () => ok(false)));
    if (up) return { child, address: `127.0.0.1:${port}` };
    await sleep(100);
  }
  throw new Error('the broker did not start');
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'homeline-bench-'));
  if (withStatements) {
    if (process.env.DATABASE_URL) throw new Error('--statements needs the embedded PostgreSQL (unset DATABASE_URL)');
    process.env[statementStatsEnv] = '1';
  }
  const broker = await startBrokerProcess(dir);
  console.log(`starting the system (PostgreSQL, the broker as its own process, four services${oneProcess ? ' in ONE process' : ''}, the carrier simulator answering at once) ...`);
  const quiet = { LOG_LEVEL: 'warn' };
  const system = await startSystem({
    kafkaBrokers: broker.address,
    nodeOptions: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : []), ...serviceNodeOptions],
    carrierStepMs: 0,
    oneProcess,
    // One device places every call: the toll-fraud limits (issue 11) would refuse nearly all of them.
    env: { routing: { ...quiet, ...unlimited }, calls: quiet, identity: quiet, audit: quiet, 'carrier-sim': quiet },
  });
  const watch = await watchCalls(broker.address);
  try {
    const roots = childrenOf(process.pid);
    const homes = outbound ? await Promise.all(Array.from({ length: households }, () => createHousehold(system.client))) : [];
    if (outbound) await drive(system, homes, watch, roots, 5, false); // warm-up: JIT, pools, consumer groups
    const idleFrom = cpuMsOfTrees(roots);
    await sleep(5000);
    console.log(`idle: ${Math.round((cpuMsOfTrees(roots) - idleFrom) / 5)} ms of CPU per second, all processes`);
    if (outbound) for (const rate of rates) await drive(system, homes, watch, roots, rate, true);
    if (inbound) {
      await driveInbound(system, {
        rates: arg('inbound-rates', '50').split(',').map(Number),
        seconds: Number(arg('inbound-seconds', '20')),
        households: Number(arg('inbound-households', '100')),
        devicesPerHousehold: Number(arg('inbound-devices', '3')),
        roots,
      });
    }
  } finally {
    if (process.argv.includes('--keep-logs')) {
      const kept = await mkdtemp(join(tmpdir(), 'homeline-bench-logs-'));
      await cp(system.logDir, kept, { recursive: true });
      console.log(`service logs kept in ${kept}`);
    }
    await watch.stop();
    await system.stop();
    broker.child.kill('SIGTERM');
    await new Promise((r) => broker.child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
  if (profileDir) summariseProfiles(resolve(profileDir));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
