import { Logger, type Provider } from '@nestjs/common';
import type { IntegrationEvent } from '@homeline/contracts';
import type { Clock, IdGenerator } from '@homeline/event-store';
import { CLOCK, IDS, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { CarrierCallbacks } from '../application/carrier-callbacks';
import { CARRIER_PORT, type CarrierPort } from '../application/carrier.port';
import { CarrierWork, type RequestResult } from '../application/carrier-work';
import { EmergencyRedials } from '../application/emergency-redials';
import { InboundCallbacks } from '../application/inbound-callbacks';
import { InboundOffers } from '../application/inbound-offers';
import { InboundProgress } from '../application/inbound-progress';
import type { ClaimedRequest } from '../application/ports';
import { RegistryProjection } from '../application/registry-projection';
import { LegReleaser } from '../application/release-legs';
import { CallRouter } from '../application/route-calls';
import { inboundCommands, legCommands } from '../application/streams';
import { callLimitsOf, type RoutingConfig } from '../config';
import type { CallLimits } from '../domain';
import { CARRIER_GATE } from './carrier.provider';
import { LegDispatcher, type CarrierGate } from './leg-dispatcher';
import { RoutingMetrics } from './routing-metrics';
import { SqlCallUsage } from './sql/call-usage.sql';
import { SqlCarrierLegs } from './sql/carrier-legs.sql';
import { SqlCarrierRequests } from './sql/carrier-requests.sql';
import { SqlHouseholdDirectory } from './sql/household-directory.sql';
import { SqlInboundCalls } from './sql/inbound-calls.sql';

/** Routing's application, wired to its tables, the carrier, the clock and ids: what the edges call. */
export class RoutingApplication {
  readonly router: CallRouter;
  readonly releaser: LegReleaser;
  readonly redials: EmergencyRedials;
  readonly registry: RegistryProjection;
  readonly callbacks: CarrierCallbacks;
  readonly dispatcher: LegDispatcher;
  /** Inbound calls: the carrier's offer, calls' verdicts, the caller's hang-up. */
  readonly inbound: InboundOffers;
  readonly inboundProgress: InboundProgress;
  readonly inboundCallbacks: InboundCallbacks;

  constructor(deps: {
    readonly dataSource: DataSource;
    readonly carrier: CarrierPort;
    readonly clock: Clock;
    readonly ids: IdGenerator;
    readonly config: Pick<RoutingConfig, 'CARRIER_DISPATCH_POLL_MS' | 'EMERGENCY_CALLBACK_WINDOW_MINUTES'>;
    readonly limits: CallLimits;
    readonly metrics?: RoutingMetrics;
    /** The carrier's circuit breaker, when the carrier has one. */
    readonly carrierGate?: CarrierGate;
  }) {
    const { dataSource, carrier, clock, ids, config, limits, metrics, carrierGate } = deps;
    const directory = new SqlHouseholdDirectory();
    const legs = new SqlCarrierLegs();
    const requests = new SqlCarrierRequests(dataSource);
    const legStreams = legCommands();
    this.router = new CallRouter({
      directory,
      usage: new SqlCallUsage(),
      legs,
      legCommands: legStreams,
      limits,
      clock,
      ids,
      onDecided: metrics?.decided,
      onLate: logLate(),
    });
    this.releaser = new LegReleaser(legs, legStreams, clock, directory);
    this.redials = new EmergencyRedials(legs, legStreams, clock, ids);
    this.registry = new RegistryProjection(directory);
    this.callbacks = new CarrierCallbacks(dataSource, legs, legStreams, clock);
    const inboundCalls = new SqlInboundCalls();
    const inboundStreams = inboundCommands();
    const work = new CarrierWork(dataSource, requests, carrier, legStreams, clock, {
      maxAttempts: 8,
      onOutcome: reportOutcome(metrics),
      inbound: { calls: inboundCalls, commands: inboundStreams },
    });
    this.dispatcher = new LegDispatcher(dataSource, requests, work, ids, {
      pollMs: config.CARRIER_DISPATCH_POLL_MS,
      gate: carrierGate,
    });
    this.inbound = new InboundOffers({
      dataSource,
      directory,
      calls: inboundCalls,
      commands: inboundStreams,
      clock,
      ids,
      emergencyCallbackWindowMinutes: config.EMERGENCY_CALLBACK_WINDOW_MINUTES,
      onDecided: metrics?.inboundDecided,
    });
    this.inboundProgress = new InboundProgress(inboundCalls, inboundStreams, clock, metrics?.inboundDecided);
    this.inboundCallbacks = new InboundCallbacks(dataSource, inboundCalls, legs, inboundStreams, clock, metrics?.inboundDecided);
  }
}

const logLate = () => {
  const logger = new Logger('CallRouter');
  return (events: readonly IntegrationEvent<'CallRouting'>[]): void => {
    for (const { data } of events)
      logger.warn(`call ${data.callId} reached routing after its deadline (${data.deadline}): calls has failed it, nothing is placed`);
  };
};

const reportOutcome = (metrics?: RoutingMetrics) => {
  const logger = new Logger('CarrierWork');
  return (request: ClaimedRequest, result: RequestResult, error?: unknown): void => {
    metrics?.carrierRequests.inc({ action: request.action, result });
    const what = `carrier ${request.action} for leg ${request.legId}`;
    if (result === 'retried')
      logger.warn(`${what} failed (attempt ${request.attempts + 1}), retrying: ${String(error)}`);
    if (result === 'given_up')
      logger.error(`${what} given up after ${request.attempts + 1} attempts: ${String(error)}`);
  };
};

export const routingApplicationProvider: Provider = {
  provide: RoutingApplication,
  inject: [DataSource, CARRIER_PORT, CLOCK, IDS, SERVICE_CONFIG, RoutingMetrics, CARRIER_GATE],
  useFactory: (
    dataSource: DataSource,
    carrier: CarrierPort,
    clock: Clock,
    ids: IdGenerator,
    config: RoutingConfig,
    metrics: RoutingMetrics,
    carrierGate: CarrierGate,
  ) => new RoutingApplication({ dataSource, carrier, clock, ids, config, limits: callLimitsOf(config), metrics, carrierGate }),
};
