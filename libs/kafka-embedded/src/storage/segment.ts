import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '../protocol/crc32c';
import { BATCH, readBatchHeader } from '../protocol/record-batch';

/** One stored batch, as the in-memory index keeps it. */
export interface BatchEntry {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly position: number;
  readonly size: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

const INDEX_ENTRY_SIZE = 48;

export const segmentName = (baseOffset: number): string => String(baseOffset).padStart(20, '0');

/**
 * A `.log` file of record batches exactly as produced (base offset rewritten) and a `.index`
 * file with one fixed-size entry per batch. The log is the truth: the index is checked
 * against it on open and rebuilt from the log wherever they disagree.
 */
export class Segment {
  readonly entries: BatchEntry[] = [];
  size = 0;
  private constructor(
    readonly baseOffset: number,
    readonly logPath: string,
    readonly indexPath: string,
    readonly logFd: number,
    readonly indexFd: number,
  ) {}

  static create(dir: string, baseOffset: number): Segment {
    const base = path.join(dir, segmentName(baseOffset));
    const logFd = fs.openSync(`${base}.log`, 'w+');
    const indexFd = fs.openSync(`${base}.index`, 'w+');
    return new Segment(baseOffset, `${base}.log`, `${base}.index`, logFd, indexFd);
  }

  /** Opens an existing segment, dropping a torn or corrupt tail (a write cut short by a crash). */
  static open(dir: string, baseOffset: number, onTruncate: (msg: string) => void): Segment {
    const base = path.join(dir, segmentName(baseOffset));
    const logFd = fs.openSync(`${base}.log`, 'r+');
    const indexFd = fs.openSync(`${base}.index`, fs.existsSync(`${base}.index`) ? 'r+' : 'w+');
    const segment = new Segment(baseOffset, `${base}.log`, `${base}.index`, logFd, indexFd);
    segment.recover(onTruncate);
    return segment;
  }

  get nextOffset(): number {
    const last = this.entries[this.entries.length - 1];
    return last ? last.lastOffset + 1 : this.baseOffset;
  }

  get lastTimestamp(): number {
    let max = -1;
    for (const e of this.entries) max = Math.max(max, e.maxTimestamp);
    return max;
  }

  /** Writes one batch whose base offset is already set; returns its entry. */
  append(batch: Buffer): BatchEntry {
    const h = readBatchHeader(batch);
    const entry: BatchEntry = {
      baseOffset: h.baseOffset,
      lastOffset: h.baseOffset + h.lastOffsetDelta,
      position: this.size,
      size: batch.length,
      maxTimestamp: h.maxTimestamp,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
    };
    writeFully(this.logFd, batch, this.size);
    fs.writeSync(this.indexFd, encodeEntry(entry), 0, INDEX_ENTRY_SIZE, this.entries.length * INDEX_ENTRY_SIZE);
    this.size += batch.length;
    this.entries.push(entry);
    return entry;
  }

  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.logFd, buf, done, length - done, position + done);
      if (n === 0) return buf.subarray(0, done);
      done += n;
    }
    return buf;
  }

  close(): void {
    fs.closeSync(this.logFd);
    fs.closeSync(this.indexFd);
  }

  delete(): void {
    this.close();
    fs.rmSync(this.logPath, { force: true });
    fs.rmSync(this.indexPath, { force: true });
  }

  private recover(onTruncate: (msg: string) => void): void {
    const logSize = fs.fstatSync(this.logFd).size;
    this.loadIndex(logSize);
    const indexed = this.entries.length;
    this.scanLog(logSize);
    if (this.size < logSize) {
      onTruncate(`${this.logPath}: dropped ${logSize - this.size} bytes of torn or corrupt tail`);
      fs.ftruncateSync(this.logFd, this.size);
    }
    for (let i = indexed; i < this.entries.length; i++) {
      fs.writeSync(this.indexFd, encodeEntry(this.entries[i]), 0, INDEX_ENTRY_SIZE, i * INDEX_ENTRY_SIZE);
    }
    fs.ftruncateSync(this.indexFd, this.entries.length * INDEX_ENTRY_SIZE);
  }

  /** Trusts index entries only while they chain exactly and stay inside the log. */
  private loadIndex(logSize: number): void {
    const indexSize = fs.fstatSync(this.indexFd).size;
    const count = Math.floor(indexSize / INDEX_ENTRY_SIZE);
    if (count === 0) return;
    const raw = Buffer.allocUnsafe(count * INDEX_ENTRY_SIZE);
    fs.readSync(this.indexFd, raw, 0, raw.length, 0);
    let expected = this.baseOffset;
    for (let i = 0; i < count; i++) {
      const e = decodeEntry(raw, i * INDEX_ENTRY_SIZE);
      if (e.position !== this.size || e.baseOffset !== expected || e.position + e.size > logSize) break;
      if (e.lastOffset < e.baseOffset) break;
      this.entries.push(e);
      this.size += e.size;
      expected = e.lastOffset + 1;
    }
    // The last indexed batch may point at bytes the crash never wrote: re-verify it from the log.
    const last = this.entries[this.entries.length - 1];
    if (last && !this.batchIsIntact(last.position, last.size)) {
      this.entries.pop();
      this.size = last.position;
    }
  }

  private scanLog(logSize: number): void {
    const header = Buffer.allocUnsafe(BATCH.HEADER_SIZE);
    while (this.size + BATCH.HEADER_SIZE <= logSize) {
      fs.readSync(this.logFd, header, 0, BATCH.HEADER_SIZE, this.size);
      const size = header.readInt32BE(BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
      if (size < BATCH.HEADER_SIZE || this.size + size > logSize) return;
      const h = readBatchHeader(header);
      if (h.baseOffset !== this.nextOffset || !this.batchIsIntact(this.size, size)) return;
      this.entries.push({
        baseOffset: h.baseOffset,
        lastOffset: h.baseOffset + h.lastOffsetDelta,
        position: this.size,
        size,
        maxTimestamp: h.maxTimestamp,
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        baseSequence: h.baseSequence,
      });
      this.size += size;
    }
  }

  private batchIsIntact(position: number, size: number): boolean {
    const batch = this.read(position, size);
    if (batch.length !== size || batch[BATCH.MAGIC] !== 2) return false;
    return crc32c(batch, BATCH.ATTRIBUTES) === batch.readUInt32BE(BATCH.CRC);
  }
}

function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

function encodeEntry(e: BatchEntry): Buffer {
  const b = Buffer.alloc(INDEX_ENTRY_SIZE);
  b.writeBigInt64BE(BigInt(e.baseOffset), 0);
  b.writeInt32BE(e.lastOffset - e.baseOffset, 8);
  b.writeInt32BE(e.position, 12);
  b.writeInt32BE(e.size, 16);
  b.writeBigInt64BE(BigInt(e.maxTimestamp), 20);
  b.writeBigInt64BE(BigInt(e.producerId), 28);
  b.writeInt16BE(e.producerEpoch, 36);
  b.writeInt32BE(e.baseSequence, 38);
  return b;
}

function decodeEntry(b: Buffer, at: number): BatchEntry {
  const baseOffset = Number(b.readBigInt64BE(at));
  return {
    baseOffset,
    lastOffset: baseOffset + b.readInt32BE(at + 8),
    position: b.readInt32BE(at + 12),
    size: b.readInt32BE(at + 16),
    maxTimestamp: Number(b.readBigInt64BE(at + 20)),
    producerId: Number(b.readBigInt64BE(at + 28)),
    producerEpoch: b.readInt16BE(at + 36),
    baseSequence: b.readInt32BE(at + 38),
  };
}
