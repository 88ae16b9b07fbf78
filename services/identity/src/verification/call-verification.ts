import type { IntegrationEvent } from '@homeline/contracts';
import { appendToStream } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { SpeakerVerificationConfig } from '../domain/speaker-thresholds';
import { burnsNonce, verifySpeaker, type SpeakerDecision, type VerificationContext } from '../domain/verify-speaker';
import type { VoiceprintCipher } from '../registry/voiceprint-cipher';
import { burnNonce, enrolledVoiceprints, findLinkedDevice, isCallDecided, isNonceSeen } from './verification.store';

export const verificationStreamId = (callId: string): string => `verification-${callId}`;

export interface CallVerificationDeps {
  readonly cipher: VoiceprintCipher;
  readonly config: SpeakerVerificationConfig;
}

const gatherContext = async (
  tx: EntityManager,
  { data }: IntegrationEvent<'CallRequested'>,
  deps: CallVerificationDeps,
): Promise<VerificationContext> => {
  const device = await findLinkedDevice(tx, data.deviceId);
  return {
    callId: data.callId,
    deviceId: data.deviceId,
    purpose: 'place-call',
    subject: data.target,
    risk: 'standard',
    device,
    nonceSeen: device ? await isNonceSeen(tx, data.deviceId, data.voice.nonce) : false,
    enrolled: device ? await enrolledVoiceprints(tx, device.accountId, deps.cipher) : [],
    // Freshness is judged at the moment calls accepted the request, not when identity gets to it:
    // a consumer backlog or a restart must not turn a genuine request stale, and a redelivered
    // event is decided the same way. A replayed assertion comes with a new request, so it still ages.
    now: data.requestedAt,
    config: deps.config,
  };
};

/**
 * Answers an outbound CallRequested with SpeakerVerified or SpeakerRejected on stream
 * `verification-<callId>`, in the caller's transaction (the inbox's): the nonce is burnt in the
 * same transaction as the decision, so a crash leaves neither, and a call is decided once.
 */
export const verifyCallRequest = async (
  tx: EntityManager,
  event: IntegrationEvent<'CallRequested'>,
  deps: CallVerificationDeps,
): Promise<SpeakerDecision | null> => {
  const { callId, deviceId, voice } = event.data;
  const streamId = verificationStreamId(callId);
  if (await isCallDecided(tx, streamId)) return null;
  const context = await gatherContext(tx, event, deps);
  let decision = verifySpeaker(voice, context);
  if (burnsNonce(decision) && !context.nonceSeen && !(await burnNonce(tx, deviceId, voice.nonce, callId))) {
    decision = verifySpeaker(voice, { ...context, nonceSeen: true });
  }
  await appendToStream(tx, streamId, [decision], {
    expectedVersion: 'no-stream',
    source: 'identity',
    correlationId: callId,
    causationId: event.id,
    accountId: decision.data.accountId,
  });
  return decision;
};
