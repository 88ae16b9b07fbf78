/**
 * npm run bench:tracing — what tracing costs per call, in CPU: the four services run outbound
 * calls at a steady rate with OTEL_TRACES_EXPORTER=none (the default) and then =otlp (to a
 * collector in this process that accepts and discards), and the CPU time the four service
 * processes spent (user + system, from /proc) is divided by the calls placed.
 *
 *   npm run bench:tracing [-- --modes none,otlp --calls 300 --rate 20]
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHousehold, spokenRequest, startSystem, type Household, type RunningSystem } from '@homeline/system';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const modes = arg('modes', 'none,otlp').split(',');
const calls = Number(arg('calls', '300'));
const rate = Number(arg('rate', '20'));
const services = ['identity', 'calls', 'routing', 'audit'] as const;
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** CPU seconds (user + system) of each service process, found as this process's children. */
const cpuOfServices = (): number => {
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)]).toString().trim().split(/\s+/).map(Number);
  let ticks = 0;
  for (const pid of children) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/services/')) continue;
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / ticksPerSecond;
};

async function place(system: RunningSystem, home: Household, count: number): Promise<number> {
  const started = Date.now();
  const placed: Promise<string>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    placed.push(system.client.placeCall(spokenRequest(home, home.members.Alex.voice, 'Mom')).then((c) => c.callId));
  }
  let connected = 0;
  for (const callId of await Promise.all(placed)) {
    const call = await system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed'], 60_000);
    if (call.status === 'connected') connected++;
  }
  return connected;
}

async function measure(mode: string): Promise<void> {
  const collector = createServer((request, response) => request.resume().on('end', () => response.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const otel = { OTEL_TRACES_EXPORTER: mode, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOG_LEVEL: 'warn' };
  const system = await startSystem({ env: Object.fromEntries(services.map((s) => [s, otel])) });
  try {
    const home = await createHousehold(system.client);
    await place(system, home, Math.min(50, calls)); // warm up: JIT, pools, partitions assigned
    const before = cpuOfServices();
    const connected = await place(system, home, calls);
    const cpu = cpuOfServices() - before;
    // Per call placed: under load some calls time out, having cost most of a connected one's work.
    console.log(`OTEL_TRACES_EXPORTER=${mode.padEnd(4)}: ${connected}/${calls} connected at ${rate}/s; services' CPU ${cpu.toFixed(2)} s = ${((cpu * 1000) / calls).toFixed(2)} ms per call`);
  } finally {
    await system.stop();
    collector.close();
  }
}

void (async () => {
  for (const mode of modes) await measure(mode);
})();
