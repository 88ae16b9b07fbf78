import {
  callGrants,
  permitsCall,
  type Assurance,
  type CallGrant,
  type CallPermission,
  type DestinationClass,
  type MemberRole,
  type PermissionOverrides,
} from '@homeline/contracts';

/**
 * What each role may call by default: a guest only emergency numbers; a child also the
 * household's and their own contacts; an adult any domestic number and short codes; an owner
 * premium and international numbers too, and answers sensitive calls (mayAnswerCall).
 */
export const roleGrants: Readonly<Record<MemberRole, readonly CallGrant[]>> = {
  guest: ['emergency'],
  child: ['emergency', 'contacts'],
  adult: ['emergency', 'contacts', 'short_code', 'domestic'],
  owner: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international', 'answer_sensitive'],
};

export interface MemberPermissions {
  readonly role: MemberRole;
  /** Deviations from the role: an owner can grant an adult international calls, or revoke a child's contacts. */
  readonly overrides?: Partial<PermissionOverrides>;
}

/** Effective grants, in a stable order. Emergency calls cannot be revoked. */
export const grantsFor = ({ role, overrides = {} }: MemberPermissions): CallGrant[] => {
  const granted = new Set<CallGrant>([...roleGrants[role], ...(overrides.grant ?? [])]);
  for (const revoked of overrides.revoke ?? []) if (revoked !== 'emergency') granted.delete(revoked);
  return callGrants.filter((g) => granted.has(g));
};

/**
 * May this member place a call to a destination of this class? `viaContact` is true when the
 * number is one of the speaker's own or the household's contacts. A risky class (premium,
 * international) also needs the speaker verified with `high` assurance.
 */
export const mayPlaceCall = (
  member: MemberPermissions,
  destination: DestinationClass,
  viaContact: boolean,
  assurance: Assurance = 'high',
): CallPermission => permitsCall(grantsFor(member), destination, viaContact, assurance);
