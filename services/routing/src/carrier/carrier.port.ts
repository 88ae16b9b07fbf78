/** What routing needs from a carrier: place a leg, hang it up. Status arrives later through the webhook. */
export interface CarrierLegOrder {
  readonly legId: string;
  readonly callId: string;
  readonly e164: string;
  readonly emergency: boolean;
  /** Dispatchable location for emergency legs (registered address and the device's room/floor). */
  readonly location?: Record<string, unknown>;
}

export interface CarrierPort {
  placeLeg(order: CarrierLegOrder): Promise<{ carrierCallId: string }>;
  hangUp(carrierCallId: string): Promise<void>;
}

export const CARRIER_PORT = Symbol('CarrierPort');

/** The body a carrier POSTs to /v1/carrier/status. */
export interface CarrierStatusCallback {
  readonly carrierCallId: string;
  readonly legId: string;
  readonly status: 'ringing' | 'answered' | 'busy' | 'no_answer' | 'failed' | 'completed';
  readonly sequence: number;
  readonly sipCode?: number;
  readonly q850?: number;
  readonly occurredAt: string;
}
