import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import { ApiHandler } from './context';


/** InitProducerId v0–v1: a fresh producer id (epoch 0) for idempotent producers. */
export const initProducerId: ApiHandler = {
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req, r) {
    const transactionalId = r.nullableString();
    r.int32(); // transaction_timeout_ms
    const w = new Writer().int32(0);
    if (transactionalId !== null) {
      ctx.logger.warn('InitProducerId with a transactional id refused: Kafka transactions are not supported', { transactionalId });
      return w.int16(ErrorCode.UNSUPPORTED_VERSION).int64(-1).int16(-1);
    }
    // Kafka (KIP-679): an idempotent producer needs IdempotentWrite on the cluster, or Write on some topic.
    const authorizer = ctx.security?.authorizer;
    const principal = req.session.principal ?? '';
    if (authorizer && !authorizer.permits(principal, 'IdempotentWrite', 'cluster', 'kafka-cluster') && !authorizer.allowsSome(principal, 'Write', 'topic')) {
      authorizer.allows(principal, 'IdempotentWrite', 'cluster'); // records the denial
      return w.int16(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).int64(-1).int16(-1);
    }
    return w.int16(ErrorCode.NONE).int64(ctx.producerIds.allocate()).int16(0);
  },
};
