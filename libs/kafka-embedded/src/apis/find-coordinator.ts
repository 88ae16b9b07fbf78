import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import { ApiHandler, authorized } from './context';

/** FindCoordinator v0–v2: this node coordinates every group (and would every transaction). */
export const findCoordinator: ApiHandler = {
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const key = r.string();
    const keyType = v >= 1 ? r.int8() : 0;
    const w = new Writer();
    if (v >= 1) w.int32(0);
    // A transaction coordinator is found like any other; InitProducerId then refuses the
    // transactional id with UNSUPPORTED_VERSION, which clients surface as a protocol error.
    if (keyType === 1) ctx.logger.warn('transaction coordinator requested: Kafka transactions are not supported');
    if (keyType === 0 && !authorized(ctx, req, 'Describe', 'group', key)) {
      w.int16(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      if (v >= 1) w.nullableString(null);
      return w.int32(-1).string('').int32(-1);
    }
    w.int16(ErrorCode.NONE);
    if (v >= 1) w.nullableString(null);
    return w.int32(ctx.nodeId).string(ctx.advertisedHost).int32(ctx.advertisedPort);
  },
};
