import type { DataKey } from '../../application/ports';

/**
 * What ingestion would otherwise read for every Kafka batch: which account a device or call belongs
 * to, and the unwrapped data keys. At a few events a second each batch is one event, and those two
 * reads were most of the audit's round trips.
 *
 * - A call's link never changes once written (`ON CONFLICT DO NOTHING`): kept until the map is
 *   full. A device's follows identity's latest DeviceLinked (SqlAuditTx.relink), perhaps on
 *   another replica: kept `keyTtlMs`, like a key.
 * - Keys are kept `keyTtlMs` (5 s). An erasure on this replica forgets them at once; one on another
 *   replica is seen here within the TTL. Until then this replica may seal a new entry with the
 *   erased key, which nobody holds any more: the entry reads "[erased]" like the rest
 *   (docs/decisions.md section 12).
 */
export class AuditKeyCache {
  private readonly links = new Map<string, { readonly account: string; readonly until: number }>();
  private readonly keys = new Map<string, { readonly key: DataKey | null; readonly until: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keyTtlMs = 5_000,
    private readonly maxEntries = 100_000,
  ) {}

  linked(scopes: readonly string[]): { known: Map<string, string>; unknown: string[] } {
    const known = new Map<string, string>();
    const unknown: string[] = [];
    const now = this.now();
    for (const scope of scopes) {
      const link = this.links.get(scope);
      if (link === undefined || link.until <= now) unknown.push(scope);
      else known.set(scope, link.account);
    }
    return { known, unknown };
  }

  rememberLinks(links: Iterable<readonly [string, string]>): void {
    const deviceUntil = this.now() + this.keyTtlMs;
    for (const [scope, account] of links) {
      if (this.links.size >= this.maxEntries) this.links.clear(); // a bound, not an LRU: refilled from the table
      this.links.set(scope, { account, until: scope.startsWith('device:') ? deviceUntil : Infinity });
    }
  }

  dataKeys(scopes: readonly string[]): { found: Map<string, DataKey | null>; missing: string[] } {
    const found = new Map<string, DataKey | null>();
    const missing: string[] = [];
    const now = this.now();
    for (const scope of scopes) {
      const cached = this.keys.get(scope);
      if (cached && cached.until > now) found.set(scope, cached.key);
      else missing.push(scope);
    }
    return { found, missing };
  }

  rememberKeys(keys: Iterable<readonly [string, DataKey | null]>): void {
    const until = this.now() + this.keyTtlMs;
    for (const [scope, key] of keys) {
      if (this.keys.size >= this.maxEntries) this.keys.clear();
      this.keys.set(scope, { key, until });
    }
  }

  /** After an erasure: no key of any scope is used again before it is read back. */
  forgetKeys(): void {
    this.keys.clear();
  }
}
