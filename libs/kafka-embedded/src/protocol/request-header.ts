import { Reader } from './reader';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/**
 * Request header v1. Every version this broker serves is non-flexible; the only flexible
 * request it sees is ApiVersions v3+, which is answered without reading its tagged fields or body.
 */
export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  return { apiKey, apiVersion, correlationId, clientId };
}
