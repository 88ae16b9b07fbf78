import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrokerContext } from './apis/context';
import { GroupCoordinator } from './groups/coordinator';
import { consoleLogger } from './logger';
import { BrokerMetrics, MetricsRegistry } from './metrics';
import { KafkaServer } from './network/server';
import { BrokerOptions, MAX_FRAME_BYTES, ResolvedOptions, resolveOptions, RETENTION_CHECK_MS, SEGMENT_BYTES } from './options';
import { Authorizer } from './security/acl';
import { scramCredential } from './security/scram';
import { lockDataDir } from './storage/dir-lock';
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

interface Storage {
  readonly syncer: Syncer;
  readonly topics: TopicStore;
  readonly offsets: OffsetStore;
  readonly producerIds: ProducerIdAllocator;
  close(): Promise<void>;
}

/** Opens (or recovers) the data directory and starts listening. */
export async function startBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const o = resolveOptions(options, consoleLogger);
  fs.mkdirSync(o.dataDir, { recursive: true });
  const unlock = await lockDataDir(o.dataDir);
  let storage: Storage | undefined;
  try {
    storage = openStorage(o);
    const stopping = new AbortController();
    const ctx = createContext(o, storage, stopping.signal);
    const server = new KafkaServer(ctx, MAX_FRAME_BYTES);
    const port = await server.listen(o.port, o.host);
    (ctx as { advertisedPort: number }).advertisedPort = port;
    return running(o, ctx, server, storage, { abort: () => stopping.abort(), unlock });
  } catch (err) {
    await storage?.close();
    await unlock();
    throw err;
  }
}

function openStorage(o: ResolvedOptions): Storage {
  const { logger } = o;
  const syncer = new Syncer(o.fsync, (err) => logger.error('fsync failed', { error: err.message }));
  const config = { segmentBytes: SEGMENT_BYTES, retentionBytes: o.retentionBytes, retentionMs: o.retentionMs };
  const topics = new TopicStore(o.dataDir, config, syncer, (msg) => logger.warn(msg));
  const offsets = new OffsetStore(o.dataDir, syncer);
  const highestProducerId = Math.max(-1, ...topics.all().flatMap((t) => t.partitions.map((p) => p.producers.highestProducerId())));
  return {
    syncer,
    topics,
    offsets,
    producerIds: new ProducerIdAllocator(o.dataDir, highestProducerId),
    async close() {
      await syncer.close();
      topics.close();
      offsets.close();
    },
  };
}

function createContext(o: ResolvedOptions, storage: Storage, stopping: AbortSignal): BrokerContext {
  const { logger } = o;
  const metrics = new MetricsRegistry();
  setMaxListeners(0, stopping); // one listener per parked Fetch
  const settings = {
    initialRebalanceDelayMs: o.initialRebalanceDelayMs,
    minSessionTimeoutMs: o.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: o.groupMaxSessionTimeoutMs,
  };
  const groups = new GroupCoordinator(settings, {
    rebalanceStarted: (group, reason) => logger.info('group rebalancing', { group, reason }),
    rebalanceCompleted: (group, generation, members) => {
      metrics.rebalances++;
      logger.info('group rebalanced', { group, generation, members });
    },
    memberRemoved: (group, memberId, reason) => logger.info('group member removed', { group, memberId, reason }),
  });
  return {
    nodeId: o.nodeId,
    advertisedHost: o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host,
    advertisedPort: o.port,
    clusterId: readClusterId(o.dataDir),
    defaultPartitions: o.defaultPartitions,
    autoCreateTopics: o.autoCreateTopics,
    topics: storage.topics,
    offsets: storage.offsets,
    groups,
    producerIds: storage.producerIds,
    syncer: storage.syncer,
    metrics,
    logger,
    stopping,
    security: securityOf(o, metrics),
  };
}

interface Lifecycle {
  /** wakes every parked request */
  abort(): void;
  unlock(): Promise<void>;
}

function running(o: ResolvedOptions, ctx: BrokerContext, server: KafkaServer, storage: Storage, life: Lifecycle): EmbeddedBroker {
  const address = `${ctx.advertisedHost}:${ctx.advertisedPort}`;
  const retention = setInterval(() => storage.topics.applyRetention(Date.now()), RETENTION_CHECK_MS);
  retention.unref();
  storage.topics.applyRetention(Date.now());
  ctx.logger.info('kafka-embedded broker started', { address, dataDir: o.dataDir, fsync: o.fsync });
  let stopped: Promise<void> | null = null;
  return {
    host: ctx.advertisedHost,
    port: ctx.advertisedPort,
    address,
    metrics: () => ctx.metrics.snapshot(),
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(retention);
        life.abort();
        ctx.groups.shutdown();
        await server.close();
        await storage.close();
        await life.unlock();
        ctx.logger.info('kafka-embedded broker stopped', { address });
      })()),
  };
}

/** SCRAM credentials derived once at start (the passwords are not kept), and the authorizer. */
function securityOf(o: ResolvedOptions, metrics: MetricsRegistry): BrokerContext['security'] {
  if (!o.security) return null;
  const { users, acls, superUsers } = o.security;
  const credentials = new Map(Object.entries(users).map(([name, password]) => [name, scramCredential(password)]));
  const authorizer = acls
    ? new Authorizer(acls, new Set(superUsers ?? []), (denial) => {
        metrics.countDenial(denial);
        o.logger.warn('authorization denied', { ...denial });
      })
    : null;
  return { credentials, authorizer };
}

/** A stable cluster id per data directory, as Kafka keeps in meta.properties. */
function readClusterId(dataDir: string): string {
  const file = path.join(dataDir, 'cluster-id');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const id = randomUUID().replace(/-/g, '').slice(0, 22);
  fs.writeFileSync(file, id);
  return id;
}
