import type { OutboundStatus } from './behaviours';

// A call as the simulated carrier holds it, and what it reports about it (docs/carrier-api.md).

/** What the carrier has done with a call; `offered` is an inbound call waiting for Homeline's bridge or voicemail. */
export type CallState = 'dialing' | 'ringing' | 'answered' | 'offered' | 'bridged' | 'voicemail' | 'ended';

/** A status webhook's body (docs/carrier-api.md, "Webhooks"); inbound calls carry no legId. */
export interface StatusReport {
  readonly carrierCallId: string;
  readonly legId?: string;
  readonly status: OutboundStatus | 'completed' | 'canceled';
  readonly sequence: number;
  readonly sipCode?: number;
  readonly q850?: number;
  readonly occurredAt: string;
}

/** The body of `POST /v1/legs`: routing's CarrierLegOrder. */
export interface LegOrder {
  readonly legId: string;
  readonly callId: string;
  readonly e164: string;
  readonly callerId: string;
  readonly emergency: boolean;
  readonly dispatchable?: unknown;
  readonly traceparent?: string | null;
}

export interface SimulatedCall {
  readonly carrierCallId: string;
  readonly direction: 'outbound' | 'inbound';
  state: CallState;
  readonly order?: LegOrder;
  readonly from?: string;
  readonly to?: string;
  readonly sensitive?: boolean;
  bridgedTo?: string;
  voicemailReason?: string;
  /** How many times Homeline asked to place this leg: more than one is a retry, still one leg. */
  placeRequests: number;
  /** The statuses posted to Homeline, in order. */
  readonly reported: StatusReport[];
}

/** A request the call's state does not allow: answered as problem details with this status and code. */
export class CallRefused extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
