import type { DestinationClass } from '@homeline/contracts';

/**
 * Outbound limits against toll fraud (docs/architecture.md section 6.2), from configuration. An
 * emergency call is never limited and counts toward none of them.
 */
export interface CallLimits {
  /** Calls one device may place in any rate window. */
  readonly devicePerMinute: number;
  /** Calls one account (all its devices) may place in any rate window. */
  readonly accountPerMinute: number;
  /** International calls one account may place in any budget window. */
  readonly dailyInternational: number;
  /** Premium-rate calls one account may place in any budget window. */
  readonly dailyPremium: number;
  /** Outbound calls the line carries at once: the account's carrier legs not yet over. */
  readonly concurrentPerLine: number;
}

/** The windows are rolling: "any 60 s", "any 24 h", so no burst fits twice across a boundary. */
export const rateWindowMs = 60_000;
export const budgetWindowMs = 24 * 60 * 60_000;

/**
 * What the caller's device and account have used as a call is decided: calls routed within the
 * windows (those decided earlier in the same batch included) and the line's live legs.
 */
export interface CallUsage {
  readonly device: number;
  readonly account: number;
  readonly international: number;
  readonly premium: number;
  readonly liveLegs: number;
}

export const noUsage: CallUsage = { device: 0, account: 0, international: 0, premium: 0, liveLegs: 0 };

/** The limits in force and what the caller has used of them: what a routing decision meters. */
export interface Metering {
  readonly limits: CallLimits;
  readonly usage: CallUsage;
}

export type ExceededLimit = 'device_rate' | 'account_rate' | 'concurrent_calls' | 'international_budget' | 'premium_budget';

/** The limit a call of this class would go over, or null when it fits; an emergency call always fits. */
export const exceededLimit = (destination: DestinationClass, { limits, usage }: Metering): ExceededLimit | null => {
  if (destination === 'emergency') return null;
  if (usage.device >= limits.devicePerMinute) return 'device_rate';
  if (usage.account >= limits.accountPerMinute) return 'account_rate';
  if (usage.liveLegs >= limits.concurrentPerLine) return 'concurrent_calls';
  if (destination === 'international' && usage.international >= limits.dailyInternational) return 'international_budget';
  if (destination === 'premium' && usage.premium >= limits.dailyPremium) return 'premium_budget';
  return null;
};

/** The usage once a call of this class is routed: one more everywhere it counts, nothing for an emergency call. */
export const afterRouting = (usage: CallUsage, destination: DestinationClass): CallUsage =>
  destination === 'emergency'
    ? usage
    : {
        device: usage.device + 1,
        account: usage.account + 1,
        international: usage.international + (destination === 'international' ? 1 : 0),
        premium: usage.premium + (destination === 'premium' ? 1 : 0),
        liveLegs: usage.liveLegs + 1,
      };
