import * as fs from 'node:fs';
import { BATCH, findRecordByTimestamp } from '../protocol/record-batch';
import { BatchEntry, Segment } from './segment';
import { ProducerStateTable } from './producer-state';
import { Syncer } from './syncer';

export interface LogConfig {
  readonly segmentBytes: number;
  readonly retentionBytes: number; // -1 = unlimited
  readonly retentionMs: number; // -1 = unlimited
}

export interface ReadResult {
  readonly buffers: Buffer[];
  readonly bytes: number;
}

/**
 * One partition: an append-only list of segments in `dir`. Appends are synchronous writes
 * to the page cache, so a produce is on file before its ack; the Syncer decides fsyncs.
 */
export class PartitionLog {
  readonly producers = new ProducerStateTable();
  private readonly segments: Segment[];
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly dir: string,
    private readonly config: LogConfig,
    private readonly syncer: Syncer,
    segments: Segment[],
  ) {
    this.segments = segments;
    for (const s of segments) for (const e of s.entries) this.producers.record(entryAsBatch(e), e.baseOffset);
  }

  static open(dir: string, config: LogConfig, syncer: Syncer, warn: (msg: string) => void): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const bases = fs
      .readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    const segments = bases.map((b) => Segment.open(dir, b, warn));
    if (segments.length === 0) segments.push(Segment.create(dir, 0));
    return new PartitionLog(dir, config, syncer, segments);
  }

  get logStartOffset(): number {
    return this.segments[0].baseOffset;
  }

  /** The next offset to be assigned; with one replica it is also the high watermark. */
  get nextOffset(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /** Assigns offsets to validated batches, rewriting only their base offset, and writes them. */
  append(batch: Buffer): number {
    const baseOffset = this.nextOffset;
    batch.writeBigInt64BE(BigInt(baseOffset), BATCH.BASE_OFFSET);
    batch.writeInt32BE(0, BATCH.LEADER_EPOCH);
    if (this.active.size > 0 && this.active.size + batch.length > this.config.segmentBytes) this.roll();
    const entry = this.active.append(batch);
    this.syncer.markDirty(this.active.logFd);
    this.producers.record(entryAsBatch(entry), baseOffset);
    for (const wake of [...this.listeners]) wake();
    return baseOffset;
  }

  /** Called after every append until the returned function unsubscribes (long-polling fetches). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whole batches from the one containing `offset`, up to maxBytes (at least one batch). */
  read(offset: number, maxBytes: number): ReadResult {
    const found = this.locate(offset);
    if (!found) return { buffers: [], bytes: 0 };
    const { segment, index } = found;
    const first = segment.entries[index];
    let end = index + 1;
    let bytes = first.size;
    while (end < segment.entries.length && bytes + segment.entries[end].size <= maxBytes) {
      bytes += segment.entries[end].size;
      end++;
    }
    return { buffers: [segment.read(first.position, bytes)], bytes };
  }

  /** Bytes stored from `offset` to the end (enough to decide whether a fetch can return). */
  bytesAfter(offset: number, atLeast: number): number {
    const found = this.locate(offset);
    if (!found) return 0;
    let bytes = 0;
    for (let s = this.segments.indexOf(found.segment); s < this.segments.length; s++) {
      const entries = this.segments[s].entries;
      for (let i = s === this.segments.indexOf(found.segment) ? found.index : 0; i < entries.length; i++) {
        bytes += entries[i].size;
        if (bytes >= atLeast) return bytes;
      }
    }
    return bytes;
  }

  /** The earliest offset whose timestamp is at or after `timestamp`, or null when none is. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const segment of this.segments) {
      for (const e of segment.entries) {
        if (e.maxTimestamp >= timestamp) return findRecordByTimestamp(segment.read(e.position, e.size), timestamp);
      }
    }
    return null;
  }

  /**
   * Deletes whole sealed segments beyond the size or age limits (age by the newest record
   * timestamp, as Kafka does). The active segment is never deleted for age: producers may
   * stamp records with old event times, and a small dev topic should not vanish for it.
   */
  applyRetention(now: number): void {
    const { retentionBytes, retentionMs } = this.config;
    const expired = (s: Segment) => retentionMs >= 0 && s.entries.length > 0 && s.lastTimestamp < now - retentionMs;
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0];
      const tooBig = retentionBytes >= 0 && total - oldest.size >= retentionBytes;
      if (!tooBig && !expired(oldest)) break;
      this.syncer.forget(oldest.logFd);
      oldest.delete();
      this.segments.shift();
      total -= oldest.size;
    }
  }

  close(): void {
    for (const s of this.segments) {
      this.syncer.forget(s.logFd);
      s.close();
    }
  }

  /** Closes and removes every file of this partition. */
  destroy(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private roll(): void {
    this.segments.push(Segment.create(this.dir, this.nextOffset));
  }

  private locate(offset: number): { segment: Segment; index: number } | null {
    if (offset >= this.nextOffset || offset < this.logStartOffset) return null;
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    for (let s = lo; s < this.segments.length; s++) {
      const entries = this.segments[s].entries;
      let a = 0;
      let b = entries.length - 1;
      if (b < 0 || entries[b].lastOffset < offset) continue;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (entries[mid].lastOffset >= offset) b = mid;
        else a = mid + 1;
      }
      return { segment: this.segments[s], index: a };
    }
    return null;
  }
}

const entryAsBatch = (e: BatchEntry) => ({
  producerId: e.producerId,
  producerEpoch: e.producerEpoch,
  baseSequence: e.baseSequence,
  recordCount: e.lastOffset - e.baseOffset + 1,
});
