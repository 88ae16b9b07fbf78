// npm run bench:eventstore — appends through this store and through Emmett's PostgreSQL event
// store, same workload, same embedded server, same run; prints events/s and the ratio.
import { startTestPostgres } from '@homeline/testing';
import { cpuMeter } from './cpu-meter';
import { emmettStore, homelineStore, type StoreUnderTest } from './stores';
import { runWorkload, type Workload } from './workload';

const poolSize = 8;
const scenarios: { name: string; workload: Workload }[] = [
  { name: 'single-event transactions', workload: { streams: 1000, writers: poolSize, transactions: 6000, eventsPerTransaction: 1 } },
  { name: 'batched transactions (10 events)', workload: { streams: 1000, writers: poolSize, transactions: 1200, eventsPerTransaction: 10 } },
];
const warmUp: Workload = { streams: 100, writers: poolSize, transactions: 400, eventsPerTransaction: 2 };

const eventsOf = (w: Workload) => Math.ceil(w.transactions / w.writers) * w.writers * w.eventsPerTransaction;

const measure = async (open: (url: string, pool: number) => Promise<StoreUnderTest>, url: string) => {
  const store = await open(url, poolSize);
  try {
    await runWorkload('warmup', warmUp, store.append); // also opens every pooled connection
    const rates: number[] = [];
    const cpuPerEvent: number[] = [];
    for (const [i, { workload }] of scenarios.entries()) {
      const meter = await cpuMeter(url);
      rates.push(await runWorkload(`s${i}`, workload, store.append));
      cpuPerEvent.push((await meter.stop()) / eventsOf(workload));
    }
    return { name: store.name, rates, cpuPerEvent };
  } finally {
    await store.close();
  }
};

const main = async () => {
  const pg = await startTestPostgres();
  const watchdog = setTimeout(() => {
    console.error('benchmark exceeded 110 s; stopping');
    process.exit(1);
  }, 110_000);
  try {
    const server = process.env.DATABASE_URL ? 'PostgreSQL at DATABASE_URL' : 'embedded PostgreSQL (fsync off, synchronous_commit off)';
    console.log(`${server}; ${poolSize} concurrent writers, a pool of ${poolSize} connections per store\n`);
    // Each run gets a fresh database on the same server. The stores alternate (the machine may be
    // shared and noisy), and the best run of each is kept.
    const runs: { name: string; rates: number[]; cpuPerEvent: number[] }[] = [];
    for (const open of [emmettStore, homelineStore, homelineStore, emmettStore, emmettStore, homelineStore]) {
      runs.push(await measure(open, await pg.createDatabase()));
    }
    const of = (name: string) => runs.filter((r) => r.name === name);
    const best = (name: string, i: number) => Math.max(...of(name).map((r) => r.rates[i]));
    const leastCpu = (name: string, i: number) => Math.min(...of(name).map((r) => r.cpuPerEvent[i]));
    for (const [i, { name, workload }] of scenarios.entries()) {
      const [ours, theirs] = [best('homeline event-store', i), best('emmett-postgresql', i)];
      const [ourCpu, theirCpu] = [leastCpu('homeline event-store', i), leastCpu('emmett-postgresql', i)];
      console.log(`${name} (${workload.transactions} tx over ${workload.streams} streams)`);
      console.log(`  homeline event-store  ${ours.toFixed(0).padStart(8)} events/s  ${ourCpu.toFixed(0).padStart(5)} µs CPU/event`);
      console.log(`  emmett-postgresql     ${theirs.toFixed(0).padStart(8)} events/s  ${theirCpu.toFixed(0).padStart(5)} µs CPU/event`);
      console.log(`  ratio homeline/emmett ${(ours / theirs).toFixed(2).padStart(8)} (throughput)  ${(theirCpu / ourCpu).toFixed(2)} (CPU efficiency)\n`);
    }
  } finally {
    clearTimeout(watchdog);
    await pg.stop();
  }
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
