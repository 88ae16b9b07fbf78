import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { isLegalTopicName, Topic } from '../storage/topic-store';
import { ApiHandler, authorized, BrokerContext, RequestContext, visible } from './context';

interface TopicAnswer {
  readonly name: string;
  readonly error: ErrorCodeValue;
  readonly partitions: number;
}

/** Metadata v0–v6. Unknown topics are created on request when auto-creation is allowed, visible from the next request on. */
export const metadata: ApiHandler = {
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const requested = v === 0 ? emptyAsNull(r.array(readName)) : r.nullableArray(readName);
    const allowAutoCreate = v >= 4 ? r.bool() : true;
    const answers = requested
      ? requested.map((name) => answerFor(ctx, req, name, allowAutoCreate))
      : ctx.topics.all().filter((t) => visible(ctx, req, 'topic', t.name)).map((t) => present(t));

    const w = new Writer();
    if (v >= 3) w.int32(0);
    w.array([ctx.nodeId], (w, id) => {
      w.int32(id).string(ctx.advertisedHost).int32(ctx.advertisedPort);
      if (v >= 1) w.nullableString(null);
    });
    if (v >= 2) w.nullableString(ctx.clusterId);
    if (v >= 1) w.int32(ctx.nodeId);
    w.array(answers, (w, t) => {
      w.int16(t.error).string(t.name);
      if (v >= 1) w.bool(false);
      w.array(range(t.partitions), (w, p) => {
        w.int16(ErrorCode.NONE).int32(p).int32(ctx.nodeId);
        w.array([ctx.nodeId], (w, id) => w.int32(id));
        w.array([ctx.nodeId], (w, id) => w.int32(id));
        if (v >= 5) w.array([], () => undefined);
      });
    });
    return w;
  },
};

const readName = (r: Reader) => r.string();
const emptyAsNull = (names: string[]) => (names.length === 0 ? null : names);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const present = (t: Topic): TopicAnswer => ({ name: t.name, error: ErrorCode.NONE, partitions: t.partitions.length });

function answerFor(ctx: BrokerContext, req: RequestContext, name: string, allowAutoCreate: boolean): TopicAnswer {
  if (!authorized(ctx, req, 'Describe', 'topic', name)) return { name, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partitions: 0 };
  const existing = ctx.topics.get(name);
  if (existing) return present(existing);
  if (!isLegalTopicName(name)) return { name, error: ErrorCode.INVALID_TOPIC_EXCEPTION, partitions: 0 };
  if (!allowAutoCreate || !ctx.autoCreateTopics) return { name, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: 0 };
  if (!authorized(ctx, req, 'Create', 'cluster') && !authorized(ctx, req, 'Create', 'topic', name)) {
    return { name, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partitions: 0 };
  }
  ctx.logger.info('auto-creating topic', { topic: name, partitions: ctx.defaultPartitions });
  ctx.topics.create(name, ctx.defaultPartitions);
  // Kafka (KRaft) creates the topic through its controller and answers this request before the
  // topic exists; the client sees it on its next Metadata request. Answering the same way keeps
  // code that only works against a synchronous creation from passing here and failing there.
  return { name, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: 0 };
}
