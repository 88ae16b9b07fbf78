import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { ApiHandler, authorized, BrokerContext, RequestContext } from './context';

interface CommitPartition {
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** OffsetCommit v2–v5, with Kafka's group checks (member, generation, rebalance). */
export const offsetCommit: ApiHandler = {
  minVersion: 2,
  maxVersion: 5,
  async handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (v <= 4) r.int64(); // retention_time_ms
    const topics = r.array((r) => ({ name: r.string(), partitions: r.array(readCommit) }));

    const groupError: ErrorCodeValue = !authorized(ctx, req, 'Read', 'group', groupId)
      ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : groupId
        ? ctx.groups.group(groupId).checkCommit(memberId, generation)
        : ErrorCode.INVALID_GROUP_ID;
    const accepted: { topic: string; partition: number; offset: number; metadata: string | null }[] = [];
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const error = groupError !== ErrorCode.NONE
          ? groupError
          : (p.metadata?.length ?? 0) > maxMetadataChars
            ? ErrorCode.OFFSET_METADATA_TOO_LARGE
            : partitionError(ctx, req, t.name, p.partition);
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

/** Kafka's offset.metadata.max.bytes default: a commit's metadata is kept with every offset, so it is bounded. */
const maxMetadataChars = 4096;

function readCommit(r: Reader): CommitPartition {
  return { partition: r.int32(), offset: r.int64(), metadata: r.nullableString() };
}

const partitionError = (ctx: BrokerContext, req: RequestContext, topic: string, partition: number): ErrorCodeValue => {
  if (!authorized(ctx, req, 'Read', 'topic', topic)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  return ctx.topics.partition(topic, partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
};

/** OffsetFetch v1–v5; a partition without a commit answers offset -1. v2+: null topics = all. */
export const offsetFetch: ApiHandler = {
  minVersion: 1,
  maxVersion: 5,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const requested = r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
    const w = new Writer();
    if (v >= 3) w.int32(0);
    // Kafka answers a group the principal may not Describe with the error alone (v2+: no topics).
    if (!authorized(ctx, req, 'Describe', 'group', groupId)) {
      if (v >= 2) return w.array([], () => undefined).int16(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      return w.array(requested ?? [], (w, t) => {
        w.string(t.name).array(t.partitions, (w, p) => w.int32(p).int64(-1).nullableString('').int16(ErrorCode.GROUP_AUTHORIZATION_FAILED));
      });
    }
    const topics =
      requested ??
      [...ctx.offsets.forGroup(groupId)].map(([name, byPartition]) => ({ name, partitions: [...byPartition.keys()] }));

    w.array(topics, (w, t) => {
      w.string(t.name);
      const allowed = authorized(ctx, req, 'Describe', 'topic', t.name);
      w.array(t.partitions, (w, p) => {
        const committed = allowed ? ctx.offsets.get(groupId, t.name, p) : undefined;
        w.int32(p).int64(committed?.offset ?? -1);
        if (v >= 5) w.int32(-1);
        w.nullableString(committed ? committed.metadata : '').int16(allowed ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      });
    });
    if (v >= 2) w.int16(ErrorCode.NONE);
    return w;
  },
};
