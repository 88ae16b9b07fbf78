import type { CallRouting } from '@homeline/contracts';
import { initialRouteState, noUsage, type CallUsage, type RouteCall, type RoutingContext } from '../domain';
import { meteredRouteDecider, UsageLedger } from './call-metering';

const limits = { devicePerMinute: 10, accountPerMinute: 20, dailyInternational: 20, dailyPremium: 5, concurrentPerLine: 100 };
const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const context: RoutingContext = {
  account: { accountId: 'acc-1', msisdn: '+15551230001', address, ownerMemberIds: [] },
  member: { memberId: 'olivia', grants: ['emergency', 'domestic', 'international'] },
  device: { location: null },
  contacts: [],
};
const request = (n: number, deviceId: string, target = '+1 555 010 9999'): CallRouting => ({
  callId: `call-${n}`,
  accountId: 'acc-1',
  deviceId,
  target,
  verified: true,
  memberId: 'olivia',
  assurance: 'high',
  speakerRejection: null,
  deadline: '2026-11-24T18:00:05.000Z',
});

/** Decides the batch's calls in order, as the command handler does: each command is built just before it is decided. */
const decideInOrder = (requests: readonly CallRouting[], stored: (caller: { accountId: string; deviceId: string }) => CallUsage | undefined) => {
  const ledger = new UsageLedger(stored);
  const decider = meteredRouteDecider(ledger);
  return requests.map((r) => {
    const command: RouteCall = { type: 'RouteCall', request: r, context, legId: `leg-${r.callId}`, metering: { limits, usage: ledger.usageOf(r) } };
    const [decision] = decider.decide(command, initialRouteState());
    return decision.type === 'DestinationRejected' ? decision.data.reason : decision.type;
  });
};

describe('metering the calls of one batch', () => {
  it("refuses the 11th of eleven calls from one device decided together, though the database held none", () =>
    expect(decideInOrder(Array.from({ length: 11 }, (_, n) => request(n, 'kitchen')), () => undefined)).toEqual([
      ...Array(10).fill('DestinationResolved'),
      'rate_limited',
    ]));

  it('adds the batch to what the database held', () =>
    expect(decideInOrder([request(1, 'kitchen'), request(2, 'kitchen')], () => ({ ...noUsage, device: 9, account: 9 }))).toEqual([
      'DestinationResolved',
      'rate_limited',
    ]));

  it("counts one device's calls toward the account, not toward the other devices", () => {
    const burst = [...Array.from({ length: 15 }, (_, n) => request(n, 'kitchen')), ...Array.from({ length: 10 }, (_, n) => request(20 + n, 'hall'))];
    const verdicts = decideInOrder(burst, () => undefined);
    expect(verdicts.slice(0, 15)).toEqual([...Array(10).fill('DestinationResolved'), ...Array(5).fill('rate_limited')]);
    // the account's 20 a minute: the kitchen used 10 of them
    expect(verdicts.slice(15)).toEqual(Array(10).fill('DestinationResolved'));
    expect(decideInOrder([...burst, request(40, 'attic')], () => undefined).at(-1)).toBe('rate_limited');
  });

  it('counts neither refused nor emergency calls', () => {
    const calls = [
      ...Array.from({ length: 5 }, (_, n) => request(n, 'kitchen', 'Dad')), // unknown_contact
      ...Array.from({ length: 5 }, (_, n) => request(10 + n, 'kitchen', '911')),
      ...Array.from({ length: 10 }, (_, n) => request(20 + n, 'kitchen')),
    ];
    expect(decideInOrder(calls, () => undefined).filter((v) => v === 'rate_limited')).toEqual([]);
  });

  it("spends the international budget once per routed call", () =>
    expect(
      decideInOrder([request(1, 'a', '+44 20 7946 0958'), request(2, 'b', '+44 20 7946 0958')], () => ({ ...noUsage, international: 19 })),
    ).toEqual(['DestinationResolved', 'rate_limited']));
});
