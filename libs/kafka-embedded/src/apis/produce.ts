import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { readBatchHeader, splitProducedBatches } from '../protocol/record-batch';
import { Writer } from '../protocol/writer';
import { PartitionLog } from '../storage/partition-log';
import { ApiHandler, authorized, BrokerContext } from './context';

interface PartitionResult {
  readonly partition: number;
  readonly error: ErrorCodeValue;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

/**
 * Produce v3–v7 (magic-v2 record batches). Batches are checked (CRC-32C, idempotent
 * sequence) and written as received with only the base offset rewritten; the answer waits
 * for the fsync policy; acks=0 gets no answer at all.
 */
export const produce: ApiHandler = {
  minVersion: 3,
  maxVersion: 7,
  async handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const transactionalId = r.nullableString();
    const acks = r.int16();
    r.int32(); // timeout_ms: appends are local and immediate
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), records: r.nullableBytes() })),
    }));

    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): PartitionResult => {
        if (!authorized(ctx, req, 'Write', 'topic', t.name)) return failed(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        if (acks !== 0 && acks !== 1 && acks !== -1) return failed(p.partition, ErrorCode.INVALID_REQUIRED_ACKS);
        if (transactionalId !== null) {
          ctx.logger.warn('transactional produce refused: Kafka transactions are not supported', { transactionalId });
          return failed(p.partition, ErrorCode.UNSUPPORTED_VERSION);
        }
        return appendTo(ctx, t.name, p.partition, p.records);
      }),
    }));
    if (acks === 0) return null;
    await ctx.syncer.durable();

    const w = new Writer();
    w.array(results, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int16(p.error).int64(p.baseOffset).int64(-1);
        if (v >= 5) w.int64(p.logStartOffset);
      });
    });
    return w.int32(0);
  },
};

const failed = (partition: number, error: ErrorCodeValue): PartitionResult => ({ partition, error, baseOffset: -1, logStartOffset: -1 });

function appendTo(ctx: BrokerContext, topic: string, partition: number, records: Buffer | null): PartitionResult {
  const log = ctx.topics.partition(topic, partition);
  if (!log) return failed(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const split = splitProducedBatches(records ?? Buffer.alloc(0));
  if (!split.ok) {
    ctx.logger.warn('produce refused', { topic, partition, reason: split.reason, error: split.error });
    return failed(partition, split.error);
  }
  let firstOffset = -1;
  for (const batch of split.batches) {
    const outcome = appendBatch(log, batch);
    if (typeof outcome !== 'number') {
      ctx.logger.warn('produce refused', { topic, partition, reason: outcome.reason, error: outcome.error });
      return failed(partition, outcome.error);
    }
    if (firstOffset < 0) firstOffset = outcome;
  }
  return { partition, error: ErrorCode.NONE, baseOffset: firstOffset, logStartOffset: log.logStartOffset };
}

/** Returns the batch's base offset: a new one, or the original one of a retried batch. */
function appendBatch(log: PartitionLog, batch: Buffer): number | { error: ErrorCodeValue; reason: string } {
  const h = readBatchHeader(batch);
  if (h.attributes & 0x10) return { error: ErrorCode.UNSUPPORTED_VERSION, reason: 'transactional batches are not supported' };
  const check = log.producers.check({
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    recordCount: h.lastOffsetDelta + 1,
  });
  if (check.kind === 'duplicate') return check.baseOffset;
  if (check.kind === 'reject') {
    return { error: check.error, reason: `producer ${h.producerId} epoch ${h.producerEpoch} sequence ${h.baseSequence}` };
  }
  return log.append(batch);
}
