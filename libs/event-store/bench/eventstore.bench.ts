// npm run bench:eventstore — appends through this store and through Emmett's PostgreSQL event
// store, same workload, same embedded server, same run; prints events/s and the ratio.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestPostgres } from '@homeline/testing';
import { emmettStore, homelineStore, type StoreUnderTest } from './stores';
import { runWorkload, type Workload } from './workload';

const poolSize = 8;
const scenarios: { name: string; workload: Workload }[] = [
  { name: 'single-event transactions', workload: { streams: 1000, writers: poolSize, transactions: 6000, eventsPerTransaction: 1 } },
  { name: 'batched transactions (10 events)', workload: { streams: 1000, writers: poolSize, transactions: 1200, eventsPerTransaction: 10 } },
];
const warmUp: Workload = { streams: 100, writers: poolSize, transactions: 400, eventsPerTransaction: 2 };

const measure = async (open: (url: string, pool: number) => Promise<StoreUnderTest>, url: string) => {
  const store = await open(url, poolSize);
  try {
    await runWorkload('warmup', warmUp, store.append);
    const rates: number[] = [];
    for (const [i, { workload }] of scenarios.entries()) rates.push(await runWorkload(`s${i}`, workload, store.append));
    return { name: store.name, rates };
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
    console.log(`PostgreSQL ${pg.serverUrl.replace(/\/\/.*@/, '//')} — ${poolSize} writers, ${poolSize} connections each\n`);
    // Each run gets a fresh database on the same server. The stores alternate (the machine may be
    // shared and noisy), and the best run of each is kept.
    const runs: { name: string; rates: number[] }[] = [];
    for (const open of [emmettStore, homelineStore, homelineStore, emmettStore, emmettStore, homelineStore]) {
      runs.push(await measure(open, await pg.createDatabase()));
    }
    const best = (name: string) =>
      scenarios.map((_, i) => Math.max(...runs.filter((r) => r.name === name).map((r) => r.rates[i])));
    const ours = best('homeline event-store');
    const theirs = best('emmett-postgresql');
    for (const [i, { name, workload }] of scenarios.entries()) {
      console.log(`${name} (${workload.transactions} tx over ${workload.streams} streams)`);
      console.log(`  homeline event-store  ${ours[i].toFixed(0).padStart(8)} events/s`);
      console.log(`  emmett-postgresql     ${theirs[i].toFixed(0).padStart(8)} events/s`);
      console.log(`  ratio homeline/emmett ${(ours[i] / theirs[i]).toFixed(2).padStart(8)}\n`);
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
