import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog } from '../src/storage/partition-log';
import { Syncer } from '../src/storage/syncer';
import { OffsetStore } from '../src/storage/offset-store';
import { kafkajsBatch, tempDir } from './support';

const config = { segmentBytes: 1024, retentionBytes: -1, retentionMs: -1 };
/** Every stored batch from `from` on, as hex, read back one batch at a time. */
const batchesIn = (log: PartitionLog, from = log.logStartOffset): string[] => {
  const out: string[] = [];
  let offset = from;
  while (offset < log.nextOffset) {
    const batch = log.read(offset, 1).buffers[0];
    out.push(batch.toString('hex'));
    offset = Number(batch.readBigInt64BE(0)) + batch.readInt32BE(23) + 1;
  }
  return out;
};

describe('a partition log on disk', () => {
  let dir: string;
  let syncer: Syncer;
  const warnings: string[] = [];

  beforeEach(() => {
    dir = tempDir();
    syncer = new Syncer('never', () => undefined);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every batch across a reopen, with offsets and bytes intact', async () => {
    const log = PartitionLog.open(dir, { ...config, segmentBytes: 256 }, syncer, (m) => warnings.push(m));
    for (let i = 0; i < 10; i++) expect(log.append(await kafkajsBatch([`a${i}`, `b${i}`]))).toBe(i * 2);
    const before = batchesIn(log);
    log.close();
    const reopened = PartitionLog.open(dir, { ...config, segmentBytes: 256 }, syncer, (m) => warnings.push(m));
    expect(reopened.nextOffset).toBe(20);
    expect(batchesIn(reopened)).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(1); // rolled at 256 bytes
    reopened.close();
  });

  it('drops a torn write at the end of the last segment and keeps everything before it', async () => {
    const log = PartitionLog.open(dir, { ...config, segmentBytes: 1 << 20 }, syncer, () => undefined);
    log.append(await kafkajsBatch(['kept-1']));
    log.append(await kafkajsBatch(['kept-2']));
    log.close();
    const segment = path.join(dir, '00000000000000000000.log');
    const torn = (await kafkajsBatch(['torn'])).subarray(0, 30);
    fs.appendFileSync(segment, torn);

    const warned: string[] = [];
    const reopened = PartitionLog.open(dir, { ...config, segmentBytes: 1 << 20 }, syncer, (m) => warned.push(m));
    expect(reopened.nextOffset).toBe(2);
    expect(warned.join()).toMatch(/torn or corrupt tail/);
    expect(reopened.append(await kafkajsBatch(['after']))).toBe(2);
    reopened.close();
  });

  it('rebuilds a lost index from the log', async () => {
    const log = PartitionLog.open(dir, { ...config, segmentBytes: 1 << 20 }, syncer, () => undefined);
    for (let i = 0; i < 3; i++) log.append(await kafkajsBatch([`v${i}`]));
    log.close();
    fs.rmSync(path.join(dir, '00000000000000000000.index'));
    const reopened = PartitionLog.open(dir, { ...config, segmentBytes: 1 << 20 }, syncer, () => undefined);
    expect(reopened.nextOffset).toBe(3);
    expect(reopened.read(1, 1).buffers[0].readBigInt64BE(0)).toBe(1n);
    reopened.close();
  });

  it('deletes the oldest segments beyond the size limit and moves the log start', async () => {
    const log = PartitionLog.open(dir, { ...config, retentionBytes: 2048 }, syncer, () => undefined);
    for (let i = 0; i < 40; i++) log.append(await kafkajsBatch([`value-${i}`.padEnd(100, '.')]));
    log.applyRetention(Date.now());
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.sizeBytes).toBeLessThan(2048 + 1024);
    expect(log.read(log.logStartOffset, 1).bytes).toBeGreaterThan(0);
    log.close();
  });

  it('deletes sealed segments older than the age limit but keeps the active one', async () => {
    const log = PartitionLog.open(dir, { ...config, retentionMs: 60_000 }, syncer, () => undefined);
    for (let i = 0; i < 20; i++) log.append(await kafkajsBatch([`old-${i}`.padEnd(100, '.')], { timestamp: Date.now() - 3_600_000 }));
    log.applyRetention(Date.now());
    expect(log.logStartOffset).toBeGreaterThan(10);
    expect(log.nextOffset).toBe(20);
    expect(log.read(log.logStartOffset, 1).bytes).toBeGreaterThan(0);
    log.close();
  });
});

describe('the committed offsets file', () => {
  it('keeps the last commit per partition, negative offsets included, across a reopen', () => {
    const dir = tempDir();
    const syncer = new Syncer('never', () => undefined);
    const store = new OffsetStore(dir, syncer);
    store.commit('g', [{ topic: 't', partition: 0, offset: 5, metadata: 'm' }]);
    store.commit('g', [{ topic: 't', partition: 0, offset: 9, metadata: null }, { topic: 't', partition: 1, offset: -2, metadata: '' }]);
    store.close();
    fs.appendFileSync(path.join(dir, 'consumer-offsets.jsonl'), '{"g":"g","t":"t","p":0,"o":1'); // torn line
    const reopened = new OffsetStore(dir, syncer);
    expect(reopened.get('g', 't', 0)).toEqual({ offset: 9, metadata: null });
    expect(reopened.get('g', 't', 1)).toEqual({ offset: -2, metadata: '' });
    reopened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('forgets the offsets of a deleted topic for good', () => {
    const dir = tempDir();
    const syncer = new Syncer('never', () => undefined);
    const store = new OffsetStore(dir, syncer);
    store.commit('g', [{ topic: 'gone', partition: 0, offset: 5, metadata: null }, { topic: 'kept', partition: 0, offset: 6, metadata: null }]);
    store.forgetTopic('gone');
    store.close();
    const reopened = new OffsetStore(dir, syncer);
    expect(reopened.get('g', 'gone', 0)).toBeUndefined();
    expect(reopened.get('g', 'kept', 0)).toEqual({ offset: 6, metadata: null });
    reopened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
