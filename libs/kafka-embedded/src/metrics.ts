import { Denial } from './security/acl';

export interface BrokerMetrics {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** requests handled, by API name (e.g. `Produce`, `Fetch`) */
  readonly requestsByApi: Readonly<Record<string, number>>;
  /** completed group rebalances (a new generation with members) */
  readonly rebalances: number;
  readonly connectionsOpen: number;
  readonly connectionsTotal: number;
  readonly connectionErrors: number;
  /** requests refused by the ACLs, and the distinct (principal, operation, resource) refused, first 100 */
  readonly authorizationDenials: number;
  readonly denied: readonly Denial[];
}

/** Mutable counters behind `EmbeddedBroker.metrics()`. */
export class MetricsRegistry {
  bytesIn = 0;
  bytesOut = 0;
  rebalances = 0;
  connectionsOpen = 0;
  connectionsTotal = 0;
  connectionErrors = 0;
  private readonly denials = new Map<string, Denial>();
  private denialCount = 0;
  private readonly requests = new Map<string, number>();

  countRequest(api: string): void {
    this.requests.set(api, (this.requests.get(api) ?? 0) + 1);
  }

  countDenial(denial: Denial): void {
    this.denialCount++;
    const key = JSON.stringify(denial);
    if (this.denials.size < 100 && !this.denials.has(key)) this.denials.set(key, denial);
  }

  snapshot(): BrokerMetrics {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      requestsByApi: Object.fromEntries(this.requests),
      rebalances: this.rebalances,
      connectionsOpen: this.connectionsOpen,
      connectionsTotal: this.connectionsTotal,
      connectionErrors: this.connectionErrors,
      authorizationDenials: this.denialCount,
      denied: [...this.denials.values()],
    };
  }
}
