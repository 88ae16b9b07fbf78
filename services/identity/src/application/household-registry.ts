import type { Address, CallGrant, DeviceLocation, MemberRole, QuietWindow } from '@homeline/contracts';
import type { IdGenerator } from '@homeline/event-store';
import type { StoredResponse } from '@homeline/platform';
import type { HoldTicket, HouseholdState } from '../domain';
import { storeVoiceprint } from './household-projection';
import type { HouseholdWrites, Outcome } from './household-writes';
import type { VoiceprintCipher } from './voiceprint-cipher';

export interface OpenAccountInput { readonly msisdn: string; readonly displayName: string; readonly timezone: string; readonly address: Address }
export interface AddMemberInput { readonly name: string; readonly role: MemberRole }
export interface ChangePermissionsInput { readonly role?: MemberRole; readonly grant?: readonly CallGrant[]; readonly revoke?: readonly CallGrant[] }
export interface LinkDeviceInput { readonly deviceId: string; readonly name: string; readonly publicKey: string; readonly location?: DeviceLocation }
export interface AddContactInput {
  readonly name: string; readonly aliases?: readonly string[]; readonly number: string; readonly memberId?: string; readonly sensitive?: boolean;
}
export interface AwayModeInput { readonly enabled: boolean; readonly until?: string }
export interface QuietHoursInput { readonly windows: readonly QuietWindow[] }

/** The registry's limits, from the service's configuration. */
export interface RegistryPolicy {
  /** VOICEPRINTS_PER_MEMBER_MAX */
  readonly voiceprintsPerMember: number;
  /** APPROVAL_TTL_SECONDS: how long a held action waits for an owner's answer. */
  readonly approvalTtlSeconds: number;
}

/** An integration's request: the Idempotency-Key it sent (if any) and the body, for replay checks. */
export interface Request<T> { readonly idempotencyKey?: string; readonly body: T }

/** What a held request answers (docs/architecture.md section 6.2). */
export interface HeldResponse { readonly approvalId: string; readonly status: 'pending'; readonly expiresAt: string }

// After a command other than OpenAccount succeeded, the household is open.
const openHousehold = (state: HouseholdState) => {
  if (state.status !== 'open') throw new Error('expected an open household after a successful command');
  return state;
};

/** 202 pending when the household's approver must first say yes, else what `done` answers. */
export const heldOr = <T>(outcome: Outcome, done: (outcome: Outcome) => StoredResponse<T>): StoredResponse<T | HeldResponse> => {
  const [first] = outcome.newEvents;
  if (first?.type !== 'ApprovalRequested') return done(outcome);
  return { status: 202, body: { approvalId: first.data.approvalId, status: 'pending', expiresAt: first.data.expiresAt } };
};

/**
 * The household registry's use cases, each on the household's one write path (HouseholdWrites),
 * once per Idempotency-Key. Linking or unlinking a device, enrolling or removing a voiceprint, removing a member, making an owner and
 * granting premium, international or answer_sensitive may be held for an owner's approval: they then answer 202 pending.
 */
export class HouseholdRegistry {
  constructor(
    private readonly writes: HouseholdWrites,
    private readonly cipher: VoiceprintCipher,
    private readonly ids: IdGenerator,
    private readonly policy: RegistryPolicy,
  ) {}

  /** The approval a request would get if it is held; fixed before the first attempt, like every id. */
  holdTicket(): HoldTicket {
    return { approvalId: this.ids.next(), ttlSeconds: this.policy.approvalTtlSeconds };
  }

  /** No account exists yet to scope its Idempotency-Key by: the line it opens does (one account per line). */
  openAccount({ idempotencyKey, body }: Request<OpenAccountInput>) {
    const accountId = this.ids.next();
    return this.writes.run(`POST /v1/accounts ${body.msisdn}`, idempotencyKey, body, { type: 'OpenAccount', accountId, ...body }, () => ({
      status: 201, body: { accountId },
    }));
  }

