import { Reader } from './reader';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** Request header v1 (every non-flexible request). Flexible requests add tagged fields we skip. */
export function readRequestHeader(reader: Reader, flexible: boolean): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  if (flexible) reader.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}
