import type { Assurance, CallPermission } from '@homeline/contracts';
import { grantsFor, type MemberPermissions } from './permissions';

/** What identity knows of an inbound call when a member tries to answer it (from AnswerRequested). */
export interface InboundCallFacts {
  /** The caller's number is a household contact or one of the answering member's own. */
  readonly fromContact: boolean;
  /** The carrier flagged it, or the caller is a contact marked sensitive (a bank, a one-time-password sender). */
  readonly sensitive: boolean;
  /** Perhaps the emergency services calling back, within the window after the household's emergency call. */
  readonly emergencyCallback?: boolean;
}

/**
 * Who may answer an inbound call (docs/architecture.md section 6.1), read from the same grants
 * that say who may place one, so an owner's PATCH changes both at once: a call from a household
 * contact needs `contacts` or `domestic`, any other call `domestic`. By default an owner or adult
 * answers anything, a child only contacts' calls, a guest (who holds only `emergency`) nothing.
 * A sensitive call also needs `answer_sensitive` (owners by default) and a voice recognised with
 * `high` assurance: without the grant the answer is not permitted, below the high thresholds
 * the assurance is insufficient. A call that may be the emergency services calling back may be
 * answered by any member, a guest or a child included: whoever dialled 911 must be able to take
 * the call-taker's call, as they could place the call (`emergency` is every role's grant). It is
 * any call within the window, though, so a sensitive one keeps its rule: a bank's call is not the
 * call-taker's.
 */
export const mayAnswerCall = (member: MemberPermissions, call: InboundCallFacts, assurance: Assurance): CallPermission => {
  const grants = grantsFor(member);
  const reachable = call.emergencyCallback === true || grants.includes('domestic') || (call.fromContact && grants.includes('contacts'));
  if (!reachable) return { allowed: false, reason: 'not_permitted' };
  if (!call.sensitive) return { allowed: true };
  if (!grants.includes('answer_sensitive')) return { allowed: false, reason: 'not_permitted' };
  return assurance === 'high' ? { allowed: true } : { allowed: false, reason: 'insufficient_assurance' };
};
