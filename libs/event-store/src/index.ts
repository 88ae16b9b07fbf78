export { eventStoreMigrations, EventStoreSchema1764000000000 } from './schema/event-store-schema.migration';
export { StreamConflict1764300000000 } from './schema/stream-conflict.migration';
export { Tables, appendedChannel } from './schema/tables';
export type {
  AppendOptions, AppendResult, Checkpoint, DomainEvent, ExpectedVersion, NewEvent, RecordedEvent,
} from './store/types';
export { initialCheckpoint } from './store/types';
export { appendToStream, appendToStreams, commitUnitOfWork } from './store/append';
export type { Companion, StreamAppend, UnitOfWorkWrite } from './store/append';
export { UnitOfWork, runUnitOfWork } from './store/unit-of-work';
export { GroupCommit } from './store/group-commit';
export { readStream, readStreams, readCommittedAfter } from './store/read';
export type { ReadStreamResult, CommittedBatch, ReadOptions } from './store/read';
export { StreamVersionConflict, isStreamVersionConflict } from './store/errors';
export { fold } from './store/decider';
export type { Decider } from './store/decider';
export { CommandHandler } from './store/command-handler';
export type { CommandHandlerOptions, CommandMetadata, CommandOutcome, StreamCommands } from './store/command-handler';
export { runInTransaction, inTransaction } from './store/transaction';
export { adoptTransactionIds } from './store/transaction-ids';
export type { RetryPolicy } from './store/transaction';
export {
  PoisonMessage, TransientFailure, isPoisonMessage, isTransientFailure, treatUniqueViolationAsRace, backoffMs,
} from './store/failures';
export { systemClock, randomIds, FixedClock } from './store/ports';
export type { Clock, IdGenerator } from './store/ports';
export { rawQuery } from './store/raw-query';
export { currentTraceparent } from './store/traceparent';
export { OutboxRelay } from './outbox/outbox-relay';
export type { OutboxRelayOptions, BatchOutcome } from './outbox/outbox-relay';
export { toEnvelope, toKafkaMessage, topicBySource } from './outbox/kafka-message';
export { readRelayCheckpoint } from './outbox/relay-checkpoint';
export { InboxConsumer } from './inbox/inbox-consumer';
export type { BatchHandler, ConsumedEvent, ConsumerInstrumentation, InboxConsumerOptions, UnitHandler } from './inbox/inbox-consumer';
export { forgetProcessed, recordInInbox } from './inbox/inbox';
export { forgetOlderThan } from './store/forget-older';
export { classifyMessage, deadLetterCodes, toDeadLetter } from './inbox/incoming-message';
export type { Classifier, DeadLetterCode, Incoming } from './inbox/incoming-message';
export type { Projection } from './projections/projection';
export { catchUpProjection, rebuildProjection } from './projections/projector';
export type { CatchUpOptions } from './projections/projector';
export { ProjectionRunner } from './projections/projection-runner';
export type { ProjectionRunnerOptions } from './projections/projection-runner';
export { readProjectionCheckpoint } from './projections/projection-checkpoint';
export type { StoreLogger } from './logger';
export { AppendSignal } from './wakeup/append-signal';
