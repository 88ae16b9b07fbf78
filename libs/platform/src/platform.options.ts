import type { Registry } from 'prom-client';
import type { MixedList } from 'typeorm';
import type { ServiceName } from '@homeline/contracts';
import type { RecordedEvent } from '@homeline/event-store';
import type { PlatformConfig } from './config/env';
import type { StatusForCode } from './errors/problem';

export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');
/** The validated configuration of the running service: `@Inject(SERVICE_CONFIG) config: CallsConfig`. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** The service's clock (a `Clock`): edges stamp commands with `now` from it, never `new Date()`. */
export const CLOCK = Symbol('CLOCK');
/** The service's id generator (an `IdGenerator`) for new calls, legs, requests. */
export const IDS = Symbol('IDS');

export interface PlatformOptions<C extends PlatformConfig = PlatformConfig> {
  readonly service: ServiceName;
  readonly config: C;
  /** TypeORM migrations of this service's schema (the event store's, its projections'...). */
  readonly migrations?: MixedList<string | (new () => unknown)>;
  /** TypeORM entities, if the service maps any (feature modules may also use forFeature). */
  readonly entities?: MixedList<string | (new () => unknown)>;
  /** Bearer tokens by scope; `integration` guards every route unless it says otherwise. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** HTTP status for domain error codes that do not carry one (default 422). */
  readonly problemStatus?: StatusForCode;
  /** The Kafka key of the service's published events (default: the stream id); see OutboxRelayOptions.keyFor. */
  readonly messageKey?: (event: RecordedEvent) => string;
  /**
   * Metrics of the service's own events, told of each batch its outbox relay published (after the
   * append committed, at least once: a relay that crashed before its checkpoint publishes again).
   * Registers its series on the registry it is given and returns the relay's hook.
   */
  readonly publishedMetrics?: (registry: Registry) => (events: readonly RecordedEvent[]) => void;
}
