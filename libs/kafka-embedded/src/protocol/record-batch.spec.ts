import { crc32c } from './crc32c';
import { ErrorCode } from './errors';
import { BATCH, findRecordByTimestamp, readBatchHeader, readVarint, splitProducedBatches } from './record-batch';

/* eslint-disable @typescript-eslint/no-require-imports */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
/* eslint-enable @typescript-eslint/no-require-imports */

async function batch(values: string[], timestamps: number[] = values.map(() => 1_000)): Promise<Buffer> {
  const encoded = await RecordBatch({
    firstTimestamp: timestamps[0],
    maxTimestamp: Math.max(...timestamps),
    lastOffsetDelta: values.length - 1,
    records: values.map((value, i) => Record({ offsetDelta: i, timestampDelta: timestamps[i] - timestamps[0], value })),
  });
  return Buffer.from(encoded.buffer);
}

describe('produced record batches', () => {
  it('are split into their batches when the CRC of each matches', async () => {
    const one = await batch(['a', 'b']);
    const two = await batch(['c']);
    const split = splitProducedBatches(Buffer.concat([one, two]));
    expect(split).toEqual({ ok: true, batches: [one, two] });
  });

  it('are refused as CORRUPT_MESSAGE when a byte inside the CRC range changed', async () => {
    const bad = await batch(['a']);
    bad[bad.length - 1] ^= 1;
    expect(splitProducedBatches(bad)).toMatchObject({ ok: false, error: ErrorCode.CORRUPT_MESSAGE });
  });

  it('keep their CRC when the base offset is rewritten', async () => {
    const b = await batch(['a']);
    b.writeBigInt64BE(1234n, 0);
    expect(splitProducedBatches(b)).toMatchObject({ ok: true });
    expect(readBatchHeader(b).baseOffset).toBe(1234);
  });

  it('are refused when truncated or announcing more bytes than sent', async () => {
    const b = await batch(['a', 'b', 'c']);
    expect(splitProducedBatches(b.subarray(0, 40))).toMatchObject({ ok: false, error: ErrorCode.CORRUPT_MESSAGE });
    expect(splitProducedBatches(b.subarray(0, b.length - 1))).toMatchObject({ ok: false, error: ErrorCode.CORRUPT_MESSAGE });
    expect(splitProducedBatches(Buffer.alloc(0))).toMatchObject({ ok: false, error: ErrorCode.INVALID_RECORD });
  });

  it("are refused as INVALID_RECORD when their record count is not lastOffsetDelta + 1, or none, as Kafka's LogValidator does", async () => {
    const withCount = async (values: string[], count: number) => {
      const b = await batch(values);
      b.writeInt32BE(count, BATCH.RECORD_COUNT);
      b.writeUInt32BE(crc32c(b, BATCH.ATTRIBUTES), BATCH.CRC); // a well-formed batch otherwise
      return b;
    };
    expect(splitProducedBatches(await withCount(['a', 'b'], 1))).toMatchObject({ ok: false, error: ErrorCode.INVALID_RECORD });
    expect(splitProducedBatches(await withCount(['a'], 0))).toMatchObject({ ok: false, error: ErrorCode.INVALID_RECORD });
    expect(splitProducedBatches(await withCount(['a', 'b'], 2))).toMatchObject({ ok: true });
  });

  it('with an old magic byte are refused as an unsupported version', async () => {
    const b = await batch(['a']);
    b[16] = 1;
    expect(splitProducedBatches(b)).toMatchObject({ ok: false, error: ErrorCode.UNSUPPORTED_VERSION });
  });
});

describe('finding a record by timestamp', () => {
  it('answers the first record at or after the timestamp inside an uncompressed batch', async () => {
    const b = await batch(['a', 'b', 'c'], [1000, 2000, 3000]);
    b.writeBigInt64BE(10n, 0);
    expect(findRecordByTimestamp(b, 1500)).toEqual({ offset: 11, timestamp: 2000 });
    expect(findRecordByTimestamp(b, 3000)).toEqual({ offset: 12, timestamp: 3000 });
  });

  it('stops at a record whose length is not positive, instead of reading the same bytes again as more records', async () => {
    // A record of length 0 (or -1, which stood still up to 2^31 times: a minute with the broker frozen)
    // made the walk read its own bytes again as the next records, and here find one at 1010 that no one sent.
    const header = (await batch(['a'], [1000])).subarray(0, BATCH.HEADER_SIZE);
    const b = Buffer.concat([header, Buffer.from([0x00, 0x00, 0x00, 0x00, 0x14, 0x02])]);
    b.writeInt32BE(3, BATCH.RECORD_COUNT);
    const { baseOffset, maxTimestamp } = readBatchHeader(b);
    expect(findRecordByTimestamp(b, 1005)).toEqual({ offset: baseOffset, timestamp: maxTimestamp });
  });
});

describe('zigzag varints', () => {
  it('decode negative and multi-byte values', () => {
    expect(readVarint(Buffer.from([0x01]), 0)).toEqual({ value: -1, next: 1 });
    expect(readVarint(Buffer.from([0xac, 0x02]), 0)).toEqual({ value: 150, next: 2 });
  });
});
