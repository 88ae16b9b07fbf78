import { releaseCodesOf, type EndCause, type InboundCallDeclined, type RingCancellationReason } from '@homeline/contracts';
import type { Decider } from '@homeline/event-store';
import {
  evolveInbound,
  initialInboundState,
  type InboundCallEvent,
  type InboundCallState,
  type InboundOver,
  type InboundRinging,
} from './inbound-call';
import { offerInbound, type OfferInboundCall } from './inbound-offer';

/** calls connected a device's verified answer (CallConnected, direction inbound). */
export type BridgeAnsweredDevice = { readonly type: 'BridgeAnsweredDevice'; readonly deviceId: string };
/** Nobody answered before calls' ring deadline (CallFailed no_answer). */
export type RingOut = { readonly type: 'RingOut' };
/** calls ended, rejected or failed the call for any other reason; `cause` is CallEnded's. */
export type EndInboundCall = { readonly type: 'EndInboundCall'; readonly cause: EndCause | null };
/** The caller hung up (carrier status `canceled`, or `completed` once bridged), with the codes the carrier gave. */
export type AbandonCall = { readonly type: 'AbandonCall'; readonly carrierCallId: string; readonly sipCode?: number; readonly q850?: number };
/** The carrier kept refusing to bridge the caller to the device that answered: the call cannot go on. */
export type GiveUpBridge = { readonly type: 'GiveUpBridge'; readonly deviceId: string };

/** identity unlinked a device (DeviceUnlinked): it is no longer the household's, and shows its callers no more. */
export type StopRinging = { readonly type: 'StopRinging'; readonly deviceId: string };

export type InboundCallCommand = OfferInboundCall | BridgeAnsweredDevice | RingOut | EndInboundCall | AbandonCall | GiveUpBridge | StopRinging;

const cancel = (s: { callId: string }, devices: readonly string[], reason: RingCancellationReason): InboundCallEvent[] =>
  devices.map((deviceId) => ({ type: 'DeviceRingCancelled', data: { callId: s.callId, deviceId, reason } }));

/** The first connected answer takes the call; the other devices stop ringing. A device never asked to ring takes nothing. */
const bridge = (c: BridgeAnsweredDevice, s: InboundRinging): InboundCallEvent[] => {
  if (!s.ringing.includes(c.deviceId)) return s.unlinked.includes(c.deviceId) ? answeredOnUnlinked(s) : [];
  return [
    { type: 'InboundCallBridged', data: { callId: s.callId, carrierCallId: s.carrierCallId, deviceId: c.deviceId } },
    ...cancel(
      s,
      s.ringing.filter((d) => d !== c.deviceId),
      'answered_elsewhere',
    ),
  ];
};

/**
 * calls connected the answer of a speaker unlinked while it rang (identity authorised it before the
 * unlink; its verdict and the unlink travel apart). That speaker is no longer the household's and is
 * not bridged, and calls, having the call connected, takes no other answer: the call cannot go on.
 * It is ended as abandoned (calls ends it; nothing else would, and it would stay connected for
 * ever), what still rings stops, and the caller is sent to voicemail, as when nobody answers — or
 * is there already, when that speaker was the last to ring.
 */
const answeredOnUnlinked = (s: InboundRinging | InboundOver): InboundCallEvent[] => [
  ...cancel(s, s.ringing, 'no_answer'),
  { type: 'InboundCallAbandoned', data: { callId: s.callId, carrierCallId: s.carrierCallId } },
];

/**
 * The caller hung up. While the call rings, every device stops. Once routing asked the carrier to
 * bridge, the carrier may still say `canceled` (the caller left as the answer came): the call is
 * abandoned all the same, so calls ends it, and no device is told to stop ringing, for none rings.
 */
const abandon = (c: AbandonCall, s: InboundCallState): InboundCallEvent[] => {
  if (s.status !== 'ringing' && s.status !== 'answered') return [];
  if (c.carrierCallId !== s.carrierCallId) return [];
  const abandoned: InboundCallEvent = { type: 'InboundCallAbandoned', data: { callId: s.callId, carrierCallId: s.carrierCallId, ...releaseCodesOf(c) } };
  return [abandoned, ...cancel(s, s.ringing, 'caller_hung_up')];
};

