import { fold } from '@homeline/event-store';
import type { HouseholdEvent } from './household';
import type { HouseholdCommand } from './household.decide';
import { householdDecider } from './household-command';

const accountId = 'a-1';
const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const opened: HouseholdEvent = {
  type: 'AccountOpened',
  data: { accountId, msisdn: '+15551230001', displayName: 'Riveras', timezone: 'America/Chicago', address },
};
const adultAdded: HouseholdEvent = {
  type: 'MemberAdded',
  data: { accountId, memberId: 'm-1', name: 'Ana', role: 'adult', grants: ['emergency', 'contacts', 'short_code', 'domestic'] },
};
const deviceLinked: HouseholdEvent = {
  type: 'DeviceLinked',
  data: { accountId, deviceId: 'd-1', name: 'Kitchen', publicKey: 'k', location: null },
};

/** given(events).when(command) -> the events decided, or the error thrown. */
const given = (events: HouseholdEvent[]) => ({
  when: (command: HouseholdCommand) => {
    const run = () => householdDecider.decide(command, fold(householdDecider, events));
    return {
      then: (expected: HouseholdEvent[]) => expect(run()).toEqual(expected),
      thenRefuses: (code: string) => expect(run).toThrow(expect.objectContaining({ code })),
    };
  },
});

describe('a household', () => {
  it('opens with its line in E.164, read in the country of its address', () => {
    given([])
      .when({ type: 'OpenAccount', data: { accountId, msisdn: '(555) 123-0001', displayName: 'Riveras', timezone: 'America/Chicago', address } })
      .then([opened]);
  });

  it('refuses a line that cannot be a phone number', () => {
    given([]).when({ type: 'OpenAccount', data: { ...opened.data, msisdn: '+1 555' } as never }).thenRefuses('invalid_phone_number');
  });

  it('opens only once', () => {
    given([opened]).when({ type: 'OpenAccount', data: opened.data as never }).thenRefuses('account_already_opened');
  });

  it('refuses anything before it is opened', () => {
    given([]).when({ type: 'AddMember', data: { memberId: 'm-1', name: 'Ana', role: 'adult', overrides: {} } }).thenRefuses('account_not_found');
  });

  it('adds a member with the grants of their role, adjusted by overrides', () => {
    given([opened])
      .when({ type: 'AddMember', data: { memberId: 'm-2', name: 'Leo', role: 'child', overrides: { grant: ['domestic'], revoke: ['emergency'] } } })
      .then([{ type: 'MemberAdded', data: { accountId, memberId: 'm-2', name: 'Leo', role: 'child', grants: ['emergency', 'contacts', 'domestic'] } }]);
  });

  it('changes a member\'s grants from their current ones, or from the new role\'s defaults', () => {
    given([opened, adultAdded])
      .when({ type: 'ChangeMemberPermissions', data: { memberId: 'm-1', overrides: { grant: ['premium'], revoke: ['contacts'] } } })
      .then([{ type: 'MemberPermissionsChanged', data: { accountId, memberId: 'm-1', role: 'adult', grants: ['emergency', 'short_code', 'domestic', 'premium'] } }]);
    given([opened, adultAdded])
      .when({ type: 'ChangeMemberPermissions', data: { memberId: 'm-1', role: 'guest', overrides: {} } })
      .then([{ type: 'MemberPermissionsChanged', data: { accountId, memberId: 'm-1', role: 'guest', grants: ['emergency'] } }]);
  });

  it('enrols voiceprints, links devices and adds contacts only for its own members', () => {
    given([opened]).when({ type: 'EnrollVoiceprint', data: { memberId: 'm-9', dimensions: 192 } }).thenRefuses('member_not_found');
    given([opened])
      .when({ type: 'AddContact', data: { contactId: 'c-1', name: 'Mom', aliases: [], number: '+12175550142', memberId: 'm-9' } })
      .thenRefuses('member_not_found');
    given([opened, adultAdded])
      .when({ type: 'EnrollVoiceprint', data: { memberId: 'm-1', dimensions: 192 } })
      .then([{ type: 'VoiceprintEnrolled', data: { accountId, memberId: 'm-1', dimensions: 192 } }]);
  });

  it('normalises a contact\'s number in the household\'s country', () => {
    given([opened, adultAdded])
      .when({ type: 'AddContact', data: { contactId: 'c-1', name: 'Mom', aliases: ['Mother'], number: '217 555 0142', memberId: 'm-1' } })
      .then([{ type: 'ContactAdded', data: { accountId, contactId: 'c-1', name: 'Mom', aliases: ['Mother'], e164: '+12175550142', memberId: 'm-1' } }]);
    given([opened])
      .when({ type: 'AddContact', data: { contactId: 'c-2', name: 'Pizza', aliases: [], number: 'pizza', memberId: null } })
      .thenRefuses('invalid_phone_number');
  });

  it('links a device once, and unlinks only a linked one', () => {
    given([opened, deviceLinked]).when({ type: 'LinkDevice', data: { ...deviceLinked.data } as never }).thenRefuses('device_already_linked');
    given([opened]).when({ type: 'UnlinkDevice', data: { deviceId: 'd-1' } }).thenRefuses('device_not_found');
    given([opened, deviceLinked]).when({ type: 'UnlinkDevice', data: { deviceId: 'd-1' } }).then([{ type: 'DeviceUnlinked', data: { accountId, deviceId: 'd-1' } }]);
    given([opened, deviceLinked, { type: 'DeviceUnlinked', data: { accountId, deviceId: 'd-1' } }])
      .when({ type: 'LinkDevice', data: { deviceId: 'd-1', name: 'Den', publicKey: 'k2', location: { room: 'den' } } })
      .then([{ type: 'DeviceLinked', data: { accountId, deviceId: 'd-1', name: 'Den', publicKey: 'k2', location: { room: 'den' } } }]);
  });
});
