import type { Decider } from '@homeline/contracts';
import { evolve, initialCallState, type CallState } from './call';
import type { CallCommand, ExpireDeadline, HangUp } from './call.commands';
import { decide } from './call.decide';
import { CallError } from './call.errors';
import type { CallEvent } from './call.events';
import { defaultCallTimeouts, type CallTimeouts } from './call-timeouts';
import { evolveInbound, type InboundCallEvent, type InboundCallState } from './inbound-call';
import type { InboundCallCommand } from './inbound-call.commands';
import { decideInbound } from './inbound-call.decide';

/** A call of either direction: an outbound call's stages, or an inbound call's. */
export type AnyCallState = CallState | InboundCallState;
export type AnyCallEvent = CallEvent | InboundCallEvent;
export type AnyCallCommand = CallCommand | InboundCallCommand;

export const isInbound = (state: AnyCallState): state is InboundCallState => 'kind' in state && state.kind === 'inbound';

const inboundCommands: ReadonlySet<string> = new Set<InboundCallCommand['type']>([
  'OfferCall', 'DeclineCall', 'RequestAnswer', 'RecordAnswerAuthorized', 'RecordAnswerRefused',
]);

export const evolveCall = (state: AnyCallState, event: AnyCallEvent): AnyCallState => {
  if (isInbound(state)) return evolveInbound(state, event as InboundCallEvent);
  if (state.status === 'idle' && event.type === 'CallOffered') return evolveInbound(undefined, event);
  return evolve(state, event as CallEvent);
};

export const decideCall = (command: AnyCallCommand, state: AnyCallState, timeouts: CallTimeouts = defaultCallTimeouts): AnyCallEvent[] => {
  if (isInbound(state)) {
    if (!inboundCommands.has(command.type) && command.type !== 'HangUp' && command.type !== 'ExpireDeadline') return []; // identity's or routing's word on an outbound call that this inbound call is not
    return decideInbound(command as InboundCallCommand | HangUp | ExpireDeadline, state, timeouts);
  }
  if (command.type === 'OfferCall' && state.status === 'idle') return decideInbound(command, undefined, timeouts);
  if (inboundCommands.has(command.type)) {
    if (state.status === 'idle') throw new CallError('call_not_found', `call ${command.callId} does not exist`);
    if (command.type === 'RequestAnswer') throw new CallError('not_inbound', `call ${command.callId} is an outbound call: there is nothing to answer`);
    return []; // identity's or routing's word on an inbound call that this outbound call is not
  }
  return decide(command as CallCommand, state, timeouts);
};

/** Every call, inbound or outbound, as one decider for the event store's command handler. */
export const callDecider = (timeouts: CallTimeouts = defaultCallTimeouts): Decider<AnyCallCommand, AnyCallEvent, AnyCallState> => ({
  decide: (command, state) => decideCall(command, state, timeouts),
  evolve: evolveCall,
  initialState: () => initialCallState,
});

export const foldAnyCall = (events: readonly AnyCallEvent[]): AnyCallState => events.reduce(evolveCall, initialCallState as AnyCallState);
