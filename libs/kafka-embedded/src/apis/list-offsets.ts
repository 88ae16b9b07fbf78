import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import { ApiHandler, authorized, BrokerContext } from './context';

const LATEST = -1;
const EARLIEST = -2;

interface OffsetAnswer {
  readonly partition: number;
  readonly error: ErrorCodeValue;
  readonly timestamp: number;
  readonly offset: number;
}

/** ListOffsets v1–v3: latest (-1), earliest (-2), or the first record at or after a timestamp. */
export const listOffsets: ApiHandler = {
  minVersion: 1,
  maxVersion: 3,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    r.int32(); // replica_id
    if (v >= 2) r.int8(); // isolation_level
    const topics = r.array((r) => {
      const name = r.string();
      const allowed = authorized(ctx, req, 'Describe', 'topic', name);
      const partitions = r.array((r) => {
        const partition = r.int32();
        const timestamp = r.int64();
        return allowed ? lookup(ctx, name, partition, timestamp) : { partition, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED, timestamp: -1, offset: -1 };
      });
      return { name, partitions };
    });
    const w = new Writer();
    if (v >= 2) w.int32(0);
    return w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int16(p.error).int64(p.timestamp).int64(p.offset);
      });
    });
  },
};

function lookup(ctx: BrokerContext, topic: string, partition: number, timestamp: number): OffsetAnswer {
  const log = ctx.topics.partition(topic, partition);
  if (!log) return { partition, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
  if (timestamp === LATEST) return { partition, error: ErrorCode.NONE, timestamp: -1, offset: log.nextOffset };
  if (timestamp === EARLIEST) return { partition, error: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
  const found = log.offsetForTimestamp(timestamp);
  return { partition, error: ErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
}
