import { approverPhone, simulatedDevice } from '@homeline/device-sim';
import { deciderSpecification } from '@homeline/testing';
import { evolveHousehold, initialHouseholdState, type HouseholdState } from './household';
import type { DecideApproval, HouseholdCommand } from './household.commands';
import { decideHousehold } from './household.decide';
import type { HouseholdEvent } from './household.events';
import { grantsFor } from './permissions';

const given = deciderSpecification<HouseholdCommand, HouseholdEvent, HouseholdState>({
  decide: decideHousehold,
  evolve: evolveHousehold,
  initialState: initialHouseholdState,
});

const now = '2026-11-27T10:00:00.000Z';
const in10Minutes = '2026-11-27T10:10:00.000Z';
const accountId = 'acc-1';
const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const phone = approverPhone('olivias-phone');
const hold = { approvalId: 'ap-1', ttlSeconds: 600 };
const den = simulatedDevice('den');

const opened: HouseholdEvent = { type: 'AccountOpened', data: { accountId, msisdn: '+15551230001', displayName: 'The Smiths', timezone: 'UTC', address } };
const olivia: HouseholdEvent = {
  type: 'MemberAdded',
  data: { accountId, memberId: 'olivia', name: 'Olivia', role: 'owner', grants: grantsFor({ role: 'owner' }) },
};
const adam: HouseholdEvent = { type: 'MemberAdded', data: { accountId, memberId: 'adam', name: 'Adam', role: 'adult', grants: grantsFor({ role: 'adult' }) } };
const approver: HouseholdEvent = { type: 'ApproverRegistered', data: { accountId, memberId: 'olivia', approverId: 'olivias-phone', publicKey: phone.publicKey } };
const household = [opened, olivia, adam, approver];

const linkDen = { type: 'LinkDevice', accountId, now, deviceId: 'den', name: 'Den', publicKey: den.publicKey, location: null, hold } as const;
const denAction = { type: 'link_device', deviceId: 'den', name: 'Den', publicKey: den.publicKey, location: null } as const;
const requested = (action: object, approvalId = 'ap-1'): HouseholdEvent =>
  ({ type: 'ApprovalRequested', data: { approvalId, accountId, action, requestedAt: now, expiresAt: in10Minutes } }) as HouseholdEvent;
const denHeld = requested(denAction);
const denLinked: HouseholdEvent = { type: 'DeviceLinked', data: { accountId, deviceId: 'den', name: 'Den', publicKey: den.publicKey, location: null } };
const internationalForAdam = requested({ type: 'change_member', memberId: 'adam', grant: ['international'], raises: ['international'] });

const answer = (decision: 'approve' | 'deny', extra: Partial<DecideApproval> = {}): DecideApproval => ({
  type: 'DecideApproval', accountId, now: '2026-11-27T10:01:00.000Z', approvalId: 'ap-1', ...phone.sign('ap-1', decision, '2026-11-27T10:00:55.000Z'),
  freshness: { maxAgeSeconds: 300, futureSkewSeconds: 5 }, ...extra,
});
const decided = (decision: 'approve' | 'deny'): HouseholdEvent => ({
  type: 'ApprovalDecided', data: { approvalId: 'ap-1', accountId, approverId: 'olivias-phone', memberId: 'olivia', decision, signedAt: '2026-11-27T10:00:55.000Z' },
});

describe('an approver phone', () => {
  it("is an owner's, registered at once when the household has none", () =>
    given([opened, olivia])
      .when({ type: 'RegisterApprover', accountId, now, memberId: 'olivia', approverId: 'olivias-phone', publicKey: phone.publicKey, hold })
      .then([approver]));

  it('is refused to a member who is not an owner, for a weak key, and twice', () => {
    const register = { type: 'RegisterApprover', accountId, now, memberId: 'adam', approverId: 'adams-phone', publicKey: phone.publicKey, hold } as const;
    given([opened, olivia, adam]).when(register).thenThrows('member_not_owner');
    given([opened, olivia]).when({ ...register, memberId: 'olivia', publicKey: Buffer.alloc(32).toString('base64') }).thenThrows('invalid_public_key');
    given(household).when({ ...register, memberId: 'olivia', approverId: 'olivias-phone' }).thenThrows('approver_already_registered');
  });

  it("is held for an approver's yes when the household already has one: else anyone could add their own", () =>
    given(household)
      .when({ type: 'RegisterApprover', accountId, now, memberId: 'olivia', approverId: 'second-phone', publicKey: approverPhone('second-phone').publicKey, hold })
      .then([requested({ type: 'register_approver', memberId: 'olivia', approverId: 'second-phone', publicKey: approverPhone('second-phone').publicKey })]));
});

