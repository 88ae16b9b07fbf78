import type { Assurance, DestinationClass, RejectionReason, VoiceAssertion } from '@homeline/contracts';

/** What may be asked of a call. Every command carries the callId and the time it is decided at. */
interface CallCommandBase {
  readonly callId: string;
  /** ISO-8601; the only clock the decider sees. */
  readonly now: string;
}

export type RequestCall = CallCommandBase & {
  readonly type: 'RequestCall';
  readonly deviceId: string;
  readonly target: string;
  readonly voice: VoiceAssertion;
  /**
   * Set when the edge recognised an emergency call from a linked device (emergency-request.ts):
   * the call goes to routing at once, unverified, without waiting for identity.
   */
  readonly emergency?: { readonly accountId: string } | null;
};
/** identity verified the speaker. */
export type RecordVerification = CallCommandBase & {
  readonly type: 'RecordVerification';
  readonly accountId: string;
  readonly memberId: string;
  readonly assurance: Assurance;
};
/** identity refused the speaker, or routing refused the destination. */
export type RecordRejection = CallCommandBase & {
  readonly type: 'RecordRejection';
  readonly by: 'identity' | 'routing';
  readonly reason: RejectionReason;
  /** From identity: the device's account, null for an unlinked device. */
  readonly accountId?: string | null;
};
/** routing resolved the destination and asked the carrier for a leg. */
export type RecordRouting = CallCommandBase & {
  readonly type: 'RecordRouting';
  readonly class: DestinationClass;
  readonly e164: string;
};
export type RecordRinging = CallCommandBase & { readonly type: 'RecordRinging' };
export type ConnectCall = CallCommandBase & { readonly type: 'ConnectCall' };
export type FailCall = CallCommandBase & {
  readonly type: 'FailCall';
  readonly reason: 'busy' | 'no_answer' | 'carrier_failed';
  readonly sipCode?: number;
  readonly q850?: number;
};
/** The caller hangs up (HTTP), or the far end did (carrier: with the SIP code and Q.850 cause it gave). */
export type HangUp = CallCommandBase & { readonly type: 'HangUp'; readonly by: 'caller' | 'remote'; readonly sipCode?: number; readonly q850?: number };
/** A timer fired; the call fails if the deadline of its waiting step has passed. */
export type ExpireDeadline = CallCommandBase & { readonly type: 'ExpireDeadline' };

export type CallCommand =
  | RequestCall
  | RecordVerification
  | RecordRejection
  | RecordRouting
  | RecordRinging
  | ConnectCall
  | FailCall
  | HangUp
  | ExpireDeadline;
