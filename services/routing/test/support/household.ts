import { randomUUID } from 'node:crypto';
import type { CallGrant, CallRouting, Envelope, EventData, EventType, MemberRole, QuietWindow } from '@homeline/contracts';
import { envelope } from './envelopes';

const grantsByRole: Record<MemberRole, CallGrant[]> = {
  owner: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international'],
  adult: ['emergency', 'contacts', 'short_code', 'domestic'],
  child: ['emergency', 'contacts'],
  guest: ['emergency'],
};

/** Builds a household's registry events the way identity publishes them (stream account-<id>). */
export class HouseholdEvents {
  readonly accountId = `acc-${randomUUID()}`;
  readonly events: Envelope[] = [];
  readonly address: { line1: string; city: string; region: string; postalCode: string; country: string };

  constructor(
    readonly msisdn = '+15551230001',
    readonly timezone = 'America/Los_Angeles',
    address: Partial<HouseholdEvents['address']> = {},
  ) {
    this.address = { line1: '742 Evergreen Terrace', city: 'Springfield', region: 'OR', postalCode: '97403', country: 'US', ...address };
    this.add('AccountOpened', {
      accountId: this.accountId,
      msisdn,
      displayName: 'The Simpsons',
      timezone,
      address: this.address,
    });
  }

  member(role: MemberRole, name: string = role): string {
    const memberId = `mem-${randomUUID()}`;
    this.add('MemberAdded', { accountId: this.accountId, memberId, name, role, grants: grantsByRole[role] });
    return memberId;
  }

  device(location: { room: string; floor?: string } | null = { room: 'Kitchen', floor: '1' }): string {
    const deviceId = `dev-${randomUUID()}`;
    this.add('DeviceLinked', { accountId: this.accountId, deviceId, name: 'Speaker', publicKey: 'AAAA', location });
    return deviceId;
  }

  /** identity's DELETE of a device (approved), as the event it publishes; returns it (to publish later, or it is in `events`). */
  unlink(deviceId: string): Envelope {
    return this.add('DeviceUnlinked', { accountId: this.accountId, deviceId });
  }

  /** identity's DELETE of a member (approved), as the event it publishes. */
  removeMember(memberId: string): Envelope {
    return this.add('MemberRemoved', { accountId: this.accountId, memberId });
  }

  /** identity's closure of the account by the carrier's desk, as it publishes it: its speakers unlinked, then AccountClosed. */
  close(reason = 'contract ended'): Envelope[] {
    const linked = this.events.flatMap((e) => (e.type === 'DeviceLinked' ? [(e.data as { deviceId: string }).deviceId] : []));
    const unlinked = new Set(this.events.flatMap((e) => (e.type === 'DeviceUnlinked' ? [(e.data as { deviceId: string }).deviceId] : [])));
    return [
      ...linked.filter((d) => !unlinked.has(d)).map((deviceId) => this.unlink(deviceId)),
      this.add('AccountClosed', { accountId: this.accountId, msisdn: this.msisdn, reason }),
    ];
  }

  contact(name: string, e164: string, memberId: string | null, aliases: string[] = [], sensitive?: boolean): string {
    const contactId = `con-${randomUUID()}`;
    this.add('ContactAdded', {
      accountId: this.accountId,
      contactId,
      name,
      aliases,
      e164,
      memberId,
      ...(sensitive === undefined ? {} : { sensitive }),
    });
    return contactId;
  }

  /** identity's PUT away-mode, as the event it publishes; returns it (to publish later, or it is in `events`). */
  awayMode(enabled: boolean, until: string | null = null): Envelope {
    return this.add('AwayModeChanged', { accountId: this.accountId, enabled, until });
  }

  quietHours(windows: QuietWindow[]): Envelope {
    return this.add('QuietHoursChanged', { accountId: this.accountId, windows });
  }

  /** How many members, devices and contacts these events register. */
  counts(): { members: number; devices: number; contacts: number } {
    const count = (type: string) => this.events.filter((e) => e.type === type).length;
    return {
      members: count('MemberAdded'),
      devices: count('DeviceLinked') - count('DeviceUnlinked'),
      contacts: count('ContactAdded'),
    };
  }

  private add<T extends EventType>(type: T, data: EventData<T>): Envelope {
    const event = envelope(
      type,
      data,
      { source: 'identity', streamId: `account-${this.accountId}`, accountId: this.accountId },
      this.events.length + 1,
    );
    this.events.push(event);
    return event;
  }
}

/** The CallRouting calls publishes once identity has answered. */
export const callRouting = (
  fields: Omit<CallRouting, 'callId' | 'deadline' | 'assurance'> & {
    callId?: string;
    assurance?: CallRouting['assurance'];
  },
): Envelope<'CallRouting', CallRouting> => {
  const callId = fields.callId ?? `call-${randomUUID()}`;
  const assurance = fields.assurance ?? (fields.verified ? 'standard' : null);
  const data: CallRouting = { ...fields, assurance, callId, deadline: new Date(Date.now() + 60_000).toISOString() };
  return envelope(
    'CallRouting',
    data,
    { source: 'calls', streamId: `call-${callId}`, accountId: fields.accountId, correlationId: callId },
    3,
  );
};

export const callEnded = (accountId: string, callId: string): Envelope =>
  envelope(
    'CallEnded',
    { callId, duration: 3, cause: 'hung_up', endedAt: new Date().toISOString() },
    {
      source: 'calls',
      streamId: `call-${callId}`,
      accountId,
      correlationId: callId,
    },
    9,
  );

export const callFailed = (accountId: string, callId: string): Envelope =>
  envelope(
    'CallFailed',
    { callId, reason: 'timeout', stage: 'answer', failedAt: new Date().toISOString() },
    {
      source: 'calls',
      streamId: `call-${callId}`,
      accountId,
      correlationId: callId,
    },
    9,
  );

/** calls asks for an emergency call's failed leg to be dialled again (EmergencyRedialRequested). */
export const emergencyRedial = (accountId: string, callId: string, attempt: number, deadline = new Date(Date.now() + 120_000)): Envelope =>
  envelope(
    'EmergencyRedialRequested',
    { callId, attempt, reason: 'busy', sipCode: 486, q850: 17, deadline: deadline.toISOString() },
    { source: 'calls', streamId: `call-${callId}`, accountId, correlationId: callId },
    4 + attempt,
  );
