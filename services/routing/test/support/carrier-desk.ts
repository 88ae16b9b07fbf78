import { eventStoreMigrations, randomIds, systemClock } from '@homeline/event-store';
import type { TestPostgres } from '@homeline/testing';
import { DataSource } from 'typeorm';
import { CarrierRejected, type CarrierLegOrder, type CarrierPort, type VoicemailReason } from '../../src/application/carrier.port';
import { legCommands, legStreamId } from '../../src/application/streams';
import { routingMigrations } from '../../src/edges/migrations';
import type { CarrierGate } from '../../src/edges/leg-dispatcher';
import { RoutingApplication } from '../../src/edges/routing.composition';
import type { RoutingMetrics } from '../../src/edges/routing-metrics';
import { SqlCarrierLegs } from '../../src/edges/sql/carrier-legs.sql';

/** What a carrier adapter was asked, in order: `place <legId>` or `hang_up <carrierCallId>`. */
export type CarrierLog = string[];

/**
 * A carrier the test controls: it may refuse the first placements, or hold every call at a gate
 * (a carrier that takes seconds to answer) until the test opens it. Its log says what reached it.
 */
export class ScriptedCarrier implements CarrierPort {
  readonly log: CarrierLog = [];
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(private refusals = 0) {}

  /** From now on every call waits at the carrier until `open()`. */
  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
    this.held = undefined;
  }

  async placeLeg(order: CarrierLegOrder): Promise<{ carrierCallId: string }> {
    this.log.push(`place ${order.legId}`);
    await this.held;
    if (this.refusals-- > 0) throw new Error('carrier unavailable');
    this.log.push(`placed ${order.legId}`);
    return { carrierCallId: `cc-${order.legId}` };
  }

  /** Devices the carrier will not bridge a caller to: it answers 409, a refusal that is final. */
  readonly unbridgeable = new Set<string>();

  async bridge(carrierCallId: string, deviceId: string): Promise<void> {
    this.log.push(`bridge ${carrierCallId} ${deviceId}`);
    if (this.unbridgeable.has(deviceId)) throw new CarrierRejected(`cannot bridge ${carrierCallId} to ${deviceId}`, 409);
  }

  async sendToVoicemail(carrierCallId: string, reason: VoicemailReason): Promise<void> {
    this.log.push(`voicemail ${carrierCallId} ${reason}`);
  }

  async hangUp(carrierCallId: string): Promise<void> {
    this.log.push(`hang_up ${carrierCallId}`);
    await this.held;
  }
}

/** Routing's database with its migrations, and routing's application on it around a scripted carrier. */
export const routingDatabase = async (pg: TestPostgres): Promise<DataSource> => {
  const dataSource = new DataSource({
    type: 'postgres',
    url: await pg.createDatabase(),
    migrations: [...eventStoreMigrations, ...routingMigrations],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
};

export const routingOn = (
  dataSource: DataSource,
  carrier: CarrierPort,
  pollMs: number,
  extra: { readonly carrierGate?: CarrierGate; readonly metrics?: RoutingMetrics } = {},
): RoutingApplication =>
  new RoutingApplication({
    dataSource,
    carrier,
    clock: systemClock,
    ids: randomIds,
    config: { CARRIER_DISPATCH_POLL_MS: pollMs, EMERGENCY_CALLBACK_WINDOW_MINUTES: 60 },
    limits: { devicePerMinute: 10, accountPerMinute: 20, dailyInternational: 20, dailyPremium: 5, concurrentPerLine: 4 },
    ...extra,
  });

/** A leg as a routing decision leaves it: requested on its stream, its placement queued, in one transaction. */
/** A leg requested as routing's decision would: an ordinary one, or an emergency call's (to 911). */
export const requestLeg = (dataSource: DataSource, legId: string, emergency = false): Promise<void> =>
  dataSource.transaction(async (tx) => {
    const order = { legId, callId: `call-${legId}`, e164: emergency ? '911' : '+12125550100', callerId: '+15551230001', emergency };
    await legCommands().handle(tx, {
      streamId: legStreamId(legId),
      commands: [{ type: 'RequestLeg', ...order }],
      metadata: { accountId: 'acc-1' },
    });
    await new SqlCarrierLegs().open(tx, [{ accountId: 'acc-1', deviceId: 'kitchen', class: emergency ? 'emergency' : 'domestic', routedAt: new Date(), order }]);
  });

export const typesOf = async (dataSource: DataSource, legId: string): Promise<string[]> =>
  (
    await dataSource.query(`SELECT type FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [
      legStreamId(legId),
    ])
  ).map((r: { type: string }) => r.type);

export const carrierCallIdOf = async (dataSource: DataSource, legId: string): Promise<string | null> =>
  (await dataSource.query(`SELECT carrier_call_id FROM carrier_legs WHERE leg_id = $1`, [legId]))[0]?.carrier_call_id ??
  null;
