import type { AnswerRefusalReason, VoiceAssertion } from '@homeline/contracts';

interface InboundCommandBase {
  readonly callId: string;
  /** ISO-8601; the only clock the decider sees. */
  readonly now: string;
}

/** routing offered a call to the line and chose the devices that ring. */
export type OfferCall = InboundCommandBase & {
  readonly type: 'OfferCall';
  readonly accountId: string;
  readonly from: string;
  readonly callerName: string | null;
  readonly fromContact: boolean;
  readonly sensitive: boolean;
  /** Perhaps the emergency services calling back (routing's judgement): any member may answer. */
  readonly emergencyCallback: boolean;
  readonly devices: readonly string[];
};
/** routing declined the offer by policy (Away Mode, quiet hours, no device). */
export type DeclineCall = InboundCommandBase & { readonly type: 'DeclineCall'; readonly reason: 'away_mode' | 'quiet_hours' | 'no_devices' };
/** A device asks to answer, with its voice assertion. */
export type RequestAnswer = InboundCommandBase & {
  readonly type: 'RequestAnswer';
  readonly answerId: string;
  readonly deviceId: string;
  readonly voice: VoiceAssertion;
};
/** identity verified the answer and the member may take the call. */
export type RecordAnswerAuthorized = InboundCommandBase & {
  readonly type: 'RecordAnswerAuthorized';
  readonly answerId: string;
  readonly deviceId: string;
  readonly memberId: string;
};
/** identity refused the answer. */
export type RecordAnswerRefused = InboundCommandBase & {
  readonly type: 'RecordAnswerRefused';
  readonly answerId: string;
  readonly deviceId: string;
  readonly reason: AnswerRefusalReason;
};

export type InboundCallCommand = OfferCall | DeclineCall | RequestAnswer | RecordAnswerAuthorized | RecordAnswerRefused;
