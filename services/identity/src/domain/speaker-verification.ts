import type { VoiceAssertion } from '@homeline/contracts';
import type { Decider } from '@homeline/event-store';
import { verifyAnswer, type AnswerContext, type AnswerDecision } from './verify-answer';
import { verifySpeaker, type SpeakerDecision, type VerificationContext } from './verify-speaker';

/** One verification of the voice that places a call: the assertion, and everything identity knew when it was asked. */
export interface VerifySpeaker {
  readonly type: 'VerifySpeaker';
  readonly assertion: VoiceAssertion;
  readonly context: VerificationContext;
}

/** One answer to an inbound call: the same voice check, then who may answer. */
export interface VerifyAnswer {
  readonly type: 'VerifyAnswer';
  readonly assertion: VoiceAssertion;
  readonly context: AnswerContext;
}

export type VerificationCommand = VerifySpeaker | VerifyAnswer;
export type VerificationDecision = SpeakerDecision | AnswerDecision;

export type VerificationState =
  | { readonly status: 'pending' }
  | { readonly status: 'decided'; readonly decision: VerificationDecision['type']; readonly accountId: string | null };

export const initialVerificationState: VerificationState = { status: 'pending' };

export const evolveVerification = (_state: VerificationState, event: VerificationDecision): VerificationState => {
  switch (event.type) {
    case 'SpeakerVerified':
    case 'SpeakerRejected':
    case 'AnswerAuthorized':
    case 'AnswerRefused':
      return { status: 'decided', decision: event.type, accountId: event.data.accountId };
    default: {
      const unknown: never = event;
      throw new Error(`unknown verification event ${(unknown as VerificationDecision).type}`);
    }
  }
};

const decidePending = (command: VerificationCommand): VerificationDecision => {
  switch (command.type) {
    case 'VerifySpeaker':
      return verifySpeaker(command.assertion, command.context);
    case 'VerifyAnswer':
      return verifyAnswer(command.assertion, command.context);
    default: {
      const unknown: never = command;
      throw new Error(`unknown verification command ${(unknown as VerificationCommand).type}`);
    }
  }
};

/**
 * A request is decided once: a redelivered or repeated request decides nothing more, so the
 * decision (and the nonce it burnt) stands whatever arrives after it.
 */
export const decideVerification = (command: VerificationCommand, state: VerificationState): VerificationDecision[] => {
  switch (state.status) {
    case 'decided':
      return [];
    case 'pending':
      return [decidePending(command)];
    default: {
      const unknown: never = state;
      throw new Error(`unknown verification state ${(unknown as VerificationState).status}`);
    }
  }
};

/**
 * The verification of one request: stream `verification-<callId>` for a call being placed,
 * `answer-<answerId>` for an attempt to answer one. One decider for both, so a consumer's batch
 * holding both kinds is appended in one statement.
 */
export const verificationDecider: Decider<VerificationCommand, VerificationDecision, VerificationState> = {
  decide: decideVerification,
  evolve: evolveVerification,
  initialState: () => initialVerificationState,
};