describe('once a household has an approver, an action that matters', () => {
  it('is taken at once while it has none', () =>
    given([opened, olivia]).when(linkDen).then([denLinked]));

  it('is held when it links another device: ApprovalRequested, and no DeviceLinked for anyone to see', () =>
    given(household).when(linkDen).then([denHeld]));

  it.each([['premium'], ['international'], ['answer_sensitive']] as const)('is held when it grants %s', (grant) =>
    given(household)
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'adam', grant: [grant], hold })
      .then([requested({ type: 'change_member', memberId: 'adam', grant: [grant], raises: [grant] })]));

  it('is held when it makes a member an owner, by a new role or as a new member', () => {
    given(household)
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'adam', role: 'owner', hold })
      .then([requested({ type: 'change_member', memberId: 'adam', role: 'owner', raises: ['owner', 'premium', 'international', 'answer_sensitive'] })]);
    given(household)
      .when({ type: 'AddMember', accountId, now, memberId: 'eve', name: 'Eve', role: 'owner', hold })
      .then([requested({ type: 'add_member', memberId: 'eve', name: 'Eve', role: 'owner' })]);
  });

  it('is not held when it gives nothing held: a new adult, a domestic grant, a revocation', () => {
    given(household)
      .when({ type: 'AddMember', accountId, now, memberId: 'kid', name: 'Kid', role: 'child', hold })
      .then([{ type: 'MemberAdded', data: { accountId, memberId: 'kid', name: 'Kid', role: 'child', grants: ['emergency', 'contacts'] } }]);
    given(household)
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'adam', revoke: ['domestic'], hold })
      .then([{ type: 'MemberPermissionsChanged', data: { accountId, memberId: 'adam', role: 'adult', overrides: { grant: [], revoke: ['domestic'] }, grants: ['emergency', 'contacts', 'short_code'] } }]);
  });

  it('is held when it enrols a voiceprint: a voice enrolled under a member is recognised as that member, with their grants', () => {
    const enrol = { type: 'EnrollVoiceprint', accountId, now, memberId: 'olivia', voiceprintId: 'vp-1', embedding: [0.6, 0.8], maxPerMember: 2, hold } as const;
    const held = requested({ type: 'enroll_voiceprint', memberId: 'olivia', voiceprintId: 'vp-1', dimensions: 2 });
    given(household).when(enrol).then([held]);
    given([opened, olivia]).when(enrol).then([{ type: 'VoiceprintEnrolled', data: { accountId, memberId: 'olivia', voiceprintId: 'vp-1', dimensions: 2 } }]);
    // One waiting counts towards the cap: approving every one asked for could not pass it.
    const enrolled: HouseholdEvent = { type: 'VoiceprintEnrolled', data: { accountId, memberId: 'olivia', voiceprintId: 'vp-1', dimensions: 2 } };
    given([...household, enrolled, held]).when({ ...enrol, hold: { ...hold, approvalId: 'ap-2' } }).thenThrows('too_many_voiceprints');
    given([...household, held]).when(answer('approve')).then([decided('approve'), enrolled]);
    given([...household, held]).when(answer('deny')).then([decided('deny')]);
    // One whose time is up no longer counts, though the sweep has not recorded it yet.
    const later = '2026-11-27T10:11:00.000Z';
    given([...household, enrolled, held])
      .when({ ...enrol, now: later, hold: { ...hold, approvalId: 'ap-2' } })
      .then([{ type: 'ApprovalRequested', data: { approvalId: 'ap-2', accountId, action: { type: 'enroll_voiceprint', memberId: 'olivia', voiceprintId: 'vp-1', dimensions: 2 }, requestedAt: later, expiresAt: '2026-11-27T10:21:00.000Z' } }]);
  });

  it('is held when it unlinks a device: else anyone could take a speaker out, which only an owner may link back', () => {
    const kitchen = simulatedDevice('kitchen');
    const linked: HouseholdEvent = { type: 'DeviceLinked', data: { accountId, deviceId: 'kitchen', name: 'Kitchen', publicKey: kitchen.publicKey, location: null } };
    const unlink = { type: 'UnlinkDevice', accountId, now, deviceId: 'kitchen', hold } as const;
    const held = requested({ type: 'unlink_device', deviceId: 'kitchen' });
    const unlinked: HouseholdEvent = { type: 'DeviceUnlinked', data: { accountId, deviceId: 'kitchen' } };
    given([opened, olivia, linked]).when(unlink).then([unlinked]);
    given([...household, linked]).when(unlink).then([held]);
    given([...household, linked, held]).when({ ...unlink, hold: { ...hold, approvalId: 'ap-2' } }).thenThrows('awaiting_approval');
    given(household).when(unlink).thenThrows('device_not_found');
    given([...household, linked, held]).when(answer('approve')).then([decided('approve'), unlinked]);
    given([...household, linked, held]).when(answer('deny')).then([decided('deny')]);
  });

  it('is refused, not held, when it is invalid anyway', () =>
    given(household).when({ ...linkDen, publicKey: Buffer.alloc(32).toString('base64') }).thenThrows('invalid_public_key'));

  it('is not asked for twice while it waits', () =>
    given([...household, denHeld]).when({ ...linkDen, hold: { ...hold, approvalId: 'ap-2' } }).thenThrows('awaiting_approval'));
});

