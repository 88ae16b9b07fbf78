import { createHash } from 'node:crypto';

/** A response as it was first given, replayed for a retry under the same key. */
export interface StoredResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type IdempotencyCheck =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'reused' };

interface Entry {
  readonly fingerprint: string;
  readonly response: StoredResponse;
  readonly at: number;
}

/**
 * `Idempotency-Key` as docs/carrier-api.md describes it (after the IETF draft
 * "The Idempotency-Key HTTP Header Field"): the first answer to a key is kept for `ttlMs` and
 * given again to a request with the same key, operation and body; the same key with another
 * operation or body is refused. Only answers that changed something (2xx) and final
 * refusals (4xx) are kept: a request that failed for want of the carrier may be tried again.
 */
export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 24 * 3600_000,
    private readonly maxEntries = 200_000,
  ) {}

  check(key: string, operation: string, body: unknown, nowMs: number): IdempotencyCheck {
    const entry = this.entries.get(key);
    if (!entry || nowMs - entry.at > this.ttlMs) return { kind: 'new' };
    return entry.fingerprint === fingerprint(operation, body)
      ? { kind: 'replay', response: entry.response }
      : { kind: 'reused' };
  }

  remember(key: string, operation: string, body: unknown, response: StoredResponse, nowMs: number): void {
    if (response.status >= 500) return;
    this.entries.set(key, { fingerprint: fingerprint(operation, body), response, at: nowMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}

/**
 * Over the parsed body with its keys sorted, not the raw bytes: a client that stored its request
 * (routing keeps a leg's order in PostgreSQL, whose jsonb reorders keys) and sends it again after
 * a restart sends the same request in other bytes.
 */
const fingerprint = (operation: string, body: unknown): string =>
  createHash('sha256').update(operation).update('\n').update(canonical(body)).digest('hex');

const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
};

/** Printable ASCII, 1 to 255 characters: what the carrier accepts as a key. */
export const isIdempotencyKey = (key: string | undefined): key is string =>
  typeof key === 'string' && /^[\x21-\x7e]{1,255}$/.test(key);
