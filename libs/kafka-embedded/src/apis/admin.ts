import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { isLegalTopicName } from '../storage/topic-store';
import { ApiHandler, authorized, BrokerContext, RequestContext } from './context';

interface CreateTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: number;
}

/** CreateTopics v2–v3 (one node: replication factor 1, or -1 for the default). */
export const createTopics: ApiHandler = {
  minVersion: 2,
  maxVersion: 3,
  handle(ctx, req, r) {
    const topics = r.array(readCreateTopic);
    r.int32(); // timeout_ms
    const validateOnly = r.bool();
    const results = topics.map((t) => ({ name: t.name, ...create(ctx, req, t, validateOnly) }));
    const w = new Writer();
    w.int32(0);
    return w.array(results, (w, t) => w.string(t.name).int16(t.error).nullableString(t.message));
  },
};

function readCreateTopic(r: Reader): CreateTopic {
  const name = r.string();
  const numPartitions = r.int32();
  const replicationFactor = r.int16();
  const assignments = r.array((r) => {
    r.int32();
    return r.array((r) => r.int32());
  }).length;
  r.array((r) => [r.string(), r.nullableString()]); // configs: accepted, not applied
  return { name, numPartitions, replicationFactor, assignments };
}

function create(ctx: BrokerContext, req: RequestContext, t: CreateTopic, validateOnly: boolean): { error: ErrorCodeValue; message: string | null } {
  if (!authorized(ctx, req, 'Create', 'cluster') && !authorized(ctx, req, 'Create', 'topic', t.name)) {
    return { error: ErrorCode.TOPIC_AUTHORIZATION_FAILED, message: 'Authorization failed.' };
  }
  if (!isLegalTopicName(t.name)) return { error: ErrorCode.INVALID_TOPIC_EXCEPTION, message: `illegal topic name '${t.name}'` };
  if (ctx.topics.get(t.name)) return { error: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${t.name}' already exists.` };
  const partitions = t.assignments > 0 ? t.assignments : t.numPartitions === -1 ? ctx.defaultPartitions : t.numPartitions;
  if (partitions <= 0 || partitions > 10_000) return { error: ErrorCode.INVALID_PARTITIONS, message: `invalid partition count ${t.numPartitions}` };
  if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
    return { error: ErrorCode.INVALID_REPLICATION_FACTOR, message: `replication factor ${t.replicationFactor} larger than available brokers: 1` };
  }
  if (!validateOnly) {
    ctx.topics.create(t.name, partitions);
    ctx.logger.info('created topic', { topic: t.name, partitions });
  }
  return { error: ErrorCode.NONE, message: null };
}

/** DeleteTopics v1: removes the topic's files and its committed offsets. */
export const deleteTopics: ApiHandler = {
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, req, r) {
    const names = r.array((r) => r.string());
    r.int32(); // timeout_ms
    const results = names.map((name) => {
      if (!authorized(ctx, req, 'Delete', 'topic', name)) return { name, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      const deleted = ctx.topics.delete(name);
      if (deleted) {
        ctx.offsets.forgetTopic(name);
        ctx.logger.info('deleted topic', { topic: name });
      }
      return { name, error: deleted ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    });
    return new Writer().int32(0).array(results, (w, t) => w.string(t.name).int16(t.error));
  },
};
