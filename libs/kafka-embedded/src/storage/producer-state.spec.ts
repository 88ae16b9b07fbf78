import { ErrorCode } from '../protocol/errors';
import { ProducerStateTable } from './producer-state';

const batch = (baseSequence: number, recordCount: number, producerEpoch = 0) => ({ producerId: 7, producerEpoch, baseSequence, recordCount });

describe('the idempotent producer state of a partition', () => {
  it('appends a first batch at sequence 0 and the next one in sequence', () => {
    const table = new ProducerStateTable();
    expect(table.check(batch(0, 3))).toEqual({ kind: 'append' });
    table.record(batch(0, 3), 0);
    expect(table.check(batch(3, 1))).toEqual({ kind: 'append' });
  });

  it('answers a retried batch with the offset it was first written at', () => {
    const table = new ProducerStateTable();
    table.record(batch(0, 3), 10);
    table.record(batch(3, 2), 13);
    expect(table.check(batch(0, 3))).toEqual({ kind: 'duplicate', baseOffset: 10 });
    expect(table.check(batch(3, 2))).toEqual({ kind: 'duplicate', baseOffset: 13 });
  });

  it('refuses a gap in the sequence', () => {
    const table = new ProducerStateTable();
    table.record(batch(0, 3), 0);
    expect(table.check(batch(5, 1))).toEqual({ kind: 'reject', error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(new ProducerStateTable().check(batch(4, 1))).toEqual({ kind: 'reject', error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('refuses an older epoch and restarts sequences at a newer one', () => {
    const table = new ProducerStateTable();
    table.record(batch(0, 1, 1), 0);
    expect(table.check(batch(1, 1, 0))).toEqual({ kind: 'reject', error: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(table.check(batch(0, 1, 2))).toEqual({ kind: 'append' });
  });

  it('ignores producers without an id', () => {
    expect(new ProducerStateTable().check({ producerId: -1, producerEpoch: -1, baseSequence: -1, recordCount: 1 })).toEqual({ kind: 'append' });
  });
});