describe("an owner's signed answer", () => {
  it('approved, takes the action: the device is linked in the same append', () =>
    given([...household, denHeld]).when(answer('approve')).then([decided('approve'), denLinked]));

  it('approved, gives the grant as asked', () =>
    given([...household, internationalForAdam])
      .when(answer('approve'))
      .then([
        decided('approve'),
        { type: 'MemberPermissionsChanged', data: { accountId, memberId: 'adam', role: 'adult', overrides: { grant: ['international'], revoke: [] }, grants: ['emergency', 'contacts', 'short_code', 'domestic', 'international'] } },
      ]));

  it('approved, refuses to give more than the owner was shown: grants hidden behind a revocation while it waited', () => {
    // Adam's overrides grant and revoke premium at once (not held: it gives nothing); asking to drop the
    // revocations raises premium alone, and that is what the phone shows; then, not held either, the
    // hidden grants grow behind the same revocations.
    const overrides = (grant: string[], revoke: string[]): HouseholdEvent =>
      ({ type: 'MemberPermissionsChanged', data: { accountId, memberId: 'adam', role: 'adult', overrides: { grant, revoke }, grants: grantsFor({ role: 'adult' }) } }) as HouseholdEvent;
    const dropRevocations = requested({ type: 'change_member', memberId: 'adam', revoke: [], raises: ['premium'] });
    const all = ['premium', 'international', 'answer_sensitive'];
    given([...household, overrides(['premium'], ['premium']), dropRevocations, overrides(all, all)])
      .when(answer('approve'))
      .thenThrows('approval_outdated');
    // Nothing hidden behind it: it gives what the phone showed.
    given([...household, overrides(['premium'], ['premium']), dropRevocations])
      .when(answer('approve'))
      .then([
        decided('approve'),
        { type: 'MemberPermissionsChanged', data: { accountId, memberId: 'adam', role: 'adult', overrides: { grant: ['premium'], revoke: [] }, grants: grantsFor({ role: 'adult', overrides: { grant: ['premium'], revoke: [] } }) } },
      ]);
  });

  it('denied, takes nothing: a denied grant leaves the member without it', () => {
    given([...household, internationalForAdam]).when(answer('deny')).then([decided('deny')]);
    const after = [...household, internationalForAdam, decided('deny')].reduce(evolveHousehold, initialHouseholdState);
    if (after.status !== 'open') throw new Error('expected the household');
    expect(grantsFor(after.members.adam)).not.toContain('international');
    expect(after.approvals['ap-1'].status).toBe('denied');
  });

  it('denied, leaves the device unlinked, and it may be asked for again', () =>
    given([...household, denHeld, decided('deny')]).when({ ...linkDen, hold: { ...hold, approvalId: 'ap-2' } }).then([requested(denAction, 'ap-2')]));

  it('is refused when signed by another key than the approver\'s', () => {
    const forged = approverPhone('olivias-phone', 'a thief\'s seed').sign('ap-1', 'approve', '2026-11-27T10:00:55.000Z');
    given([...household, denHeld]).when(answer('approve', forged)).thenThrows('invalid_approval_signature');
  });

  it('is refused when it was signed for another approval or another answer', () => {
    given([...household, denHeld]).when(answer('approve', { decision: 'deny' })).thenThrows('invalid_approval_signature');
    given([...household, denHeld, requested(denAction, 'ap-2')]).when(answer('approve', { approvalId: 'ap-2' })).thenThrows('invalid_approval_signature');
  });

  it("keeps its owner an owner: demoting them would leave every held action waiting for a phone that may not answer", () => {
    const bob: HouseholdEvent = { type: 'MemberAdded', data: { accountId, memberId: 'bob', name: 'Bob', role: 'owner', grants: grantsFor({ role: 'owner' }) } };
    given([...household, bob]).when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'olivia', role: 'adult', hold }).thenThrows('member_is_approver');
    // An owner with no approver phone may still be demoted while another owner remains.
    given([...household, bob]).when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'bob', role: 'adult', hold }).then([
      { type: 'MemberPermissionsChanged', data: { accountId, memberId: 'bob', role: 'adult', overrides: { grant: [], revoke: [] }, grants: grantsFor({ role: 'adult' }) } },
    ]);
  });

  it('is refused from a phone the household does not know, or whose owner is no longer one', () => {
    given([...household, denHeld]).when(answer('approve', { approverId: 'unknown-phone' })).thenThrows('unknown_approver');
    const demoted: HouseholdEvent = { type: 'MemberPermissionsChanged', data: { accountId, memberId: 'olivia', role: 'adult', overrides: { grant: [], revoke: [] }, grants: grantsFor({ role: 'adult' }) } };
    given([...household, denHeld, demoted]).when(answer('approve')).thenThrows('unknown_approver');
  });

  it('is refused when its signature is not fresh', () =>
    given([...household, denHeld]).when(answer('approve', { now: '2026-11-27T10:06:00.000Z' })).thenThrows('stale_approval_signature'));

  it('is refused once the approval is decided', () =>
    given([...household, denHeld, decided('deny')]).when(answer('approve')).thenThrows('approval_already_decided'));

  it('is refused for an approval the household never asked for', () =>
    given(household).when(answer('approve')).thenThrows('approval_not_found'));
});

