import { BrokerLogger } from './logger';
import { AclBinding } from './security/acl';
import { FsyncPolicy } from './storage/syncer';

export interface BrokerOptions {
  /** directory holding topics, committed offsets and producer ids (created if missing) */
  dataDir: string;
  /** 0 = a random free port; default 9092 */
  port?: number;
  /** interface to listen on and the host advertised in Metadata; default '127.0.0.1' */
  host?: string;
  /** default 1; also reported as the controller id */
  nodeId?: number;
  /** partitions of auto-created topics and of CreateTopics with num_partitions -1; default 3 */
  defaultPartitions?: number;
  /** create unknown topics when Metadata asks for them; default true */
  autoCreateTopics?: boolean;
  /** wait before completing the first rebalance of an empty group; default 3000 like Kafka, tests pass 0 */
  initialRebalanceDelayMs?: number;
  /** Kafka's group.min.session.timeout.ms (6000) and group.max.session.timeout.ms (1800000): joins outside get INVALID_SESSION_TIMEOUT */
  groupMinSessionTimeoutMs?: number;
  groupMaxSessionTimeoutMs?: number;
  /**
   * When writes reach the disk. Every acknowledged write is in the OS page cache before its
   * ack, so killing the broker process (even kill -9) never loses it under any policy.
   * - 'always': acks (produce and offset commit) also wait for fdatasync, grouped across
   *   concurrent requests: acknowledged writes survive an OS crash or power loss too.
   * - 'interval' (default): fdatasync once a second; an OS crash can lose up to a second.
   * - 'never': leave flushing to the OS (Kafka's own default).
   */
  fsync?: FsyncPolicy;
  /** per-partition size above which the oldest segments are deleted; default unlimited */
  retentionBytes?: number;
  /** age (by the newest record timestamp) after which sealed segments are deleted; default 7 days like Kafka, -1 = forever */
  retentionMs?: number;
  logger?: BrokerLogger;
  /**
   * SASL/SCRAM-SHA-512, and ACLs, like a Kafka SASL_PLAINTEXT listener with the
   * StandardAuthorizer: clients must authenticate as one of `users` (name -> password); with
   * `acls`, a request is refused (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED) unless a binding
   * allows it or its user is a super user. Unset: a PLAINTEXT listener where anyone may do anything.
   */
  security?: BrokerSecurity;
}

export interface BrokerSecurity {
  readonly users: Readonly<Record<string, string>>;
  readonly acls?: readonly AclBinding[];
  readonly superUsers?: readonly string[];
}

export interface ResolvedOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly nodeId: number;
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  readonly initialRebalanceDelayMs: number;
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly fsync: FsyncPolicy;
  readonly retentionBytes: number;
  readonly retentionMs: number;
  readonly logger: BrokerLogger;
  readonly security: BrokerSecurity | null;
}

export const SEGMENT_BYTES = 64 * 1024 * 1024;
export const MAX_FRAME_BYTES = 100 * 1024 * 1024; // Kafka's socket.request.max.bytes
export const RETENTION_CHECK_MS = 60_000;
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

export function resolveOptions(o: BrokerOptions, fallbackLogger: BrokerLogger): ResolvedOptions {
  if (!o.dataDir) throw new Error('kafka-embedded: dataDir is required');
  const resolved: ResolvedOptions = {
    dataDir: o.dataDir,
    port: o.port ?? 9092,
    host: o.host ?? '127.0.0.1',
    nodeId: o.nodeId ?? 1,
    defaultPartitions: o.defaultPartitions ?? 3,
    autoCreateTopics: o.autoCreateTopics ?? true,
    initialRebalanceDelayMs: o.initialRebalanceDelayMs ?? 3000,
    groupMinSessionTimeoutMs: o.groupMinSessionTimeoutMs ?? 6000,
    groupMaxSessionTimeoutMs: o.groupMaxSessionTimeoutMs ?? 1_800_000,
    fsync: o.fsync ?? 'interval',
    retentionBytes: o.retentionBytes ?? -1,
    retentionMs: o.retentionMs ?? SEVEN_DAYS_MS,
    logger: o.logger ?? fallbackLogger,
    security: o.security ?? null,
  };
  if (!['always', 'interval', 'never'].includes(resolved.fsync)) throw new Error(`kafka-embedded: unknown fsync policy '${resolved.fsync}'`);
  if (!Number.isInteger(resolved.defaultPartitions) || resolved.defaultPartitions < 1) {
    throw new Error('kafka-embedded: defaultPartitions must be a positive integer');
  }
  return resolved;
}
