/**
 * npm run bench:audit — the audit log's figures, on throwaway state (embedded PostgreSQL and broker):
 *   1. entries appended (sealed, canonicalised, staged) and integrated (sequenced into the tree,
 *      tiles written, checkpoint signed) per second, with the integrator running as in production;
 *   2. the same through Kafka: events produced to the topics, consumed and integrated;
 *   3. inclusion-proof latency at the final tree size, in-process and over HTTP;
 *   4. the time to export the whole log and to verify the export offline (npm run audit:verify).
 *
 *   npm run bench:audit [-- --entries 1000000 --kafka 50000 --batch 500]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Topics } from '@homeline/contracts';
import { startBroker } from '@homeline/kafka-embedded';
import { createServiceApp } from '@homeline/platform';
import { startTestPostgres } from '@homeline/testing';
import { formatSignerKey, parseSignerKey } from '@homeline/tlog';
import { Kafka, logLevel } from 'kafkajs';
import { auditService } from '../src/app.module';
import type { AuditStore } from '../src/application/ports';
import { Proofs } from '../src/application/proofs';
import { RecordEntries } from '../src/application/record-entries';
import { AUDIT_STORE } from '../src/edges/tokens';
import { childrenCpuMs, postgresCpuMs } from './process-cpu';
import { syntheticEvents } from './synthetic-events';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ENTRIES = arg('entries', 1_000_000);
const KAFKA = arg('kafka', 50_000);
const BATCH = arg('batch', 500);
const root = resolve(__dirname, '..', '..', '..');
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n: number) => `${n.toFixed(3)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function untilIntegrated(store: AuditStore, size: number): Promise<number> {
  for (;;) {
    if ((await store.head()).size >= size) return performance.now();
    await sleep(20);
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-bench-'));
  const postgres = await startTestPostgres();
  const broker = await startBroker({ dataDir: join(dir, 'kafka'), port: 0, initialRebalanceDelayMs: 0, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  const signingKey = formatSignerKey('homeline.bench/audit', randomBytes(32));
  const token = 'compliance-token-for-the-bench';
  const databaseUrl = await postgres.createDatabase();
  const pgPort = Number(new URL(databaseUrl).port);
  const { app } = await createServiceApp(auditService, {
    DATABASE_URL: databaseUrl, KAFKA_BROKERS: broker.address, INTEGRATION_TOKEN: 'integration-token-for-the-bench',
    COMPLIANCE_TOKEN: token, AUDIT_SIGNING_KEY: signingKey, AUDIT_KEK: randomBytes(32).toString('base64'), AUDIT_SELF_CHECK_INTERVAL_MS: '0', LOG_LEVEL: 'warn',
  });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const store = app.get<symbol, AuditStore>(AUDIT_STORE);
  const recorder = app.get(RecordEntries);
  const proofs = app.get(Proofs);
  console.log(`audit bench: ${ENTRIES} entries in batches of ${BATCH}, then ${KAFKA} through Kafka (2-core shared machine; figures move with its load)`);

  // 1. Appended and integrated per second, the integrator running beside the appends.
  const startSize = (await store.head()).size;
  const cpuBefore = process.cpuUsage();
  const pgBefore = postgresCpuMs(pgPort);
  const started = performance.now();
  for (let at = 0; at < ENTRIES; at += BATCH) {
    const events = syntheticEvents(at, Math.min(BATCH, ENTRIES - at));
    await store.transaction((tx) => recorder.events(tx, events));
    if (at % 100_000 === 0 && at > 0) console.log(`  ... ${at} appended, ${(await store.head()).size - startSize} integrated`);
  }
  const appended = performance.now();
  const cpuAppend = process.cpuUsage(cpuBefore);
  const integrated = await untilIntegrated(store, startSize + ENTRIES);
  const cpuAll = process.cpuUsage(cpuBefore);
  const nodeUs = ((cpuAll.user + cpuAll.system) / ENTRIES);
  const pgUs = ((postgresCpuMs(pgPort) - pgBefore) * 1000) / ENTRIES;
  console.log(`appended:   ${(ENTRIES / ((appended - started) / 1000)).toFixed(0)} entries/s (sealed, canonicalised, staged; ${((appended - started) / 1000).toFixed(1)} s)`);
  console.log(`CPU per entry: this process ${nodeUs.toFixed(0)} µs (sealing, canonical JSON, the integrator's hashing; ${((cpuAppend.user + cpuAppend.system) / ENTRIES).toFixed(0)} µs of it while appending), PostgreSQL ${pgUs.toFixed(0)} µs`);
  console.log(`            so two idle cores would integrate about ${(2_000_000 / (nodeUs + pgUs)).toFixed(0)} entries/s (CPU-bound estimate; the machine is shared)`);
  console.log(`integrated: ${(ENTRIES / ((integrated - started) / 1000)).toFixed(0)} entries/s (sequenced, tiles, signed checkpoints; all in ${((integrated - started) / 1000).toFixed(1)} s)`);
  const integratedPerSecond = ENTRIES / ((integrated - started) / 1000);

  // 2. Through Kafka: produce, then time until the consumer and the integrator are done.
  const producer = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const before = (await store.head()).size;
  const kafkaStart = performance.now();
  for (let at = 0; at < KAFKA; at += 1000) {
    const events = syntheticEvents(ENTRIES + at, Math.min(1000, KAFKA - at));
    // Each event on its source's topic: the consumers dead-letter an event on a topic its source does not own.
    const topics = [...new Set(events.map((e) => Topics[e.source]))];
    await producer.sendBatch({
      topicMessages: topics.map((topic) => ({
        topic,
        messages: events.filter((e) => Topics[e.source] === topic).map((e) => ({ key: e.streamId, value: JSON.stringify(e) })),
      })),
    });
  }
  await untilIntegrated(store, before + KAFKA);
  const kafkaSeconds = (performance.now() - kafkaStart) / 1000;
  console.log(`through Kafka: ${KAFKA} events produced, consumed and integrated in ${kafkaSeconds.toFixed(1)} s (${(KAFKA / kafkaSeconds).toFixed(0)} entries/s)`);
  await producer.disconnect();

  // 3. Inclusion proofs at the final size, random leaves: first touch (tiles read from PostgreSQL), then warm (cached tiles).
  const size = (await store.head()).size;
  const sample = Array.from({ length: 2000 }, () => Math.floor(Math.random() * size));
  const timeProofs = async (indexes: number[]) => {
    const times: number[] = [];
    for (const index of indexes) {
      const t = performance.now();
      await proofs.inclusion(index, size);
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b);
  };
  const cold = await timeProofs(sample);
  const direct = await timeProofs(sample);
  const http: number[] = [];
  for (const index of sample.slice(0, 1000)) {
    const t = performance.now();
    const response = await fetch(`${base}/v1/audit/entries/${index}/proof?treeSize=${size}`, { headers: { authorization: `Bearer ${token}` } });
    await response.json();
    http.push(performance.now() - t);
  }
  http.sort((a, b) => a - b);
  console.log(`inclusion proof at ${size} entries: first touch (tiles from PostgreSQL) p50 ${ms(percentile(cold, 50))}, p99 ${ms(percentile(cold, 99))}; ` +
    `warm p50 ${ms(percentile(direct, 50))}, p99 ${ms(percentile(direct, 99))}; over HTTP (warm) p50 ${ms(percentile(http, 50))}, p99 ${ms(percentile(http, 99))}`);

  // 4. Export the whole log, verify it offline with the CLI.
  const exportStart = performance.now();
  const checkpointNote = await (await fetch(`${base}/v1/audit/checkpoint`, { headers: { authorization: `Bearer ${token}` } })).text();
  const exportSize = Number(checkpointNote.split('\n')[1]);
  const out = createWriteStream(join(dir, 'export.ndjson'));
  const body = (await fetch(`${base}/v1/audit/export?to=${exportSize}`, { headers: { authorization: `Bearer ${token}` } })).body;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
  console.log(`export of ${exportSize} entries written in ${((performance.now() - exportStart) / 1000).toFixed(1)} s`);
  await writeFile(join(dir, 'checkpoint.txt'), checkpointNote);
  await writeFile(join(dir, 'audit.vkey'), `${parseSignerKey(signingKey).verifier.text}\n`);
  const verifyStart = performance.now();
  const childCpuBefore = childrenCpuMs();
  const run = spawnSync(process.execPath, ['-r', join(root, 'tools', 'register.js'), join(root, 'libs', 'tlog', 'src', 'cli', 'audit-verify.ts'),
    '--export', join(dir, 'export.ndjson'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', join(dir, 'audit.vkey')], { encoding: 'utf8' });
  const verifySeconds = (performance.now() - verifyStart) / 1000;
  const verifyCpu = (childrenCpuMs() - childCpuBefore) / 1000;
  console.log(`offline verification (npm run audit:verify, a process of its own): ${verifySeconds.toFixed(1)} s wall, ${verifyCpu.toFixed(1)} s CPU over its threads: ${(run.stdout || run.stderr).trim()}`);

  const p50 = percentile(direct, 50);
  console.log('\naims (2-core machine):');
  console.log(`  >= 10,000 entries/s integrated: ${integratedPerSecond >= 10_000 ? 'met' : 'NOT met'} (${integratedPerSecond.toFixed(0)}/s)`);
  console.log(`  inclusion proof < 1 ms at ${size} entries: ${p50 < 1 ? 'met' : 'NOT met'} in-process (p50 ${ms(p50)}); over HTTP p50 ${ms(percentile(http, 50))}`);
  console.log(`  export of ${exportSize} verified offline < 10 s: ${verifySeconds < 10 && run.status === 0 ? 'met' : 'NOT met'} (${verifySeconds.toFixed(1)} s wall; ${verifyCpu.toFixed(1)} s CPU, so about ${(verifyCpu / 2).toFixed(1)} s on two idle cores)`);
  console.log(JSON.stringify({ entries: ENTRIES, integratedPerSecond: Math.round(integratedPerSecond), cpuUsPerEntry: Math.round(nodeUs + pgUs), proofP50Ms: p50, proofP99Ms: percentile(direct, 99), httpProofP50Ms: percentile(http, 50), verifySeconds, verifyCpuSeconds: verifyCpu }));

  await app.close();
  await broker.stop();
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
