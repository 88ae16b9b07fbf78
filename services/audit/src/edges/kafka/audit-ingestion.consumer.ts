import { envelopeSchema, type Envelope, type ParseResult } from '@homeline/contracts';
import { InboxConsumer, PoisonMessage, type ConsumedEvent, type ConsumerInstrumentation, type StoreLogger } from '@homeline/event-store';
import type { Kafka } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { RecordEntries } from '../../application/record-entries';
import type { KeyEncryptionKey } from '../crypto/data-keys';
import { SqlAuditTx } from '../sql/audit-tx';
import type { AuditKeyCache } from '../sql/key-cache';

export interface IngestionOptions {
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly kek: KeyEncryptionKey;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** After a fetch that brought events, how long until the next, in ms (AUDIT_FETCH_WAIT_MS); 0: at once. */
  readonly fetchWaitMs?: number;
  readonly recorder: RecordEntries;
  /** Links and data keys already read (shared with the store, whose erasures forget the keys). */
  readonly keyCache: AuditKeyCache;
  readonly logger?: StoreLogger;
  readonly instrumentation?: ConsumerInstrumentation;
}

/** Any well-formed envelope, of a type this service knows or not yet: the audit must not lag behind the services it watches. */
const anyEnvelope = (raw: unknown): ParseResult<Envelope> => {
  const parsed = envelopeSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, event: parsed.data }
    : { ok: false, reason: `envelope: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
};

/**
 * Records every event of the three topics through the event store's inbox consumer: each Kafka
 * batch is a few set-based writes (links, data keys, staged leaves; each idempotent, so with no
 * transaction around them, and the links and keys read once and cached), idempotent on the
 * event id — so no inbox rows are kept, and a redelivered event is still one entry. A message
 * that is not an envelope goes to `<topic>.dlq` with its reason; one that cannot become a leaf is
 * dead-lettered as poison; a database failure is retried, never dead-lettered.
 */
export const auditIngestion = (options: IngestionOptions): InboxConsumer<Envelope> =>
  new InboxConsumer<Envelope>({
    kafka: options.kafka,
    dataSource: options.dataSource,
    groupId: options.groupId,
    topics: options.topics,
    handles: 'all',
    isKnownType: () => true,
    parse: anyEnvelope,
    // What it cannot store (a NUL in a column it queries) it refuses itself (record-entries.ts); the leaf keeps the rest.
    storesAnyText: true,
    idempotentHandler: true,
    // Links and keys are upserts, staging is keyed by the event: no statement needs another's atomicity.
    transactional: false,
    logger: options.logger,
    instrumentation: options.instrumentation,
    // Events that come one by one while it waits arrive together, in one batch per wait; an idle
    // audit still makes one long-polling fetch a second, not one per wait.
    paceMs: options.fetchWaitMs,
    handleBatch: (events, tx, afterCommit) => record(options, events, tx, afterCommit),
  });

const record = async (
  options: IngestionOptions,
  consumed: readonly ConsumedEvent<Envelope>[],
  tx: EntityManager,
  afterCommit: (hook: () => void) => void,
): Promise<void> => {
  const hooks: Array<() => void> = [];
  const refused = await options.recorder.events(new SqlAuditTx(tx, options.kek, hooks, options.keyCache), consumed.map((c) => c.event));
  if (refused.length > 0) throw new PoisonMessage('not_recordable', refused[0].event.id, refused[0].reason);
  for (const hook of hooks) afterCommit(hook);
};
