import { ADVERTISED, ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import { ApiHandler } from './context';

/** ApiVersions v0–v2: every API with the range ADVERTISED gives it. */
export const apiVersions: ApiHandler = {
  minVersion: 0,
  maxVersion: 2,
  handle(_ctx, req) {
    const w = new Writer().int16(ErrorCode.NONE);
    w.array([...ADVERTISED], (w, [key, range]) => w.int16(key).int16(range.min).int16(range.max));
    if (req.header.apiVersion >= 1) w.int32(0);
    return w;
  },
};

/**
 * Answer to an ApiVersions version above 2 (librdkafka opens every connection with v3):
 * UNSUPPORTED_VERSION with a flexible body listing ApiVersions 0..2, so the client retries
 * with v2 instead of falling back to v0. The response header carries no tagged fields.
 */
export function unsupportedApiVersionsBody(): Writer {
  const range = ADVERTISED.get(ApiKey.ApiVersions)!;
  return new Writer()
    .int16(ErrorCode.UNSUPPORTED_VERSION)
    .unsignedVarint(2) // compact array of one entry
    .int16(ApiKey.ApiVersions)
    .int16(range.min)
    .int16(range.max)
    .unsignedVarint(0) // entry tagged fields
    .int32(0) // throttle_time_ms
    .unsignedVarint(0); // body tagged fields
}
