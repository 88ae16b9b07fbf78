import { crc32c } from './crc32c';
import { ErrorCode, ErrorCodeValue } from './errors';

/** Byte offsets inside a magic-v2 record batch (see kafka-wire-notes §2). */
export const BATCH = {
  BASE_OFFSET: 0,
  LENGTH: 8,
  LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  HEADER_SIZE: 61,
  /** bytes before batchLength starts counting */
  LOG_OVERHEAD: 12,
} as const;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export interface BatchHeader {
  readonly baseOffset: number;
  readonly size: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(at + BATCH.BASE_OFFSET)),
    size: buf.readInt32BE(at + BATCH.LENGTH) + BATCH.LOG_OVERHEAD,
    attributes: buf.readInt16BE(at + BATCH.ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(at + BATCH.LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(at + BATCH.BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(at + BATCH.MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(at + BATCH.PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(at + BATCH.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + BATCH.BASE_SEQUENCE),
    recordCount: buf.readInt32BE(at + BATCH.RECORD_COUNT),
  };
}

export type SplitResult =
  | { readonly ok: true; readonly batches: Buffer[] }
  | { readonly ok: false; readonly error: ErrorCodeValue; readonly reason: string };

/**
 * Splits a produced records field into its batches and checks each one: magic 2, a length
 * that matches, a sane record count and the CRC-32C over attributes..end.
 */
export function splitProducedBatches(records: Buffer): SplitResult {
  const batches: Buffer[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < BATCH.HEADER_SIZE) return corrupt('truncated batch header');
    const size = records.readInt32BE(at + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_SIZE || at + size > records.length) return corrupt('batch length out of bounds');
    if (records[at + BATCH.MAGIC] !== 2) {
      return { ok: false, error: ErrorCode.UNSUPPORTED_VERSION, reason: `magic ${records[at + BATCH.MAGIC]} not supported` };
    }
    const batch = records.subarray(at, at + size);
    if (crc32c(batch, BATCH.ATTRIBUTES) !== batch.readUInt32BE(BATCH.CRC)) return corrupt('CRC-32C mismatch');
    const lastOffsetDelta = batch.readInt32BE(BATCH.LAST_OFFSET_DELTA);
    const count = batch.readInt32BE(BATCH.RECORD_COUNT);
    // As Kafka's LogValidator: a produced batch holds exactly lastOffsetDelta + 1 records, at least one.
    if (count <= 0 || count !== lastOffsetDelta + 1) {
      return { ok: false, error: ErrorCode.INVALID_RECORD, reason: 'inconsistent record count' };
    }
    batches.push(batch);
    at += size;
  }
  if (batches.length === 0) return { ok: false, error: ErrorCode.INVALID_RECORD, reason: 'no record batch' };
  return { ok: true, batches };
}

const corrupt = (reason: string): SplitResult => ({ ok: false, error: ErrorCode.CORRUPT_MESSAGE, reason });

/**
 * The offset and timestamp of the first record at or after `timestamp` in an uncompressed
 * batch; compressed batches answer with their base offset (the client skips earlier records).
 */
export function findRecordByTimestamp(batch: Buffer, timestamp: number): { offset: number; timestamp: number } {
  const header = readBatchHeader(batch);
  const fallback = { offset: header.baseOffset, timestamp: header.maxTimestamp };
  if ((header.attributes & ATTR_COMPRESSION_MASK) !== 0) return fallback;
  try {
    let at = BATCH.HEADER_SIZE;
    for (let i = 0; i < header.recordCount; i++) {
      const length = readVarint(batch, at);
      const bodyStart = length.next;
      let p = bodyStart + 1; // attributes
      const tsDelta = readVarint(batch, p);
      p = tsDelta.next;
      const offsetDelta = readVarint(batch, p);
      const recordTs = header.baseTimestamp + tsDelta.value;
      if (recordTs >= timestamp) return { offset: header.baseOffset + offsetDelta.value, timestamp: recordTs };
      // A record of no positive length, or one running past its batch, ends the walk: a batch whose
      // count claims more records than its bytes hold would otherwise spin up to 2^31 times.
      if (length.value <= 0 || bodyStart + length.value > batch.length) return fallback;
      at = bodyStart + length.value;
    }
  } catch {
    return fallback;
  }
  return fallback;
}

/** Zigzag varint as used inside records (values here fit in 2^53). */
export function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let raw = 0;
  let shift = 0;
  for (;;) {
    if (at >= buf.length) throw new RangeError('varint past end');
    const byte = buf[at++];
    raw += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 63) throw new RangeError('varint too long');
  }
  const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  return { value, next: at };
}
