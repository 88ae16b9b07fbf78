import type { IntegrationEvent } from '@homeline/contracts';
import { isLegFinal, type CarrierLegState } from './carrier-leg';
import type { ReleaseLeg } from './carrier-leg.decide';

/**
 * When the call ends or fails (caller hung up, a deadline passed) while its carrier leg is still
 * up, routing releases the leg; otherwise a leg answered after a timeout would stay open.
 * Kafka orders a call's events, so routing always sees CallRouting before the call's end.
 */
export const legReleaseFor = (event: IntegrationEvent, leg: CarrierLegState, now: string): ReleaseLeg | null => {
  if (event.type !== 'CallEnded' && event.type !== 'CallFailed') return null;
  if (leg.status === 'idle' || isLegFinal(leg) || leg.callId !== event.data.callId) return null;
  return { type: 'ReleaseLeg', legId: leg.legId, now };
};
