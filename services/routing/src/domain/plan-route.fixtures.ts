import type { CallRouting } from '@homeline/contracts';
import { noUsage, type CallUsage, type Metering } from './call-limits';
import type { RoutingContext } from './plan-route';

/** Shared by the routing decision's specifications: a household in Illinois, its owner speaking. */

export const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
export const household: RoutingContext = {
  account: { accountId: 'acc-1', msisdn: '+15551230001', address, ownerMemberIds: ['olivia'] },
  member: {
    memberId: 'olivia',
    grants: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international'],
  },
  device: { location: { room: 'kitchen', floor: '1' } },
  contacts: [
    { contactId: 'c1', name: 'Mom', aliases: [], e164: '+15550100001', memberId: 'olivia' },
    { contactId: 'c2', name: 'Grandpa', aliases: [], e164: '+15550100002', memberId: null },
    { contactId: 'c3', name: 'Psychic Hotline', aliases: ['Madame Zora'], e164: '+19005550100', memberId: null },
    { contactId: 'c4', name: 'Auntie', aliases: [], e164: '+442079460958', memberId: null },
  ],
};
export const asks = (target: string, extra: Partial<CallRouting> = {}): CallRouting => ({
  callId: 'call-1',
  accountId: 'acc-1',
  deviceId: 'kitchen',
  target,
  verified: true,
  memberId: 'olivia',
  assurance: 'high',
  speakerRejection: null,
  deadline: '2026-11-24T18:00:05.000Z',
  ...extra,
});
export const unverified = {
  verified: false,
  memberId: null,
  assurance: null,
  speakerRejection: 'speaker_not_verified' as const,
};
export const child: RoutingContext['member'] = { memberId: 'olivia', grants: ['emergency', 'contacts'] };
export const adult: RoutingContext['member'] = { memberId: 'olivia', grants: ['emergency', 'contacts', 'short_code', 'domestic'] };

export const limits = { devicePerMinute: 10, accountPerMinute: 20, dailyInternational: 20, dailyPremium: 5, concurrentPerLine: 4 };
export const used = (usage: Partial<CallUsage> = {}): Metering => ({ limits, usage: { ...noUsage, ...usage } });
