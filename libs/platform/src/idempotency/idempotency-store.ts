import { Injectable } from '@nestjs/common';
import { forgetOlderThan, runInTransaction } from '@homeline/event-store';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

export interface StoredResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** The same Idempotency-Key was sent with a different request. */
export class IdempotencyKeyReused extends Error {
  readonly code = 'idempotency_key_reused';
  readonly status = 422;
  constructor(key: string) {
    super(`Idempotency-Key ${key} was already used for a different request.`);
  }
}

/** An Idempotency-Key that is not 1 to 255 visible ASCII characters (a longer one overflowed the key index: a 500). */
export class InvalidIdempotencyKey extends Error {
  readonly code = 'invalid_idempotency_key';
  readonly status = 400;
  constructor() {
    super('Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.');
  }
}

const validKey = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a mutating request once per (scope, Idempotency-Key) and replays its response after.
 * Keys are unique only within a scope, so a scope names the route and whose request it is — the
 * account it acts on, or the caller — never the route alone: otherwise two accounts that pick
 * the same key would get each other's responses, or a refusal for the other's request.
 *
 * The key row is claimed inside the transaction that the handler may use for its own writes:
 * a concurrent duplicate waits on the row lock, then replays the committed response; if the
 * handler fails, the transaction rolls back and the key is free again. A transient failure (a
 * lost race on a stream the handler appends to) reruns the whole request, claim included, with
 * the event store's one retry policy: without a key the handler gets no transaction and picks
 * its own (`inTransaction`), with one it must run inside this one.
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly db: DataSource) {}

  async once<T>(
    scope: string,
    key: string | undefined,
    request: unknown,
    handle: (tx: EntityManager) => Promise<StoredResponse<T>>,
  ): Promise<StoredResponse<T>> {
    if (key === undefined) return handle(this.db.manager);
    if (!validKey.test(key)) throw new InvalidIdempotencyKey();
    const hash = requestHash(request);
    return runInTransaction(this.db, async (tx) => {
      const claimed: unknown[] = await tx.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status) VALUES ($1, $2, $3, 0)
         ON CONFLICT DO NOTHING RETURNING key`,
        [scope, key, hash],
      );
      if (claimed.length === 0) return this.replay<T>(tx, scope, key, hash);
      const response = await handle(tx);
      await tx.query(`UPDATE idempotency_keys SET status = $3, body = $4 WHERE scope = $1 AND key = $2`, [
        scope, key, response.status, JSON.stringify(response.body ?? null),
      ]);
      return response;
    });
  }

  /**
   * Forgets up to `limit` keys stored more than `ttlSeconds` ago (by the database's clock) and
   * says how many: a sweep calls it until it forgets fewer than `limit`. Each call is one indexed
   * statement (created_at), so it costs the same however large the table. A request sent again
   * after its key is forgotten runs again.
   */
  expire(ttlSeconds: number, limit = 1000): Promise<number> {
    return forgetOlderThan(this.db.manager, 'idempotency_keys', 'created_at', ttlSeconds, limit);
  }

  private async replay<T>(tx: EntityManager, scope: string, key: string, hash: string): Promise<StoredResponse<T>> {
    const [row]: { request_hash: string; status: number; body: T }[] = await tx.query(
      `SELECT request_hash, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    if (row.request_hash !== hash) throw new IdempotencyKeyReused(key);
    return { status: row.status, body: row.body };
  }
}

const requestHash = (request: unknown): string => createHash('sha256').update(canonicalJson(request)).digest('hex');

/** JSON with sorted keys, so that field order does not make two equal requests differ. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
