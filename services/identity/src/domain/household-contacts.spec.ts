import { deciderSpecification } from '@homeline/testing';
import { evolveHousehold, initialHouseholdState, type HouseholdState } from './household';
import type { HouseholdCommand } from './household.commands';
import { decideHousehold } from './household.decide';
import type { HouseholdEvent } from './household.events';

const given = deciderSpecification<HouseholdCommand, HouseholdEvent, HouseholdState>({
  decide: decideHousehold,
  evolve: evolveHousehold,
  initialState: initialHouseholdState,
});

const now = '2026-11-24T18:00:00.000Z';
const accountId = 'acc-1';
const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const opened: HouseholdEvent = {
  type: 'AccountOpened',
  data: { accountId, msisdn: '+15551230001', displayName: 'The Smiths', timezone: 'America/Chicago', address },
};
const owner: HouseholdEvent = {
  type: 'MemberAdded',
  data: { accountId, memberId: 'olivia', name: 'Olivia', role: 'owner', grants: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international', 'answer_sensitive'] },
};

describe('contacts', () => {
  it("belong to a member, with the number normalized for the account's country", () =>
    given([opened, owner])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c1',
        name: 'Mom',
        aliases: ['Mother'],
        number: '(555) 010-0001',
        memberId: 'olivia',
        sensitive: false,
      })
      .then([
        {
          type: 'ContactAdded',
          data: {
            accountId,
            contactId: 'c1',
            name: 'Mom',
            aliases: ['Mother'],
            e164: '+15550100001',
            memberId: 'olivia',
            sensitive: false,
          },
        },
      ]));

  it('or to the whole household', () =>
    given([opened])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c2',
        name: 'Pizza',
        aliases: [],
        number: '+1 555 010 0004',
        memberId: null,
        sensitive: false,
      })
      .then([
        {
          type: 'ContactAdded',
          data: { accountId, contactId: 'c2', name: 'Pizza', aliases: [], e164: '+15550100004', memberId: null, sensitive: false },
        },
      ]));

  it('need a number', () =>
    given([opened])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c3',
        name: 'Nobody',
        aliases: [],
        number: '12',
        memberId: null,
        sensitive: false,
      })
      .thenThrows('invalid_number'));

  it('cannot belong to a stranger', () =>
    given([opened])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c4',
        name: 'Mom',
        aliases: [],
        number: '+15550100001',
        memberId: 'ghost',
        sensitive: false,
      })
      .thenThrows('member_not_found'));
});

describe('a sensitive contact', () => {
  it('is recorded as sensitive, so that only members who may answer sensitive calls take its calls', () =>
    given([opened])
      .when({ type: 'AddContact', accountId, now, contactId: 'bank', name: 'Bank', aliases: [], number: '+1 555 010 0900', memberId: null, sensitive: true })
      .then([
        {
          type: 'ContactAdded',
          data: { accountId, contactId: 'bank', name: 'Bank', aliases: [], e164: '+15550100900', memberId: null, sensitive: true },
        },
      ]));
});

describe('a contact that would shadow an emergency number (issue 11, finding 5)', () => {
  const contact = (name: string, aliases: string[], number: string): HouseholdCommand => ({
    type: 'AddContact', accountId, now, contactId: 'c9', name, aliases, number, memberId: null, sensitive: false,
  });

  it.each([
    ['named "911"', contact('911', [], '+1 900 555 0100')],
    ['named "Emergency"', contact('Emergency', [], '+1 900 555 0100')],
    ['named "Police"', contact('Police', [], '+1 555 010 0100')],
    ['aliased "nine one one"', contact('Hotline', ['Hotline two', 'nine one one'], '+1 900 555 0100')],
    ['aliased in fullwidth digits "９１１"', contact('Hotline', ['９１１'], '+1 900 555 0100')],
    ['aliased "112", also an emergency number in the US', contact('Hotline', ['112'], '+1 900 555 0100')],
    ['given the number 911', contact('Dispatch', [], '911')],
    ['given the number 911#', contact('Dispatch', [], '911#')],
  ])('is refused when %s', (_case, command) => given([opened]).when(command).thenThrows('shadows_emergency_number'));

  it("is judged by the account's country: 999 is an ordinary word in the US", () =>
    given([opened])
      .when(contact('Nan', ['999'], '+1 555 010 0100'))
      .then([{ type: 'ContactAdded', data: { accountId, contactId: 'c9', name: 'Nan', aliases: ['999'], e164: '+15550100100', memberId: null, sensitive: false } }]));

  it('may still mention one inside a longer name', () =>
    given([opened])
      .when(contact('911 Pizza', ['pizza on 9th'], '+1 555 010 0100'))
      .then([{ type: 'ContactAdded', data: { accountId, contactId: 'c9', name: '911 Pizza', aliases: ['pizza on 9th'], e164: '+15550100100', memberId: null, sensitive: false } }]));
});
