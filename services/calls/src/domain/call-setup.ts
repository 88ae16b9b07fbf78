import { releaseCodesOf, type IntegrationEvent } from '@homeline/contracts';
import type { AnyCallCommand, AnyCallState } from './call-decider';

/**
 * The call-setup process manager: it turns what identity and routing report into commands on
 * the Call. Pure: the application feeds it each consumed event with the call's current state
 * and the clock, executes the commands (decide + append), then schedules `timerFor(newState)` (call.view.ts).
 * Events about other calls, or arriving before the call exists, produce nothing.
 */
export const commandsFor = (event: IntegrationEvent, state: AnyCallState, now: string): AnyCallCommand[] => {
  if (event.type === 'InboundCallOffered') {
    const { callId, accountId, from, callerName, fromContact, sensitive, devices, emergencyCallback } = event.data;
    return state.status === 'idle' ? [{ type: 'OfferCall', callId, now, accountId, from, callerName, fromContact, sensitive, emergencyCallback, devices }] : [];
  }
  if (state.status === 'idle' || !('callId' in event.data) || event.data.callId !== state.callId) return [];
  const callId = state.callId;
  switch (event.type) {
    case 'InboundCallDeclined':
      return [{ type: 'DeclineCall', callId, now, reason: event.data.reason }];
    case 'InboundCallAbandoned':
      return [{ type: 'HangUp', callId, now, by: 'remote', ...releaseCodesOf(event.data) }];
    case 'AnswerAuthorized': {
      const { answerId, deviceId, memberId } = event.data;
      return [{ type: 'RecordAnswerAuthorized', callId, now, answerId, deviceId, memberId }];
    }
    case 'AnswerRefused': {
      const { answerId, deviceId, reason } = event.data;
      return [{ type: 'RecordAnswerRefused', callId, now, answerId, deviceId, reason }];
    }
    case 'SpeakerVerified': {
      const { accountId, memberId, assurance } = event.data;
      return [{ type: 'RecordVerification', callId, now, accountId, memberId, assurance }];
    }
    case 'SpeakerRejected':
      return [
        {
          type: 'RecordRejection',
          callId,
          now,
          by: 'identity',
          reason: event.data.reason,
          accountId: event.data.accountId,
        },
      ];
    case 'DestinationResolved':
      return [{ type: 'RecordRouting', callId, now, class: event.data.class, e164: event.data.e164 }];
    case 'DestinationRejected':
      return [{ type: 'RecordRejection', callId, now, by: 'routing', reason: event.data.reason }];
    case 'CarrierLegRinging':
      return [{ type: 'RecordRinging', callId, now }];
    case 'CarrierLegAnswered':
      return [{ type: 'ConnectCall', callId, now }];
    case 'CarrierLegFailed': {
      const { sipCode, q850 } = event.data;
      const reason = event.data.reason === 'failed' ? 'carrier_failed' : event.data.reason;
      return [{ type: 'FailCall', callId, now, reason, sipCode, q850 }];
    }
    case 'CarrierLegEnded':
      // A leg we released ourselves follows the call's own end; only the far end's release is news.
      return event.data.releasedBy === 'remote' ? [{ type: 'HangUp', callId, now, by: 'remote', ...releaseCodesOf(event.data) }] : [];
    default:
      return [];
  }
};

/** The events of other services that the process manager consumes (for topic subscriptions and tests). */
export const callSetupInputs = [
  'SpeakerVerified',
  'SpeakerRejected',
  'DestinationResolved',
  'DestinationRejected',
  'CarrierLegRinging',
  'CarrierLegAnswered',
  'CarrierLegFailed',
  'CarrierLegEnded',
  'InboundCallOffered',
  'InboundCallDeclined',
  'InboundCallAbandoned',
  'AnswerAuthorized',
  'AnswerRefused',
] as const satisfies readonly IntegrationEvent['type'][];
