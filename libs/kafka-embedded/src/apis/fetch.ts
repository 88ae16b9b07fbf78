import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { ApiHandler, authorized, BrokerContext } from './context';

interface FetchPartition {
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

interface FetchTopic {
  readonly name: string;
  readonly partitions: FetchPartition[];
}

interface FetchRequest {
  /** topics this principal may not Read: answered TOPIC_AUTHORIZATION_FAILED at once */
  readonly denied: ReadonlySet<string>;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly topics: FetchTopic[];
}

/**
 * Fetch v4–v11. Whole stored batches are returned (never a partial one); when fewer than
 * min_bytes are available the request waits until a produce lands or max_wait_ms passes.
 */
export const fetch: ApiHandler = {
  minVersion: 4,
  maxVersion: 11,
  async handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const parsed = readFetch(r, v);
    const request = { ...parsed, denied: new Set(parsed.topics.filter((t) => !authorized(ctx, req, 'Read', 'topic', t.name)).map((t) => t.name)) };
    if (request.maxWaitMs > 0 && available(ctx, request) < request.minBytes) await waitForData(ctx, request);
    return respond(ctx, request, v);
  },
};

function readFetch(r: Reader, v: number): Omit<FetchRequest, 'denied'> {
  r.int32(); // replica_id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation_level: no transactions, so every offset below the end is stable
  if (v >= 7) {
    r.int32(); // session_id: sessions are not kept, every fetch is a full one
    r.int32(); // session_epoch
  }
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const partition = r.int32();
      if (v >= 9) r.int32(); // current_leader_epoch
      const fetchOffset = r.int64();
      if (v >= 5) r.int64(); // log_start_offset (followers only)
      return { partition, fetchOffset, maxBytes: r.int32() };
    }),
  }));
  if (v >= 7) r.array((r) => [r.string(), r.array((r) => r.int32())]);
  if (v >= 11) r.string(); // rack_id
  return { maxWaitMs, minBytes, maxBytes, topics };
}

function available(ctx: BrokerContext, req: FetchRequest): number {
  let bytes = 0;
  for (const t of req.topics) {
    if (req.denied.has(t.name)) return Infinity;
    for (const p of t.partitions) {
      const log = ctx.topics.partition(t.name, p.partition);
      if (!log || p.fetchOffset > log.nextOffset || p.fetchOffset < log.logStartOffset) return Infinity; // an error answers at once
      bytes += log.bytesAfter(p.fetchOffset, req.minBytes - bytes);
      if (bytes >= req.minBytes) return bytes;
    }
  }
  return bytes;
}

function waitForData(ctx: BrokerContext, req: FetchRequest): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe: (() => void)[] = [];
    const done = () => {
      clearTimeout(timer);
      for (const u of unsubscribe) u();
      ctx.stopping.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, req.maxWaitMs);
    ctx.stopping.addEventListener('abort', done);
    const recheck = () => {
      if (available(ctx, req) >= req.minBytes) done();
    };
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const log = ctx.topics.partition(t.name, p.partition);
        if (log) unsubscribe.push(log.onAppend(recheck));
      }
    }
  });
}

function respond(ctx: BrokerContext, req: FetchRequest, v: number): Writer {
  const w = new Writer().int32(0);
  if (v >= 7) w.int16(ErrorCode.NONE).int32(0);
  let budget = req.maxBytes;
  let sentAny = false;
  w.array(req.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const log = ctx.topics.partition(t.name, p.partition);
      let error: ErrorCodeValue = ErrorCode.NONE;
      let buffers: Buffer[] = [];
      if (req.denied.has(t.name)) error = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      else if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (p.fetchOffset > log.nextOffset || p.fetchOffset < log.logStartOffset) error = ErrorCode.OFFSET_OUT_OF_RANGE;
      else {
        const limit = Math.min(p.maxBytes, budget);
        const read = log.read(p.fetchOffset, limit);
        // Kafka returns the first batch even when it exceeds the limits, so a consumer always progresses.
        if (read.bytes > 0 && (read.bytes <= limit || !sentAny)) {
          buffers = read.buffers;
          budget -= read.bytes;
          sentAny = true;
        }
      }
      const hw = log && error !== ErrorCode.TOPIC_AUTHORIZATION_FAILED ? log.nextOffset : -1;
      w.int32(p.partition).int16(error).int64(hw).int64(hw); // high watermark = last stable offset: no transactions
      if (v >= 5) w.int64(log ? log.logStartOffset : -1);
      w.array([], () => undefined); // aborted_transactions
      if (v >= 11) w.int32(-1); // preferred_read_replica
      w.bufferList(buffers);
    });
  });
  return w;
}
