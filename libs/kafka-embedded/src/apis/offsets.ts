import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { ApiHandler, BrokerContext } from './context';

interface CommitPartition {
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** OffsetCommit v0–v5, with Kafka's group checks (member, generation, rebalance). */
export const offsetCommit: ApiHandler = {
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const generation = v >= 1 ? r.int32() : -1;
    const memberId = v >= 1 ? r.string() : '';
    if (v >= 2 && v <= 4) r.int64(); // retention_time_ms
    const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => readCommit(r, v)) }));

    const groupError: ErrorCodeValue = groupId ? ctx.groups.group(groupId).checkCommit(memberId, generation) : ErrorCode.INVALID_GROUP_ID;
    const accepted: { topic: string; partition: number; offset: number; metadata: string | null }[] = [];
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const error = groupError !== ErrorCode.NONE ? groupError : partitionError(ctx, t.name, p.partition);
        if (error === ErrorCode.NONE) accepted.push({ topic: t.name, ...p });
        return { partition: p.partition, error };
      }),
    }));
    ctx.offsets.commit(groupId, accepted);
    if (accepted.length > 0) await ctx.syncer.durable();

    const w = new Writer();
    if (v >= 3) w.int32(0);
    return w.array(results, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => w.int32(p.partition).int16(p.error));
    });
  },
};

function readCommit(r: Reader, v: number): CommitPartition {
  const partition = r.int32();
  const offset = r.int64();
  if (v === 1) r.int64(); // commit_timestamp
  return { partition, offset, metadata: r.nullableString() };
}

const partitionError = (ctx: BrokerContext, topic: string, partition: number): ErrorCodeValue =>
  ctx.topics.partition(topic, partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;

/** OffsetFetch v0–v5; a partition without a commit answers offset -1. v2+: null topics = all. */
export const offsetFetch: ApiHandler = {
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const requested = r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
    const topics =
      requested ??
      [...ctx.offsets.forGroup(groupId)].map(([name, byPartition]) => ({ name, partitions: [...byPartition.keys()] }));

    const w = new Writer();
    if (v >= 3) w.int32(0);
    w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        const committed = ctx.offsets.get(groupId, t.name, p);
        w.int32(p).int64(committed?.offset ?? -1);
        if (v >= 5) w.int32(-1);
        w.nullableString(committed ? committed.metadata : '').int16(ErrorCode.NONE);
      });
    });
    if (v >= 2) w.int16(ErrorCode.NONE);
    return w;
  },
};
