import { ErrorCode, ErrorCodeValue } from '../protocol/errors';

/** What one idempotent producer last wrote to one partition: enough to spot retries. */
interface ProducerEntry {
  epoch: number;
  /** the last few batches, oldest first, as Kafka keeps them (max.in.flight ≤ 5) */
  batches: { firstSeq: number; lastSeq: number; baseOffset: number }[];
}

export interface IdempotentBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

export type SequenceCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly baseOffset: number }
  | { readonly kind: 'reject'; readonly error: ErrorCodeValue };

const KEPT_BATCHES = 5;
const MAX_SEQ = 0x7fffffff;

const lastSequence = (first: number, count: number): number => (first + count - 1) % (MAX_SEQ + 1);
const nextSequence = (seq: number): number => (seq === MAX_SEQ ? 0 : seq + 1);

/**
 * Per-partition producer state for the idempotent producer. It is rebuilt from the batch
 * headers of the log on open, so it is exactly as durable as the records themselves.
 */
export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  check(batch: IdempotentBatch): SequenceCheck {
    if (batch.producerId < 0) return { kind: 'append' };
    const entry = this.producers.get(batch.producerId);
    if (!entry || batch.producerEpoch > entry.epoch) {
      return batch.baseSequence === 0
        ? { kind: 'append' }
        : { kind: 'reject', error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    if (batch.producerEpoch < entry.epoch) return { kind: 'reject', error: ErrorCode.INVALID_PRODUCER_EPOCH };
    const last = lastSequence(batch.baseSequence, batch.recordCount);
    const same = entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === last);
    if (same) return { kind: 'duplicate', baseOffset: same.baseOffset };
    const newest = entry.batches[entry.batches.length - 1];
    if (newest && batch.baseSequence !== nextSequence(newest.lastSeq)) {
      return { kind: 'reject', error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    return { kind: 'append' };
  }

  record(batch: IdempotentBatch, baseOffset: number): void {
    if (batch.producerId < 0) return;
    let entry = this.producers.get(batch.producerId);
    if (!entry || batch.producerEpoch !== entry.epoch) {
      entry = { epoch: batch.producerEpoch, batches: [] };
      this.producers.set(batch.producerId, entry);
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: lastSequence(batch.baseSequence, batch.recordCount),
      baseOffset,
    });
    if (entry.batches.length > KEPT_BATCHES) entry.batches.shift();
  }

  highestProducerId(): number {
    let max = -1;
    for (const id of this.producers.keys()) max = Math.max(max, id);
    return max;
  }
}
