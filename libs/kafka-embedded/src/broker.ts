import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { BrokerContext } from './apis/context';
import { GroupCoordinator } from './groups/coordinator';
import { consoleLogger } from './logger';
import { BrokerMetrics, MetricsRegistry } from './metrics';
import { KafkaServer } from './network/server';
import { BrokerOptions, MAX_FRAME_BYTES, resolveOptions, RETENTION_CHECK_MS, SEGMENT_BYTES } from './options';
import { OffsetStore } from './storage/offset-store';
import { ProducerIdAllocator } from './storage/producer-ids';
import { Syncer } from './storage/syncer';
import { TopicStore } from './storage/topic-store';

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** "host:port", ready for a client's `brokers` list */
  readonly address: string;
  stop(): Promise<void>;
  metrics(): BrokerMetrics;
}

/** Opens (or recovers) the data directory and starts listening. */
export async function startBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const o = resolveOptions(options, consoleLogger);
  const { logger } = o;
  fs.mkdirSync(o.dataDir, { recursive: true });
  const syncer = new Syncer(o.fsync, (err) => logger.error('fsync failed', { error: err.message }));
  const warn = (msg: string) => logger.warn(msg);
  const topics = new TopicStore(o.dataDir, { segmentBytes: SEGMENT_BYTES, retentionBytes: o.retentionBytes, retentionMs: o.retentionMs }, syncer, warn);
  const offsets = new OffsetStore(o.dataDir, syncer);
  const highestProducerId = Math.max(-1, ...topics.all().flatMap((t) => t.partitions.map((p) => p.producers.highestProducerId())));
  const metrics = new MetricsRegistry();
  const stopping = new AbortController();
  const groups = new GroupCoordinator(o.initialRebalanceDelayMs, {
    rebalanceStarted: (group, reason) => logger.info('group rebalancing', { group, reason }),
    rebalanceCompleted: (group, generation, members) => {
      metrics.rebalances++;
      logger.info('group rebalanced', { group, generation, members });
    },
    memberRemoved: (group, memberId, reason) => logger.info('group member removed', { group, memberId, reason }),
  });

  const ctx: BrokerContext = {
    nodeId: o.nodeId,
    advertisedHost: o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host,
    advertisedPort: o.port,
    clusterId: readClusterId(o.dataDir),
    defaultPartitions: o.defaultPartitions,
    autoCreateTopics: o.autoCreateTopics,
    topics,
    offsets,
    groups,
    producerIds: new ProducerIdAllocator(o.dataDir, highestProducerId),
    syncer,
    metrics,
    logger,
    stopping: stopping,
  };
  const server = new KafkaServer(ctx, MAX_FRAME_BYTES);
  let port: number;
  try {
    port = await server.listen(o.port, o.host);
  } catch (err) {
    topics.close();
    offsets.close();
    await syncer.close();
    throw err;
  }
  (ctx as { advertisedPort: number }).advertisedPort = port;
  const retention = setInterval(() => topics.applyRetention(Date.now()), RETENTION_CHECK_MS);
  retention.unref();
  topics.applyRetention(Date.now());
  logger.info('kafka-embedded broker started', { address: `${ctx.advertisedHost}:${port}`, dataDir: o.dataDir, fsync: o.fsync });

  let stopped: Promise<void> | null = null;
  return {
    host: ctx.advertisedHost,
    port,
    address: `${ctx.advertisedHost}:${port}`,
    metrics: () => metrics.snapshot(),
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(retention);
        stopping.abort();
        groups.shutdown();
        await server.close();
        await syncer.close();
        topics.close();
        offsets.close();
        logger.info('kafka-embedded broker stopped', { address: `${ctx.advertisedHost}:${port}` });
      })()),
  };
}

/** A stable cluster id per data directory, as Kafka keeps in meta.properties. */
function readClusterId(dataDir: string): string {
  const file = path.join(dataDir, 'cluster-id');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const id = randomUUID().replace(/-/g, '').slice(0, 22);
  fs.writeFileSync(file, id);
  return id;
}
