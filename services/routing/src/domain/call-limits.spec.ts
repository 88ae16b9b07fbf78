import { afterRouting, exceededLimit, noUsage, type CallUsage } from './call-limits';

const limits = { devicePerMinute: 10, accountPerMinute: 20, dailyInternational: 20, dailyPremium: 5, concurrentPerLine: 4 };
const used = (usage: Partial<CallUsage>): CallUsage => ({ ...noUsage, ...usage });

describe('the outbound limit a call would go over', () => {
  it('is none for a call within every limit', () =>
    expect(exceededLimit('premium', { limits, usage: used({ device: 9, account: 19, premium: 4, liveLegs: 3 }) })).toBeNull());

  it.each([
    ['device_rate', 'domestic', { device: 10 }],
    ['account_rate', 'domestic', { account: 20 }],
    ['concurrent_calls', 'short_code', { liveLegs: 4 }],
    ['international_budget', 'international', { international: 20 }],
    ['premium_budget', 'premium', { premium: 5 }],
  ] as const)('is %s once a %s call would pass it', (limit, destination, usage) =>
    expect(exceededLimit(destination, { limits, usage: used(usage) })).toBe(limit));

  it("spends no class's daily budget on another class", () => {
    expect(exceededLimit('domestic', { limits, usage: used({ international: 20, premium: 5 }) })).toBeNull();
    expect(exceededLimit('premium', { limits, usage: used({ international: 20 }) })).toBeNull();
  });

  it('is never anything for an emergency call', () =>
    expect(exceededLimit('emergency', { limits, usage: used({ device: 99, account: 99, liveLegs: 99 }) })).toBeNull());

  it('reads a limit of 0 as none of that class allowed', () =>
    expect(exceededLimit('premium', { limits: { ...limits, dailyPremium: 0 }, usage: noUsage })).toBe('premium_budget'));
});

describe('what a routed call uses', () => {
  it("counts once toward the device, the account, the line and its class's budget", () => {
    expect(afterRouting(noUsage, 'international')).toEqual({ device: 1, account: 1, international: 1, premium: 0, liveLegs: 1 });
    expect(afterRouting(noUsage, 'premium')).toEqual({ device: 1, account: 1, international: 0, premium: 1, liveLegs: 1 });
    expect(afterRouting(noUsage, 'domestic')).toEqual({ device: 1, account: 1, international: 0, premium: 0, liveLegs: 1 });
  });

  it('is nothing for an emergency call', () => expect(afterRouting(used({ device: 3 }), 'emergency')).toEqual(used({ device: 3 })));

  it('has the 11th call of a burst from one device refused, or the 5th while all are still up', () => {
    const burst = (inForce: typeof limits) => {
      let usage = noUsage;
      return Array.from({ length: 11 }, () => {
        const limit = exceededLimit('domestic', { limits: inForce, usage });
        if (!limit) usage = afterRouting(usage, 'domestic');
        return limit;
      });
    };
    expect(burst({ ...limits, concurrentPerLine: 100 })).toEqual([...Array(10).fill(null), 'device_rate']);
    expect(burst(limits)).toEqual([...Array(4).fill(null), ...Array(7).fill('concurrent_calls')]);
  });
});
