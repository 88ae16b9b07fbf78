import type { Envelope } from '@homeline/contracts';
import { sealPersonalData, type Seal } from './personal-data';

/**
 * One entry of the log: the leaf is the UTF-8 of the RFC 8785 canonical JSON of this object
 * (docs/architecture.md section 7). `event` is the envelope as received with its personal data
 * sealed; `keyScope` names the data key that sealed it; the audit's own actions (queries,
 * exports, erasures) are entries too, as envelopes with source `audit`.
 */
export interface AuditEntry {
  readonly event: Envelope;
  readonly keyScope: string | null;
  readonly receivedAt: string;
}

/** The columns compliance queries filter on, derived from the entry alone (so a check can re-derive them). */
export interface EntryColumns {
  readonly eventId: string;
  readonly type: string;
  readonly source: string;
  readonly occurredAt: string;
  readonly accountId: string | null;
  readonly callId: string | null;
  readonly memberId: string | null;
  readonly deviceId: string | null;
  /** Every member and device the entry names: what a query by member or device finds it by. */
  readonly mentions: EntryMentions;
}

/**
 * The members and devices an event names: its own `memberId` and `deviceId`, an emergency's
 * `ownerMemberId`, the member or device an approval's `action` is about — any key ending in
 * `memberId` or `deviceId`, at any depth (identifiers, kept in the clear). A value longer than any
 * id Homeline issues is not one to find an entry by (nor could an index hold it): it is left out.
 */
export interface EntryMentions {
  readonly members: readonly string[];
  readonly devices: readonly string[];
}

const MEMBER_KEY = /(^m|M)emberId$/;
const DEVICE_KEY = /(^d|D)eviceId$/;
const LONGEST_SUBJECT = 256;

export const mentionsOf = (data: Record<string, unknown>): EntryMentions => {
  const members = new Set<string>();
  const devices = new Set<string>();
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (value.length > LONGEST_SUBJECT) return;
      if (MEMBER_KEY.test(key)) members.add(value);
      else if (DEVICE_KEY.test(key)) devices.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(data, '');
  return { members: [...members].sort(), devices: [...devices].sort() };
};

const text = (data: Record<string, unknown>, key: string): string | null => (typeof data[key] === 'string' ? (data[key] as string) : null);

export const accountScope = (accountId: string): string => `account:${accountId}`;

/** The account an event belongs to, as the event itself says. */
export const accountOf = (event: Envelope): string | null => event.accountId ?? text(event.data, 'accountId');

/**
 * Whose data key seals an event's personal data: its account; else `linkedAccount`, the account
 * its call or device was linked to (RecordEntries); else the device or call itself (a key an
 * erasure of the account also deletes once the link is known); else the stream.
 */
export const keyScopeOf = (event: Envelope, linkedAccount: string | undefined): string => {
  const account = accountOf(event) ?? linkedAccount;
  if (account) return accountScope(account);
  return subjectScopes(event)[0] ?? `stream:${event.streamId}`;
};

/** identity's DeviceLinked: where its device is from now on, and since when (the scope's link follows it). */
export const deviceLinkOf = (event: Envelope): DeviceLink | null => {
  const device = text(event.data, 'deviceId');
  const account = accountOf(event);
  return event.source === 'identity' && event.type === 'DeviceLinked' && device && account
    ? { scope: `device:${device}`, accountId: account, occurredAt: event.occurredAt }
    : null;
};

export interface DeviceLink {
  readonly scope: string;
  readonly accountId: string;
  readonly occurredAt: string;
}

/** The device an event names, as a scope that can be linked to an account. */
export const deviceScopeOf = (event: Envelope): string | null => {
  const device = text(event.data, 'deviceId');
  return device ? `device:${device}` : null;
};

/** The call an event names, as a scope that can be linked to an account. */
export const callScopeOf = (event: Envelope): string | null => {
  const call = text(event.data, 'callId');
  return call ? `call:${call}` : null;
};

/** The device and call an event names: scopes that can be linked to an account. */
export const subjectScopes = (event: Envelope): string[] => [deviceScopeOf(event), callScopeOf(event)].filter((scope) => scope !== null);

/**
 * The first text of an event that PostgreSQL would keep as `text` (a query column, a key scope)
 * and cannot: one holding a NUL character. Such an event could never be staged, and a retry would
 * fail the same way for ever; it is dead-lettered instead. (The leaf itself is bytes: NUL is fine there.)
 */
export const unstorableText = (event: Envelope): string | null => {
  const texts: Record<string, string | null> = {
    type: event.type, source: event.source, streamId: event.streamId, accountId: accountOf(event),
    callId: text(event.data, 'callId'), memberId: text(event.data, 'memberId'), deviceId: text(event.data, 'deviceId'),
  };
  const mentions = mentionsOf(event.data);
  texts['a member or device it names'] = [...mentions.members, ...mentions.devices].find((id) => id.includes('\u0000')) ?? null;
  return Object.keys(texts).find((name) => texts[name]?.includes('\u0000')) ?? null;
};

export const eventEntry = (received: Envelope, keyScope: string, receivedAt: string, seal: Seal, digest: (embedding: unknown) => unknown): AuditEntry => ({
  event: { ...received, data: sealPersonalData(received.data, seal, digest) },
  keyScope,
  receivedAt,
});

export const columnsOf = (entry: AuditEntry): EntryColumns => {
  const { event } = entry;
  const scoped = entry.keyScope?.startsWith('account:') ? entry.keyScope.slice('account:'.length) : null;
  return {
    eventId: event.id,
    type: event.type,
    source: event.source,
    occurredAt: event.occurredAt,
    accountId: scoped ?? accountOf(event),
    callId: text(event.data, 'callId'),
    memberId: text(event.data, 'memberId'),
    deviceId: text(event.data, 'deviceId'),
    // The audit's own entries (a compliance query naming a member in its filter) are not about that member.
    mentions: event.source === 'audit' ? { members: [], devices: [] } : mentionsOf(event.data),
  };
};
