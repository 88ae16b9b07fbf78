import type { Companion } from '@homeline/event-store';
import type { MemberRole, PermissionOverrides } from '@homeline/contracts';
import type { EntityManager } from 'typeorm';
import type { LinkedDevice } from '../domain';

/** A nonce as the replay guard knows it: per device, burnt by the request that used it. */
export interface NonceUse {
  readonly deviceId: string;
  readonly nonce: string;
  readonly callId: string;
  /** The assertion's issuedAt: the nonce is swept once no request could find that assertion fresh. */
  readonly issuedAt: string;
}

/** An enrolled voiceprint, sealed, with its member's permissions (who may answer a call). */
export interface SealedVoiceprint {
  readonly accountId: string;
  readonly memberId: string;
  readonly sealed: Buffer;
  readonly role: MemberRole;
  readonly overrides: PermissionOverrides;
}

/** A contact whose number is calling: the household's (memberId null) or a member's own. */
export interface CallingContact {
  readonly accountId: string;
  readonly e164: string;
  readonly memberId: string | null;
}

/** The same (device, nonce) gives the same key, whatever characters either holds. */
export const nonceKey = (deviceId: string, nonce: string): string => JSON.stringify([deviceId, nonce]);

/**
 * What verification reads and writes in identity's tables, set-based: one statement per method
 * whatever the number of requests, in the caller's transaction. The port (an abstract class, so
 * it is also the injection token); the SQL adapter is in edges/.
 */
export abstract class VerificationStore {
  /** The devices among these that are linked now, or held for an owner's approval (marked `held`), by id. */
  abstract linkedDevices(tx: EntityManager, deviceIds: readonly string[]): Promise<Map<string, LinkedDevice>>;
  /** The pairs among these already burnt, as nonceKey()s. */
  abstract seenNonces(tx: EntityManager, nonces: readonly Pick<NonceUse, 'deviceId' | 'nonce'>[]): Promise<Set<string>>;
  abstract sealedVoiceprints(tx: EntityManager, accountIds: readonly string[]): Promise<readonly SealedVoiceprint[]>;
  /** The contacts of these accounts whose number is one of these: who holds each (null: the household). */
  abstract contactsCalling(tx: EntityManager, accountIds: readonly string[], numbers: readonly string[]): Promise<readonly CallingContact[]>;
  /**
   * Burns these nonces. One burnt meanwhile by a concurrent transaction fails the statement as a
   * lost race, so the batch is retried on a fresh read and then sees it as seen.
   */
  /** The write that burns the nonces (a nonce burnt meanwhile fails it on its key: a lost race). */
  abstract burnNonces(nonces: readonly NonceUse[]): Companion;
  /**
   * Forgets up to `limit` nonces of assertions issued more than `retentionSeconds` ago by the
   * database's clock, and says how many: verification refuses such assertions as stale before
   * they could be forgotten (SpeakerVerificationConfig.rememberNoncesSeconds).
   */
  abstract forgetNonces(db: EntityManager, retentionSeconds: number, limit: number): Promise<number>;
}
