import { createHash } from 'node:crypto';
import type { Envelope } from '@homeline/contracts';
import { canonicalBytes, canonicalJson } from '@homeline/tlog';
import { accountOf, callScopeOf, columnsOf, deviceLinkOf, deviceScopeOf, eventEntry, keyScopeOf, subjectScopes, unstorableText, type AuditEntry } from '../domain/audit-entry';
import { ERASED, type SealedValue } from '../domain/personal-data';
import type { AuditTx, Clock, DataKey, StagedEntry, StagedSignal } from './ports';

/** The context sealed values are bound to: a ciphertext moved to another entry or field does not open. */
export const sealContext = (eventId: string, path: string): string => `homeline-audit-v1|${eventId}|${path}`;

/** Biometric: only the digest of an embedding is recorded (and sealed). */
const embeddingDigest = (embedding: unknown) => ({
  sha256: createHash('sha256').update(JSON.stringify(embedding)).digest('hex'),
  dimensions: Array.isArray(embedding) ? embedding.length : null,
});

export const toStaged = (entry: AuditEntry): StagedEntry => ({ leaf: canonicalBytes(entry), columns: columnsOf(entry), receivedAt: entry.receivedAt });

/**
 * Turns a batch of events into staged leaves in one transaction: links devices and calls to their
 * accounts, fetches or creates the data keys, seals personal data, stages the canonical leaves.
 * Sequencing into the tree happens later, in batches (Integrator): ingestion never waits for it.
 */
export class RecordEntries {
  constructor(private readonly clock: Clock, private readonly signal: StagedSignal) {}

  /**
   * Returns the events that cannot become a leaf (e.g. a lone surrogate, which canonical JSON
   * forbids) or a row (a NUL in a query column) with the reason, for the dead-letter topic; the
   * rest are staged.
   */
  async events(tx: AuditTx, received: readonly Envelope[]): Promise<Array<{ event: Envelope; reason: string }>> {
    const refused: Array<{ event: Envelope; reason: string }> = [];
    const events = received.filter((event) => {
      const field = unstorableText(event);
      if (field !== null) refused.push({ event, reason: `cannot be recorded: ${field} holds a NUL character, which PostgreSQL text cannot` });
      return field === null;
    });
    if (events.length === 0) return refused;
    const known = await tx.linkedAccounts([...new Set(events.flatMap(subjectScopes))]);
    // A device moved to another household: its events without an account are its new household's from then on.
    const moves = events.map(deviceLinkOf).filter((move) => move !== null);
    for (const [scope, accountId] of await tx.relink(moves)) known.set(scope, accountId);
    // An event without an account is its call's household's; a call's first one (calls' CallRequested,
    // before identity named the account) is the household's its device was in when it occurred:
    // a device moved since, and the event recorded late (a lagging partition, a replay), was
    // another household's then. The call is linked there, so the call's end is that household's too.
    const undecided = events.filter((e) => accountOf(e) === null && deviceScopeOf(e) !== null && !known.has(callScopeOf(e) ?? ''));
    const then = await tx.linkedAt(undecided.map((e) => ({ scope: deviceScopeOf(e)!, at: e.occurredAt })));
    const atOccurrence = new Map(undecided.map((e, i) => [e, then[i]]));
    // Links learnt from this batch: only those not known yet are written (most are, after a call's first event).
    const links = new Map<string, string>();
    const linked = (scope: string | null) => (scope === null ? undefined : (known.get(scope) ?? links.get(scope)));
    const accounts = events.map((event) => {
      const account = accountOf(event) ?? linked(callScopeOf(event)) ?? atOccurrence.get(event) ?? linked(deviceScopeOf(event));
      if (account) for (const scope of subjectScopes(event)) if (!known.has(scope) && !links.has(scope)) links.set(scope, account);
      return account;
    });
    await tx.link([...links].map(([scope, accountId]) => ({ scope, accountId })));
    const scopes = events.map((e, i) => keyScopeOf(e, accounts[i]));
    const keys = await tx.dataKeys([...new Set(scopes)], true);
    const receivedAt = this.clock.now().toISOString();
    const staged: StagedEntry[] = [];
    events.forEach((event, i) => {
      try {
        staged.push(toStaged(eventEntry(event, scopes[i], receivedAt, sealWith(event.id, keys.get(scopes[i]) ?? null), embeddingDigest)));
      } catch (error) {
        refused.push({ event, reason: `cannot be recorded: ${(error as Error).message}` });
      }
    });
    await this.stage(tx, staged);
    return refused;
  }

  async entries(tx: AuditTx, entries: readonly AuditEntry[]): Promise<number> {
    return this.stage(tx, entries.map(toStaged));
  }

  private async stage(tx: AuditTx, staged: StagedEntry[]): Promise<number> {
    const fresh = await tx.stage(staged);
    // Woken after the commit: before it, the integrator would not see these rows yet.
    if (fresh > 0) tx.afterCommit(() => this.signal.notify());
    return fresh;
  }
}

const sealWith = (eventId: string, key: DataKey | null) => (path: string, value: unknown): SealedValue | typeof ERASED =>
  key ? { $sealed: key.seal(sealContext(eventId, path), Buffer.from(canonicalJson(value), 'utf8')) } : ERASED;
