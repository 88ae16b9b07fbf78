import { Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

interface Backlog {
  readonly events: number;
  readonly oldestAgeSeconds: number;
}

/**
 * The outbox relay's lag, read from the event store at each scrape (so a relay that is down shows
 * it too): `homeline_outbox_unpublished_events{relay}`, the committed events after the relay's
 * checkpoint, and `homeline_outbox_oldest_unpublished_age_seconds{relay}`, how long ago the oldest
 * of them occurred (0 when none waits).
 */
export function registerRelayLag(registry: Registry, dataSource: DataSource, relay: string): void {
  let sample: { at: number; backlog: Promise<Backlog | undefined> } | undefined;
  // Both gauges are collected in one scrape: one query serves both.
  const backlog = (): Promise<Backlog | undefined> => {
    if (!sample || Date.now() - sample.at > 1_000) sample = { at: Date.now(), backlog: readBacklog(dataSource, relay).catch(() => undefined) };
    return sample.backlog;
  };
  new Gauge({
    name: 'homeline_outbox_unpublished_events',
    help: 'Events committed to the event store and not yet published to Kafka by the outbox relay',
    labelNames: ['relay'],
    registers: [registry],
    async collect() {
      this.reset();
      const found = await backlog();
      if (found) this.set({ relay }, found.events);
    },
  });
  new Gauge({
    name: 'homeline_outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest event not yet published by the outbox relay (0 when none waits)',
    labelNames: ['relay'],
    registers: [registry],
    async collect() {
      this.reset();
      const found = await backlog();
      if (found) this.set({ relay }, found.oldestAgeSeconds);
    },
  });
}

/**
 * Events after the checkpoint in the relay's own (transaction id, position) order, on its index;
 * before the relay's first start every event is waiting.
 */
async function readBacklog(dataSource: DataSource, relay: string): Promise<Backlog> {
  const [row]: { events: string; age: string | null }[] = await dataSource.query(
    `WITH checkpoint AS (
       SELECT transaction_id, position FROM es_relay_checkpoints WHERE name = $1
       UNION ALL SELECT '0'::xid8, 0 WHERE NOT EXISTS (SELECT 1 FROM es_relay_checkpoints WHERE name = $1))
     SELECT count(e.position) AS events, extract(epoch FROM now() - min(e.occurred_at)) AS age
       FROM checkpoint c LEFT JOIN es_events e ON (e.transaction_id, e.position) > (c.transaction_id, c.position)`,
    [relay],
  );
  return { events: Number(row.events), oldestAgeSeconds: Math.max(0, Number(row.age ?? 0)) };
}