/**
 * What an offer, calls' verdicts and the carrier's hang-up do to an inbound call. Each device is
 * told to ring once and to stop at most once: a late or repeated event finds nothing left ringing.
 */
export const decideInbound = (command: InboundCallCommand, state: InboundCallState): InboundCallEvent[] => {
  if (command.type === 'OfferInboundCall') return state.status === 'idle' ? offerInbound(command) : [];
  if (state.status === 'idle') return []; // nothing was offered here: a stray event about another call
  switch (command.type) {
    case 'BridgeAnsweredDevice':
      if (state.status === 'ringing') return bridge(command, state);
      // The last ringing speaker was unlinked, and the caller sent to voicemail, as its answer was verified.
      return state.status === 'unanswered' && state.unlinked.includes(command.deviceId) ? answeredOnUnlinked(state) : [];
    case 'RingOut':
      return cancel(state, state.ringing, 'no_answer');
    case 'EndInboundCall':
      return cancel(state, state.ringing, 'call_ended');
    case 'AbandonCall':
      return abandon(command, state);
    case 'StopRinging':
      // The others ring on; if it was the last, the call rings out to voicemail at its deadline.
      return state.status === 'ringing' && state.ringing.includes(command.deviceId) ? cancel(state, [command.deviceId], 'device_unlinked') : [];
    case 'GiveUpBridge':
      // calls has the call connected, and nothing will ever end it there but its end: it is ended as
      // abandoned (calls records remote_hung_up), and routing releases the caller it held.
      return state.status === 'answered' && state.deviceId === command.deviceId
        ? [{ type: 'InboundCallAbandoned', data: { callId: state.callId, carrierCallId: state.carrierCallId } }]
        : [];
    default: {
      const unknown: never = command;
      throw new Error(`unknown inbound call command ${(unknown as InboundCallCommand).type}`);
    }
  }
};

export const inboundCallDecider: Decider<InboundCallCommand, InboundCallEvent, InboundCallState> = {
  decide: decideInbound,
  evolve: evolveInbound,
  initialState: initialInboundState,
};

/** Why the carrier sends a caller to the line's voicemail. */
export type VoicemailReason = InboundCallDeclined['reason'] | 'no_answer';

/** What routing asks of the carrier about the inbound call after a decision. */
export type CarrierInstruction =
  | { readonly action: 'bridge'; readonly deviceId: string }
  | { readonly action: 'voicemail'; readonly reason: VoicemailReason }
  | { readonly action: 'hang_up' };

/** Ends that came from the carrier's side: the caller is gone already. */
const endedByCaller = (cause: EndCause | null): boolean => cause === 'caller_hung_up' || cause === 'remote_hung_up';

/**
 * The carrier request a decision calls for, read off what was decided, so it is asked once: a
 * decline or a bridge is recorded once, and only the decision that stops a ringing call cancels
 * devices. Nobody answered: voicemail. calls ended a call that still rang, the household hung up
 * a bridged one, or the carrier would not bridge it: the carrier releases the caller (CallEnded says
 * routing releases what is up).
 */
export const carrierInstructionFor = (
  command: InboundCallCommand,
  state: InboundCallState,
  decided: readonly InboundCallEvent[],
): CarrierInstruction | null => {
  for (const event of decided) {
    if (event.type === 'InboundCallDeclined') return { action: 'voicemail', reason: event.data.reason };
    if (event.type === 'InboundCallBridged') return { action: 'bridge', deviceId: event.data.deviceId };
    if (event.type === 'DeviceRingCancelled' && event.data.reason === 'no_answer') return { action: 'voicemail', reason: 'no_answer' };
    if (event.type === 'DeviceRingCancelled' && event.data.reason === 'call_ended') return { action: 'hang_up' };
    // The household's last ringing speaker was unlinked: nobody can answer, the caller leaves a message.
    if (event.type === 'DeviceRingCancelled' && event.data.reason === 'device_unlinked' && state.status === 'unanswered') {
      return { action: 'voicemail', reason: 'no_answer' };
    }
  }
  const releasesBridge = command.type === 'EndInboundCall' && state.status === 'answered' && !endedByCaller(command.cause);
  const bridgeGivenUp = command.type === 'GiveUpBridge' && decided.length > 0;
  return releasesBridge || bridgeGivenUp ? { action: 'hang_up' } : null;
};
