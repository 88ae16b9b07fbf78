import type { EntityManager } from 'typeorm';

/**
 * A voice assertion's embedding is biometric data, and calls keeps it only to hand it to identity:
 * CallRequested and AnswerRequested carry it on calls' topic, and the event store is calls' outbox.
 * Once the relay has published the request and the assertion is older than identity's window
 * (identity then refuses the original as stale), nothing needs it: the sweep replaces it by `[0]`,
 * which keeps the event in its contract's shape (a re-publication after a restore still parses) and
 * is no voice: the device's signature covers the embedding, so identity refuses a blanked request
 * `invalid_signature`, before it looks at the time or the vector. The
 * rest of the assertion (device, nonce, time, liveness, signature) stays: it says what was asked.
 */
export const redactedEmbedding = '[0]';

/** Blanks up to `limit` embeddings of requests older than `seconds` that every relay has published; says how many. */
export const forgetVoices = async (db: Pick<EntityManager, 'query'>, seconds: number, limit: number): Promise<number> => {
  const [, updated]: [unknown, number] = await db.query(
    `UPDATE es_events SET data = jsonb_set(data, '{voice,embedding}', '${redactedEmbedding}'::jsonb)
      WHERE position = ANY (ARRAY(
        SELECT e.position FROM es_events e
         WHERE e.type IN ('CallRequested', 'AnswerRequested') AND e.data #> '{voice,embedding}' <> '${redactedEmbedding}'::jsonb
           AND e.occurred_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM es_relay_checkpoints c WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position))
         ORDER BY e.position LIMIT $2))`,
    [seconds, limit],
  );
  return updated;
};
