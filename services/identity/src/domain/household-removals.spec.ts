import { approverPhone } from '@homeline/device-sim';
import { deciderSpecification } from '@homeline/testing';
import { evolveHousehold, initialHouseholdState, type HouseholdState } from './household';
import type { HouseholdCommand } from './household.commands';
import { decideHousehold } from './household.decide';
import type { HouseholdEvent } from './household.events';
import { grantsFor } from './permissions';

const given = deciderSpecification<HouseholdCommand, HouseholdEvent, HouseholdState>({
  decide: decideHousehold,
  evolve: evolveHousehold,
  initialState: initialHouseholdState,
});

const now = '2026-11-29T10:00:00.000Z';
const in10Minutes = '2026-11-29T10:10:00.000Z';
const accountId = 'acc-1';
const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const hold = { approvalId: 'ap-1', ttlSeconds: 600 };
const phone = approverPhone('olivias-phone');

const opened: HouseholdEvent = { type: 'AccountOpened', data: { accountId, msisdn: '+15551230001', displayName: 'The Smiths', timezone: 'UTC', address } };
const member = (memberId: string, name: string, role: 'owner' | 'adult' | 'child'): HouseholdEvent => ({
  type: 'MemberAdded', data: { accountId, memberId, name, role, grants: grantsFor({ role }) },
});
const olivia = member('olivia', 'Olivia', 'owner');
const adam = member('adam', 'Adam', 'adult');
const enrolled = (memberId: string, voiceprintId?: string): HouseholdEvent => ({
  type: 'VoiceprintEnrolled', data: { accountId, memberId, ...(voiceprintId && { voiceprintId }), dimensions: 192 },
});
const approver: HouseholdEvent = { type: 'ApproverRegistered', data: { accountId, memberId: 'olivia', approverId: 'olivias-phone', publicKey: phone.publicKey } };
const requested = (action: object, approvalId = 'ap-1'): HouseholdEvent =>
  ({ type: 'ApprovalRequested', data: { approvalId, accountId, action, requestedAt: now, expiresAt: in10Minutes } }) as HouseholdEvent;

const removePrint = (voiceprintId: string, memberId = 'adam') => ({ type: 'RemoveVoiceprint', accountId, now, memberId, voiceprintId, hold }) as const;
const removeMember = (memberId: string) => ({ type: 'RemoveMember', accountId, now, memberId, hold }) as const;