  addMember(accountId: string, { idempotencyKey, body }: Request<AddMemberInput>) {
    const memberId = this.ids.next();
    const command = { type: 'AddMember', accountId, memberId, ...body, hold: this.holdTicket() } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/members`, idempotencyKey, body, command, (outcome) =>
      heldOr(outcome, () => ({ status: 201, body: { memberId } })));
  }

  changePermissions(accountId: string, memberId: string, { idempotencyKey, body }: Request<ChangePermissionsInput>) {
    const command = { type: 'ChangeMemberPermissions', accountId, memberId, ...body, hold: this.holdTicket() } as const;
    return this.writes.run(`PATCH /v1/accounts/${accountId}/members/${memberId}`, idempotencyKey, body, command, (outcome) =>
      heldOr(outcome, ({ newEvents: [event] }) => {
        if (event.type !== 'MemberPermissionsChanged') throw new Error(`expected MemberPermissionsChanged, decided ${event.type}`);
        const { role, overrides, grants } = event.data;
        return { status: 200, body: { memberId, role, overrides, grants } };
      }));
  }

  enrollVoiceprint(accountId: string, memberId: string, { idempotencyKey, body }: Request<{ embedding: readonly number[] }>) {
    const voiceprintId = this.ids.next();
    const command = {
      type: 'EnrollVoiceprint', accountId, memberId, voiceprintId, embedding: body.embedding, maxPerMember: this.policy.voiceprintsPerMember, hold: this.holdTicket(),
    } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/members/${memberId}/voiceprints`, idempotencyKey, body, command, async (outcome, tx) => {
      const [first] = outcome.newEvents;
      const heldFor = first?.type === 'ApprovalRequested' ? first.data.approvalId : null;
      await storeVoiceprint(tx, { voiceprintId, memberId, accountId, sealed: this.cipher.seal(accountId, body.embedding) }, heldFor);
      return heldOr(outcome, () => ({ status: 201, body: { voiceprintId, memberId, dimensions: body.embedding.length } }));
    });
  }

  /** 204 once the voice no longer matches (its sealed embedding is deleted in the same transaction), or 202 when held. */
  removeVoiceprint(accountId: string, memberId: string, voiceprintId: string, idempotencyKey?: string) {
    const command = { type: 'RemoveVoiceprint', accountId, memberId, voiceprintId, hold: this.holdTicket() } as const;
    return this.writes.run(`DELETE /v1/accounts/${accountId}/members/${memberId}/voiceprints/${voiceprintId}`, idempotencyKey, {}, command, (outcome) =>
      heldOr(outcome, () => ({ status: 204, body: null })));
  }

  /** 204 once the member, their voiceprints and their own contacts are gone, or 202 when held. */
  removeMember(accountId: string, memberId: string, idempotencyKey?: string) {
    const command = { type: 'RemoveMember', accountId, memberId, hold: this.holdTicket() } as const;
    return this.writes.run(`DELETE /v1/accounts/${accountId}/members/${memberId}`, idempotencyKey, {}, command, (outcome) =>
      heldOr(outcome, () => ({ status: 204, body: null })));
  }

  /**
   * The carrier's account desk closes the account (RECOVERY_TOKEN, not the integration's): every
   * speaker unlinked, every waiting approval expired, the household's data deleted, the line free.
   * Answers with what went; closing a closed account answers 200 with nothing gone (a retry).
   */
  closeAccount(accountId: string, { idempotencyKey, body }: Request<{ readonly reason: string }>) {
    const command = { type: 'CloseAccount', accountId, reason: body.reason } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/closure`, idempotencyKey, body, command, ({ newEvents }) => ({
      status: 200,
      body: {
        accountId,
        unlinkedDevices: newEvents.flatMap((e) => (e.type === 'DeviceUnlinked' ? [e.data.deviceId] : [])),
        expiredApprovals: newEvents.flatMap((e) => (e.type === 'ApprovalExpired' ? [e.data.approvalId] : [])),
      },
    }));
  }

  linkDevice(accountId: string, { idempotencyKey, body }: Request<LinkDeviceInput>) {
    const command = { type: 'LinkDevice', accountId, ...body, location: body.location ?? null, hold: this.holdTicket() } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/devices`, idempotencyKey, body, command, (outcome) =>
      heldOr(outcome, () => ({ status: 201, body: { deviceId: body.deviceId } })));
  }

  unlinkDevice(accountId: string, deviceId: string, idempotencyKey?: string) {
    const command = { type: 'UnlinkDevice', accountId, deviceId, hold: this.holdTicket() } as const;
    return this.writes.run(`DELETE /v1/accounts/${accountId}/devices/${deviceId}`, idempotencyKey, {}, command, (outcome) =>
      heldOr(outcome, () => ({ status: 204, body: null })));
  }

  addContact(accountId: string, { idempotencyKey, body }: Request<AddContactInput>) {
    const { name, aliases = [], number, memberId = null, sensitive = false } = body;
    const command = { type: 'AddContact', accountId, contactId: this.ids.next(), name, aliases, number, memberId, sensitive } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/contacts`, idempotencyKey, body, command, ({ newEvents: [event] }) => {
      if (event.type !== 'ContactAdded') throw new Error(`expected ContactAdded, decided ${event.type}`);
      return { status: 201, body: { contactId: command.contactId, e164: event.data.e164 } };
    });
  }

  /** Answers with Away Mode as it now is, whether or not this request changed it. */
  setAwayMode(accountId: string, { idempotencyKey, body }: Request<AwayModeInput>) {
    const command = { type: 'SetAwayMode', accountId, enabled: body.enabled, until: body.until ?? null } as const;
    return this.writes.run(`PUT /v1/accounts/${accountId}/away-mode`, idempotencyKey, body, command, ({ state }) => ({
      status: 200, body: { awayMode: openHousehold(state).awayMode },
    }));
  }

  /** Answers with the windows as they now are ([] when cleared). */
  setQuietHours(accountId: string, { idempotencyKey, body }: Request<QuietHoursInput>) {
    const command = { type: 'SetQuietHours', accountId, windows: body.windows } as const;
    return this.writes.run(`PUT /v1/accounts/${accountId}/quiet-hours`, idempotencyKey, body, command, ({ state }) => ({
      status: 200, body: { quietHours: openHousehold(state).quietHours },
    }));
  }
}
