import { Inject, Injectable } from '@nestjs/common';
import type { Address, CallGrant, DeviceLocation, MemberPermissionsChanged, MemberRole } from '@homeline/contracts';
import { isStreamVersionConflict } from '@homeline/event-store';
import { IdempotencyStore, type StoredResponse } from '@homeline/platform';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../clock';
import type { HouseholdCommand } from '../domain';
import { executeHouseholdCommand } from './household-command';
import { VoiceprintCipher } from './voiceprint-cipher';

export interface OpenAccountInput { readonly msisdn: string; readonly displayName: string; readonly timezone: string; readonly address: Address }
export interface AddMemberInput { readonly name: string; readonly role: MemberRole }
export interface ChangePermissionsInput { readonly role?: MemberRole; readonly grant?: readonly CallGrant[]; readonly revoke?: readonly CallGrant[] }
export interface LinkDeviceInput { readonly deviceId: string; readonly name: string; readonly publicKey: string; readonly location?: DeviceLocation }
export interface AddContactInput { readonly name: string; readonly aliases?: readonly string[]; readonly number: string; readonly memberId?: string }

const MAX_ATTEMPTS = 10;

/** An integration's request: the Idempotency-Key it sent (if any) and the body, for replay checks. */
export interface Request<T> { readonly idempotencyKey?: string; readonly body: T }

/** A household command before the clock stamps it. */
type Unstamped = HouseholdCommand extends infer C ? (C extends HouseholdCommand ? Omit<C, 'now'> : never) : never;

/** The household registry's use cases: each is one transaction, replayed under its Idempotency-Key. */
@Injectable()
export class HouseholdRegistry {
  constructor(
    private readonly idempotency: IdempotencyStore,
    private readonly cipher: VoiceprintCipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  openAccount({ idempotencyKey, body }: Request<OpenAccountInput>): Promise<StoredResponse<{ accountId: string }>> {
    return this.once('POST /v1/accounts', idempotencyKey, body, async (tx) => {
      const accountId = randomUUID();
      await this.execute(tx, { type: 'OpenAccount', accountId, ...body });
      return { status: 201, body: { accountId } };
    });
  }

  addMember(accountId: string, { idempotencyKey, body }: Request<AddMemberInput>) {
    return this.once(`POST /v1/accounts/${accountId}/members`, idempotencyKey, body, async (tx) => {
      const memberId = randomUUID();
      await this.execute(tx, { type: 'AddMember', accountId, memberId, ...body });
      return { status: 201, body: { memberId } };
    });
  }

  changePermissions(accountId: string, memberId: string, { idempotencyKey, body }: Request<ChangePermissionsInput>) {
    return this.once(`PATCH /v1/accounts/${accountId}/members/${memberId}`, idempotencyKey, body, async (tx) => {
      const [event] = await this.execute(tx, { type: 'ChangeMemberPermissions', accountId, memberId, ...body });
      const { role, overrides, grants } = event.data as MemberPermissionsChanged;
      return { status: 200, body: { memberId, role, overrides, grants } };
    });
  }

  enrollVoiceprint(accountId: string, memberId: string, { idempotencyKey, body }: Request<{ embedding: readonly number[] }>) {
    return this.once(`POST /v1/accounts/${accountId}/members/${memberId}/voiceprints`, idempotencyKey, body, async (tx) => {
      await this.execute(tx, { type: 'EnrollVoiceprint', accountId, memberId, embedding: body.embedding });
      // The embedding is biometric data: it is stored sealed, beside the event and never in it.
      const voiceprintId = randomUUID();
      await tx.query(`INSERT INTO voiceprints (voiceprint_id, member_id, account_id, sealed) VALUES ($1, $2, $3, $4)`, [
        voiceprintId, memberId, accountId, this.cipher.seal(accountId, body.embedding),
      ]);
      return { status: 201, body: { voiceprintId, memberId, dimensions: body.embedding.length } };
    });
  }

  linkDevice(accountId: string, { idempotencyKey, body }: Request<LinkDeviceInput>) {
    return this.once(`POST /v1/accounts/${accountId}/devices`, idempotencyKey, body, async (tx) => {
      await this.execute(tx, { type: 'LinkDevice', accountId, ...body, location: body.location ?? null });
      return { status: 201, body: { deviceId: body.deviceId } };
    });
  }

  unlinkDevice(accountId: string, deviceId: string, idempotencyKey?: string) {
    return this.once(`DELETE /v1/accounts/${accountId}/devices/${deviceId}`, idempotencyKey, {}, async (tx) => {
      await this.execute(tx, { type: 'UnlinkDevice', accountId, deviceId });
      return { status: 204, body: null };
    });
  }

  addContact(accountId: string, { idempotencyKey, body }: Request<AddContactInput>) {
    return this.once(`POST /v1/accounts/${accountId}/contacts`, idempotencyKey, body, async (tx) => {
      const contactId = randomUUID();
      const { name, aliases = [], number, memberId = null } = body;
      const [event] = await this.execute(tx, { type: 'AddContact', accountId, contactId, name, aliases, number, memberId });
      return { status: 201, body: { contactId, e164: (event.data as { e164: string }).e164 } };
    });
  }

  private execute(tx: EntityManager, command: Unstamped) {
    return executeHouseholdCommand(tx, { ...command, now: this.clock().toISOString() } as HouseholdCommand);
  }

  /**
   * One transaction per attempt (without a key the store hands over a plain manager; `transaction`
   * opens one, or a savepoint inside the key's). The account lock serialises a household's
   * commands, but a key's claim is the transaction's first write: a request that claimed its key
   * before a concurrent one appended is refused by the event store ('transaction-order'), so it
   * is rolled back, key and all, and run again.
   */
  private async once<T>(scope: string, key: string | undefined, request: unknown, work: (tx: EntityManager) => Promise<StoredResponse<T>>) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.idempotency.once(scope, key, request, (manager) => manager.transaction(work));
      } catch (error) {
        if (!isStreamVersionConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}