describe('a voiceprint taken off a member', () => {
  it('is named by the id its enrolment gave it, and removed', () =>
    given([opened, olivia, adam, enrolled('adam', 'vp-1'), enrolled('adam', 'vp-2')])
      .when(removePrint('vp-1'))
      .then([{ type: 'VoiceprintRemoved', data: { accountId, memberId: 'adam', voiceprintId: 'vp-1' } }]));

  it("is refused when it is another member's, already removed, or not there at all", () => {
    given([opened, olivia, adam, enrolled('olivia', 'vp-1')]).when(removePrint('vp-1')).thenThrows('voiceprint_not_found');
    given([opened, olivia, adam, enrolled('adam', 'vp-1'), { type: 'VoiceprintRemoved', data: { accountId, memberId: 'adam', voiceprintId: 'vp-1' } }])
      .when(removePrint('vp-1'))
      .thenThrows('voiceprint_not_found');
    given([opened, olivia, adam]).when(removePrint('__proto__')).thenThrows('voiceprint_not_found');
    given([opened, olivia]).when(removePrint('vp-1', 'constructor')).thenThrows('member_not_found');
  });

  it('frees its place under the cap of prints per member', () =>
    given([opened, olivia, adam, enrolled('adam', 'vp-1'), { type: 'VoiceprintRemoved', data: { accountId, memberId: 'adam', voiceprintId: 'vp-1' } }])
      .when({ type: 'EnrollVoiceprint', accountId, now, memberId: 'adam', voiceprintId: 'vp-2', embedding: [0.6, 0.8], maxPerMember: 1 })
      .then([{ type: 'VoiceprintEnrolled', data: { accountId, memberId: 'adam', voiceprintId: 'vp-2', dimensions: 2 } }]));

  it('is held for an approval once the household has an approver, and removed when approved', () => {
    given([opened, olivia, adam, enrolled('adam', 'vp-1'), approver])
      .when(removePrint('vp-1'))
      .then([requested({ type: 'remove_voiceprint', memberId: 'adam', voiceprintId: 'vp-1' })]);
    given([opened, olivia, adam, enrolled('adam', 'vp-1'), approver, requested({ type: 'remove_voiceprint', memberId: 'adam', voiceprintId: 'vp-1' })])
      .when(removePrint('vp-1'))
      .thenThrows('awaiting_approval');
    const signed = phone.sign('ap-1', 'approve', '2026-11-29T10:00:55.000Z');
    given([opened, olivia, adam, enrolled('adam', 'vp-1'), approver, requested({ type: 'remove_voiceprint', memberId: 'adam', voiceprintId: 'vp-1' })])
      .when({ type: 'DecideApproval', accountId, now: '2026-11-29T10:01:00.000Z', approvalId: 'ap-1', ...signed, freshness: { maxAgeSeconds: 300, futureSkewSeconds: 5 } })
      .then([
        { type: 'ApprovalDecided', data: { approvalId: 'ap-1', accountId, approverId: 'olivias-phone', memberId: 'olivia', decision: 'approve', signedAt: signed.signedAt } },
        { type: 'VoiceprintRemoved', data: { accountId, memberId: 'adam', voiceprintId: 'vp-1' } },
      ]);
  });

  it('enrolled before prints were named in events, is removed by the id identity stored it under (its table checks the id)', () => {
    const old = '0f6b3c52-5d43-4c36-9d7e-2b8e7d0c1a11';
    const removed: HouseholdEvent = { type: 'VoiceprintRemoved', data: { accountId, memberId: 'adam', voiceprintId: old } };
    given([opened, olivia, adam, enrolled('adam')]).when(removePrint(old)).then([removed]);
    given([opened, olivia, adam, enrolled('adam')]).when(removePrint('vp-old')).thenThrows('voiceprint_not_found');
    given([opened, olivia, adam, enrolled('olivia')]).when(removePrint(old)).thenThrows('voiceprint_not_found');
    given([opened, olivia, adam, enrolled('adam'), removed]).when(removePrint(old)).thenThrows('voiceprint_not_found');
  });
});

describe('a member taken out of the household', () => {
  it('is removed, and may not be given anything afterwards', () => {
    given([opened, olivia, adam]).when(removeMember('adam')).then([{ type: 'MemberRemoved', data: { accountId, memberId: 'adam' } }]);
    given([opened, olivia, adam, { type: 'MemberRemoved', data: { accountId, memberId: 'adam' } }])
      .when({ type: 'EnrollVoiceprint', accountId, now, memberId: 'adam', voiceprintId: 'vp-2', embedding: [0.6, 0.8], maxPerMember: 5 })
      .thenThrows('member_not_found');
    given([opened, olivia, adam, { type: 'MemberRemoved', data: { accountId, memberId: 'adam' } }]).when(removeMember('adam')).thenThrows('member_not_found');
  });

  it('keeps the account an owner, and an owner whose phone approves', () => {
    given([opened, olivia, adam]).when(removeMember('olivia')).thenThrows('last_owner');
    given([opened, olivia, member('oscar', 'Oscar', 'owner'), adam, approver]).when(removeMember('olivia')).thenThrows('member_is_approver');
    given([opened, olivia, member('oscar', 'Oscar', 'owner')]).when(removeMember('olivia')).then([{ type: 'MemberRemoved', data: { accountId, memberId: 'olivia' } }]);
  });

  it('is held once the household has an approver, showing who; approved, what waited to give them something expires with them', () => {
    given([opened, olivia, adam, approver]).when(removeMember('adam')).then([requested({ type: 'remove_member', memberId: 'adam', name: 'Adam' })]);
    const waiting = [
      requested({ type: 'enroll_voiceprint', memberId: 'adam', voiceprintId: 'vp-9', dimensions: 192 }, 'ap-enrol'),
      requested({ type: 'change_member', memberId: 'adam', grant: ['international'], raises: ['international'] }, 'ap-grant'),
      requested({ type: 'enroll_voiceprint', memberId: 'olivia', voiceprintId: 'vp-8', dimensions: 192 }, 'ap-olivia'),
      requested({ type: 'remove_member', memberId: 'adam', name: 'Adam' }),
    ];
    const signed = phone.sign('ap-1', 'approve', '2026-11-29T10:00:55.000Z');
    given([opened, olivia, adam, approver, ...waiting])
      .when({ type: 'DecideApproval', accountId, now: '2026-11-29T10:01:00.000Z', approvalId: 'ap-1', ...signed, freshness: { maxAgeSeconds: 300, futureSkewSeconds: 5 } })
      .then([
        { type: 'ApprovalDecided', data: { approvalId: 'ap-1', accountId, approverId: 'olivias-phone', memberId: 'olivia', decision: 'approve', signedAt: signed.signedAt } },
        { type: 'ApprovalExpired', data: { approvalId: 'ap-enrol', accountId } },
        { type: 'ApprovalExpired', data: { approvalId: 'ap-grant', accountId } },
        { type: 'MemberRemoved', data: { accountId, memberId: 'adam' } },
      ]);
  });
});

