import type { EntityManager } from 'typeorm';
import type { CarrierInstruction } from '../domain';
import type { CarrierStatusCallback } from './carrier.port';

/**
 * The carrier call of an inbound call, as routing tracks it beside the call's stream. It is a row
 * of `carrier_legs` (direction inbound): the carrier's A-leg, so its requests (bridge, voicemail,
 * hang-up) go through the same queue as an outbound leg's, claimed, called and recorded in order.
 */
export interface InboundCallRecord {
  readonly callId: string;
  readonly accountId: string;
  readonly carrierCallId: string;
  /** The key its carrier requests are queued under. */
  readonly legId: string;
}

export interface InboundCalls {
  /**
   * Holds the carrier call's lock for the rest of the transaction, so that an offer and a hang-up
   * that overtakes it (its transaction not yet committed) are decided one after the other.
   */
  lockCarrierCall(tx: EntityManager, carrierCallId: string): Promise<void>;
  /**
   * Keeps a hang-up (`canceled`) the carrier sent about a carrier call no offer has
   * recorded yet, for the offer to find: 'in_use' when an outbound leg holds that carrier call id,
   * 'duplicate' when this (carrier call, status, sequence) is held already.
   */
  holdHangUp(tx: EntityManager, callback: CarrierStatusCallback): Promise<'held' | 'duplicate' | 'in_use'>;
  /** Whether the carrier said this carrier call's caller hung up (`canceled`) before its offer was recorded. */
  callerHungUp(tx: EntityManager, carrierCallId: string): Promise<boolean>;
  /** What a carrier call id already names here: an inbound call (a webhook delivered again), an outbound leg, or nothing. */
  byCarrierCall(
    tx: EntityManager,
    carrierCallId: string,
  ): Promise<{ readonly direction: 'inbound' | 'outbound'; readonly callId: string } | undefined>;
  /** Records a new inbound call; false when another delivery of the same webhook recorded its carrier call first. */
  open(tx: EntityManager, record: InboundCallRecord): Promise<boolean>;
  /** The inbound calls among these calls (the others are outbound, or not routing's). */
  ofCalls(tx: EntityManager, callIds: readonly string[]): Promise<InboundCallRecord[]>;
  /**
   * The inbound calls of these accounts offered in the last hour and not released: those that may still
   * ring, read once every offer that read the households' devices (HouseholdDirectory.lineOf) is recorded.
   */
  mayRing(tx: EntityManager, accountIds: readonly string[]): Promise<InboundCallRecord[]>;
  /** Queues requests to the carrier in the caller's transaction; the dispatcher carries them out after commit. */
  instruct(
    tx: EntityManager,
    instructions: readonly { readonly record: InboundCallRecord; readonly instruction: CarrierInstruction }[],
  ): Promise<void>;
  /** The inbound call a status callback is about, and whether this (carrier call, status, sequence) was seen before. */
  forCallback(
    tx: EntityManager,
    callback: CarrierStatusCallback,
  ): Promise<{ readonly call: InboundCallRecord; readonly seen: boolean; readonly releasedByUs: boolean } | undefined>;
}
