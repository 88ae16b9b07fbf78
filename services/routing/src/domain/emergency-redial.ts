import type { CarrierLegEvent } from './carrier-leg';
import { evolveLeg, initialLegState, isLegFinal } from './carrier-leg';
import type { RequestLeg } from './carrier-leg.decide';

/**
 * The leg that dials an emergency call again when calls asks (EmergencyRedialRequested), or null:
 * only when the call has legs, every one of them an emergency leg, and every one over — a live leg
 * is still trying, and a call that was never an emergency one is not dialled again, whatever a
 * message says. The new leg asks for what the call's legs asked for: the same number, caller id
 * and dispatchable location.
 */
export const redialLeg = (legs: readonly (readonly CarrierLegEvent[])[], legId: string): RequestLeg | null => {
  const requests = legs.map((events) => events.find((e) => e.type === 'CarrierLegRequested'));
  if (requests.length === 0 || requests.some((r) => r?.type !== 'CarrierLegRequested' || !r.data.emergency)) return null;
  if (legs.some((events) => !isLegFinal(events.reduce(evolveLeg, initialLegState())))) return null;
  const [first] = requests;
  return first?.type === 'CarrierLegRequested' ? { type: 'RequestLeg', ...first.data, legId } : null;
};