describe('an account the carrier closes', () => {
  const kitchen: HouseholdEvent = { type: 'DeviceLinked', data: { accountId, deviceId: 'kitchen', name: 'Kitchen', publicKey: phone.publicKey, location: null } };
  const hall: HouseholdEvent = { type: 'DeviceLinked', data: { accountId, deviceId: 'hall', name: 'Hall', publicKey: phone.publicKey, location: null } };
  const close = { type: 'CloseAccount', accountId, now, reason: 'number ported out, ticket 42' } as const;
  const closed: HouseholdEvent = { type: 'AccountClosed', data: { accountId, msisdn: '+15551230001', reason: 'number ported out, ticket 42' } };

  it('unlinks every speaker, expires every approval still waiting (lapsed ones too), then closes', () => {
    const old: HouseholdEvent = {
      type: 'ApprovalRequested',
      data: { approvalId: 'ap-old', accountId, action: { type: 'remove_member', memberId: 'adam', name: 'Adam' }, requestedAt: '2026-11-28T10:00:00.000Z', expiresAt: '2026-11-28T10:10:00.000Z' },
    };
    given([opened, olivia, adam, kitchen, hall, approver, old, requested({ type: 'unlink_device', deviceId: 'hall' })])
      .when(close)
      .then([
        { type: 'DeviceUnlinked', data: { accountId, deviceId: 'kitchen' } },
        { type: 'DeviceUnlinked', data: { accountId, deviceId: 'hall' } },
        { type: 'ApprovalExpired', data: { approvalId: 'ap-old', accountId } },
        { type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } },
        closed,
      ]);
  });

  it('takes nothing more once closed, and closing it again changes nothing', () => {
    given([opened, olivia, closed]).when(close).thenNothingHappens();
    given([opened, olivia, closed]).when({ type: 'AddMember', accountId, now, memberId: 'adam', name: 'Adam', role: 'adult' }).thenThrows('account_not_found');
    given([]).when(close).thenThrows('account_not_found');
  });
});

describe('a closed account, met by a command that was on its way', () => {
  const closed: HouseholdEvent = { type: 'AccountClosed', data: { accountId, msisdn: '+15551230001', reason: 'contract ended' } };

  it("is not opened again under its id (a new household gets a new one)", () =>
    given([opened, olivia, closed])
      .when({ type: 'OpenAccount', accountId, now, msisdn: '+1 555 123 0001', displayName: 'Again', timezone: 'UTC', address })
      .thenThrows('account_already_exists'));

  it("takes the expiry sweep's late ExpireApproval as nothing to do: the closure expired every waiting approval", () =>
    given([opened, olivia, adam, approver, requested({ type: 'remove_member', memberId: 'adam', name: 'Adam' }), { type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } }, closed])
      .when({ type: 'ExpireApproval', accountId, now: in10Minutes, approvalId: 'ap-1' })
      .thenNothingHappens());
});
