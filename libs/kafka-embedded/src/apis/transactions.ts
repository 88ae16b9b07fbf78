import { ErrorCode } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { ApiHandler, BrokerContext } from './context';

// Kafka transactions are out of scope: every transaction API answers UNSUPPORTED_VERSION
// in its own layout (so clients report a Kafka error instead of a broken connection) and
// the broker logs why.

const refuse = (ctx: BrokerContext, api: string) =>
  ctx.logger.warn(`${api} refused: Kafka transactions are not supported by kafka-embedded`);

const perPartition = (w: Writer, topics: { name: string; partitions: number[] }[]) =>
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p).int16(ErrorCode.UNSUPPORTED_VERSION));
  });

export const addPartitionsToTxn: ApiHandler = {
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, _req, r) {
    r.string();
    r.int64();
    r.int16();
    const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
    refuse(ctx, 'AddPartitionsToTxn');
    return perPartition(new Writer().int32(0), topics);
  },
};

export const addOffsetsToTxn: ApiHandler = {
  minVersion: 0,
  maxVersion: 1,
  handle(ctx) {
    refuse(ctx, 'AddOffsetsToTxn');
    return new Writer().int32(0).int16(ErrorCode.UNSUPPORTED_VERSION);
  },
};

export const endTxn: ApiHandler = {
  minVersion: 0,
  maxVersion: 1,
  handle(ctx) {
    refuse(ctx, 'EndTxn');
    return new Writer().int32(0).int16(ErrorCode.UNSUPPORTED_VERSION);
  },
};

export const txnOffsetCommit: ApiHandler = {
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    r.string();
    r.string();
    r.int64();
    r.int16();
    const topics = r.array((r: Reader) => ({
      name: r.string(),
      partitions: r.array((r) => {
        const p = r.int32();
        r.int64();
        if (v >= 2) r.int32();
        r.nullableString();
        return p;
      }),
    }));
    refuse(ctx, 'TxnOffsetCommit');
    return perPartition(new Writer().int32(0), topics);
  },
};
