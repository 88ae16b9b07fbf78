import type { Address, DeviceLocation } from '@homeline/contracts';

/** What routing asks of a carrier for one leg. `legId` is the carrier's idempotency key: placing it twice is one leg. */
export interface CarrierLegOrder {
  readonly legId: string;
  readonly callId: string;
  readonly e164: string;
  /** The account's line, presented to the called party. */
  readonly callerId: string;
  readonly emergency: boolean;
  /** For emergency legs: the registered address and the calling device's room/floor. */
  readonly dispatchable?: { readonly address: Address; readonly location: DeviceLocation | null };
  /** Trace context of the decision (W3C traceparent), for a carrier that echoes it on its webhooks. */
  readonly traceparent?: string | null;
}

/** Why an offered inbound call goes to the line's voicemail. */
export type VoicemailReason = 'away_mode' | 'quiet_hours' | 'no_devices' | 'no_answer';

/**
 * What routing needs from a carrier's call-control API (docs/carrier-api.md): place an outbound
 * leg, hang a call up, and for an inbound call the carrier offered, connect it to the device that
 * answered or send it to voicemail. Every operation is idempotent (the leg id, or the carrier's
 * call id with the operation, is the idempotency key); status arrives later through the webhook.
 */
export interface CarrierPort {
  placeLeg(order: CarrierLegOrder): Promise<{ carrierCallId: string }>;
  hangUp(carrierCallId: string): Promise<void>;
  bridge(carrierCallId: string, deviceId: string): Promise<void>;
  sendToVoicemail(carrierCallId: string, reason: VoicemailReason): Promise<void>;
}

export const CARRIER_PORT = Symbol('CarrierPort');

/**
 * The body a carrier POSTs to /v1/carrier/status: about one of our outbound legs (`legId`), or,
 * without one, about an inbound call the carrier offered (`canceled`: the caller hung up while it rang).
 */
export interface CarrierStatusCallback {
  readonly carrierCallId: string;
  readonly legId?: string;
  readonly status: 'ringing' | 'answered' | 'busy' | 'no_answer' | 'failed' | 'completed' | 'canceled';
  readonly sequence: number;
  readonly sipCode?: number;
  readonly q850?: number;
  readonly occurredAt: string;
}

/** A status callback about an outbound leg. */
export type LegStatusCallback = CarrierStatusCallback & {
  readonly legId: string;
  readonly status: Exclude<CarrierStatusCallback['status'], 'canceled'>;
};

/**
 * The carrier could not be asked, or did not answer in time (no connection, a timeout, 429, 5xx,
 * an open circuit): the same request, under the same idempotency key, may succeed later.
 */
export class CarrierUnavailable extends Error {
  constructor(
    message: string,
    /** The carrier was not asked at all: its circuit is open. */
    readonly circuitOpen = false,
    /**
     * The carrier certainly did not carry the request out: no try reached it (its circuit open, a
     * refused connection) or it only answered "not now" (429). A placement never carried out is
     * dropped when its call ends, rather than placed and hung up: no phantom call, 911 least of all.
     */
    readonly notCarriedOut = circuitOpen,
    /** The carrier's Retry-After, when it gave one: the request is not due again before it. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CarrierUnavailable';
  }
}

/**
 * The carrier answered and refused this request for good (a 4xx: a bad signature or body, an
 * unknown call, a call in a state that does not allow it), or answered nonsense. Sending it again
 * cannot change the answer, so the request is given up at once.
 */
export class CarrierRejected extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The problem document's stable code, when the carrier sent one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CarrierRejected';
  }
}
