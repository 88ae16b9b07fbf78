import { CommandHandler, type Decider } from '@homeline/event-store';
import {
  carrierLegDecider,
  inboundCallDecider,
  type InboundCallCommand,
  type InboundCallEvent,
  type InboundCallState,
  routeDecider,
  type CarrierLegCommand,
  type CarrierLegEvent,
  type CarrierLegState,
  type RouteCall,
  type RouteEvent,
  type RouteState,
} from '../domain';

/** A call's routing decision. */
export const routeStreamId = (callId: string): string => `route-${callId}`;
/** One carrier leg: what was asked of the carrier and what it reported. */
export const legStreamId = (legId: string): string => `leg-${legId}`;
/** An inbound call: the offer, which devices ring, who took it. */
export const inboundStreamId = (callId: string): string => `inbound-${callId}`;
/** The carrier_legs row of an inbound call's carrier call. */
export const inboundLegId = (callId: string): string => `inbound-${callId}`;

export type RouteCommands = CommandHandler<RouteCall, RouteEvent, RouteState>;
export type LegCommands = CommandHandler<CarrierLegCommand, CarrierLegEvent, CarrierLegState>;
export type InboundCommands = CommandHandler<InboundCallCommand, InboundCallEvent, InboundCallState>;

/**
 * Only the calls consumer decides routes, once per call: optimistic concurrency is enough. A batch
 * passes its own metered decider (call-metering.ts).
 */
export const routeCommands = (decider: Decider<RouteCall, RouteEvent, RouteState> = routeDecider): RouteCommands =>
  new CommandHandler({ decider, source: 'routing' });

/**
 * A leg is written by the calls consumer (release), the carrier webhook and the dispatcher (a
 * given-up placement); they rarely meet, so a lost race is retried rather than prevented.
 * Every event of a leg is about its call.
 */
export const legCommands = (): LegCommands =>
  new CommandHandler({
    decider: carrierLegDecider,
    source: 'routing',
    metadataOf: (state) => (state.status === 'idle' ? {} : { correlationId: state.callId }),
  });

/**
 * An inbound call is written by the webhooks (the offer, the caller's hang-up) and the calls
 * consumer (the answer, the ring-out, the end); they rarely meet, so a lost race is retried.
 * Every event is about the call, in its account.
 */
export const inboundCommands = (): InboundCommands =>
  new CommandHandler({
    decider: inboundCallDecider,
    source: 'routing',
    metadataOf: (state) => (state.status === 'idle' ? {} : { correlationId: state.callId, accountId: state.accountId }),
  });