describe('an unanswered approval', () => {
  const expire = (at: string) => ({ type: 'ExpireApproval', accountId, now: at, approvalId: 'ap-1' }) as const;

  it('expires once its time is up, and the device stays unlinked', () =>
    given([...household, denHeld]).when(expire(in10Minutes)).then([{ type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } }]));

  it('does not expire before its time, nor once answered or expired', () => {
    given([...household, denHeld]).when(expire('2026-11-27T10:09:59.000Z')).thenNothingHappens();
    given([...household, denHeld, decided('approve')]).when(expire(in10Minutes)).thenNothingHappens();
    given([...household, denHeld, { type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } }]).when(expire(in10Minutes)).thenNothingHappens();
  });

  it('cannot be answered once its time is up, even before the sweep records it', () => {
    const late = answer('approve', { now: '2026-11-27T10:10:30.000Z', ...phone.sign('ap-1', 'approve', '2026-11-27T10:10:29.000Z') });
    given([...household, denHeld]).when(late).thenThrows('approval_expired');
    given([...household, denHeld, { type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } }]).when(late).thenThrows('approval_expired');
  });
});

describe('taking an approver phone off the household', () => {
  const bens = approverPhone('bens-phone');
  const ben: HouseholdEvent = { type: 'MemberAdded', data: { accountId, memberId: 'ben', name: 'Ben', role: 'owner', grants: grantsFor({ role: 'owner' }) } };
  const bensApprover: HouseholdEvent = { type: 'ApproverRegistered', data: { accountId, memberId: 'ben', approverId: 'bens-phone', publicKey: bens.publicKey } };
  const twoApprovers = [...household, ben, bensApprover];
  const removeOlivias = { type: 'RemoveApprover', accountId, now, approverId: 'olivias-phone', hold } as const;
  const removalHeld = requested({ type: 'remove_approver', memberId: 'olivia', approverId: 'olivias-phone' });
  const removed = (approverId: string, memberId: string, via: 'approval' | 'carrier_recovery', reason: string | null = null): HouseholdEvent =>
    ({ type: 'ApproverRemoved', data: { accountId, approverId, memberId, via, reason } });
  const bensAnswer = (decision: 'approve' | 'deny') => answer(decision, bens.sign('ap-1', decision, '2026-11-27T10:00:55.000Z'));

  it("is held for another approver's yes, and taken when it comes: then its owner may be demoted", () => {
    given(twoApprovers).when(removeOlivias).then([removalHeld]);
    const bensYes: HouseholdEvent = { type: 'ApprovalDecided', data: { approvalId: 'ap-1', accountId, approverId: 'bens-phone', memberId: 'ben', decision: 'approve', signedAt: '2026-11-27T10:00:55.000Z' } };
    given([...twoApprovers, removalHeld]).when(bensAnswer('approve')).then([bensYes, removed('olivias-phone', 'olivia', 'approval')]);
    given([...twoApprovers, removalHeld, bensYes, removed('olivias-phone', 'olivia', 'approval')])
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'olivia', role: 'adult', hold })
      .then([{
        type: 'MemberPermissionsChanged',
        data: { accountId, memberId: 'olivia', role: 'adult', overrides: { grant: [], revoke: [] }, grants: grantsFor({ role: 'adult' }) },
      }]);
  });

  it("is not its owner's to decide, from that phone or another of theirs: a hostile approver cannot keep itself by denying", () => {
    given([...twoApprovers, removalHeld]).when(answer('deny')).thenThrows('own_removal');
    const spare = approverPhone('olivias-spare');
    const spareRegistered: HouseholdEvent = { type: 'ApproverRegistered', data: { accountId, memberId: 'olivia', approverId: 'olivias-spare', publicKey: spare.publicKey } };
    given([...twoApprovers, spareRegistered, removalHeld])
      .when(answer('deny', spare.sign('ap-1', 'deny', '2026-11-27T10:00:55.000Z')))
      .thenThrows('own_removal');
  });

  it("is decided by another phone of its owner when that owner's phones are the household's only approvers: nobody else could", () => {
    const spare = approverPhone('olivias-spare');
    const spareRegistered: HouseholdEvent = { type: 'ApproverRegistered', data: { accountId, memberId: 'olivia', approverId: 'olivias-spare', publicKey: spare.publicKey } };
    const spareYes: HouseholdEvent = { type: 'ApprovalDecided', data: { approvalId: 'ap-1', accountId, approverId: 'olivias-spare', memberId: 'olivia', decision: 'approve', signedAt: '2026-11-27T10:00:55.000Z' } };
    given([...household, spareRegistered, removalHeld])
      .when(answer('approve', spare.sign('ap-1', 'approve', '2026-11-27T10:00:55.000Z')))
      .then([spareYes, removed('olivias-phone', 'olivia', 'approval')]);
    given([...household, spareRegistered, removalHeld]).when(answer('approve')).thenThrows('own_removal'); // the lost phone itself, never
  });

  it("is refused for the household's only approver, and for a phone it does not have", () => {
    given(household).when(removeOlivias).thenThrows('last_approver');
    given(twoApprovers).when({ ...removeOlivias, approverId: 'someone-elses' }).thenThrows('approver_not_found');
    given(twoApprovers).when({ ...removeOlivias, approverId: '__proto__' }).thenThrows('approver_not_found');
  });

  it("is the carrier's account recovery's for any approver: all go, and every action waiting for one expires", () =>
    given([...twoApprovers, denHeld])
      .when({ type: 'RecoverApprovers', accountId, now, reason: 'store ID check, ticket 4411' })
      .then([
        removed('olivias-phone', 'olivia', 'carrier_recovery', 'store ID check, ticket 4411'),
        removed('bens-phone', 'ben', 'carrier_recovery', 'store ID check, ticket 4411'),
        { type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } },
      ]));

  it('leaves the household without approvers after a recovery: a device links at once, and the old phone answers nothing', () => {
    const recovered = [...household, denHeld, removed('olivias-phone', 'olivia', 'carrier_recovery', 'lost phone'), { type: 'ApprovalExpired', data: { approvalId: 'ap-1', accountId } } as HouseholdEvent];
    given(recovered).when({ ...linkDen, deviceId: 'den-2', hold: { approvalId: 'ap-2', ttlSeconds: 600 } })
      .then([{ type: 'DeviceLinked', data: { accountId, deviceId: 'den-2', name: 'Den', publicKey: den.publicKey, location: null } }]);
    given(recovered).when(answer('approve')).thenThrows('unknown_approver');
    given([opened, olivia]).when({ type: 'RecoverApprovers', accountId, now, reason: 'lost phone' }).thenThrows('no_approver');
  });
});
