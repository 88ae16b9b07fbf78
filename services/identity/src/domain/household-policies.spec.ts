import { deciderSpecification } from '@homeline/testing';
import { evolveHousehold, initialHouseholdState, type HouseholdState } from './household';
import type { HouseholdCommand, SetQuietHours } from './household.commands';
import { decideHousehold } from './household.decide';
import type { HouseholdEvent } from './household.events';
import { quietHoursProblems } from './household-policies';

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
const away = (enabled: boolean, until: string | null): HouseholdEvent => ({ type: 'AwayModeChanged', data: { accountId, enabled, until } });
const setAway = (enabled: boolean, until: string | null = null): HouseholdCommand => ({ type: 'SetAwayMode', accountId, now, enabled, until });
const nights = [{ start: '22:00', end: '07:00' }];
const quiet = (windows: SetQuietHours['windows']): HouseholdCommand => ({ type: 'SetQuietHours', accountId, now, windows });

describe('Away Mode', () => {
  it('turns on until turned off', () => given([opened]).when(setAway(true)).then([away(true, null)]));

  it('turns on until a time, kept as the UTC instant it names', () =>
    given([opened]).when(setAway(true, '2026-11-30T09:00:00-05:00')).then([away(true, '2026-11-30T14:00:00.000Z')]));

  it('cannot be set to end at a time that has passed', () =>
    given([opened]).when(setAway(true, '2026-11-24T17:59:59Z')).thenThrows('until_in_past'));

  it('cannot be set to end right now', () => given([opened]).when(setAway(true, now)).thenThrows('until_in_past'));

  it('turns off, forgetting when it would have ended', () =>
    given([opened, away(true, '2026-11-30T14:00:00.000Z')]).when(setAway(false)).then([away(false, null)]));

  it('changes nothing when set again as it is', () =>
    given([opened, away(true, '2026-11-30T14:00:00.000Z')]).when(setAway(true, '2026-11-30T15:00:00+01:00')).thenNothingHappens());

  it('changes nothing when turned off while off', () => given([opened]).when(setAway(false)).thenNothingHappens());

  it('needs an account', () => given([]).when(setAway(true)).thenThrows('account_not_found'));
});

describe('quiet hours', () => {
  it('are set as windows in local time, on some days or every day', () => {
    const windows = [{ days: ['sat' as const, 'sun' as const], start: '13:00', end: '15:00' }, ...nights];
    given([opened]).when(quiet(windows)).then([{ type: 'QuietHoursChanged', data: { accountId, windows } }]);
  });

  it('are cleared with no windows', () =>
    given([opened, { type: 'QuietHoursChanged', data: { accountId, windows: nights } }])
      .when(quiet([]))
      .then([{ type: 'QuietHoursChanged', data: { accountId, windows: [] } }]));

  it('change nothing when set again as they are, whatever order their fields came in', () =>
    given([opened, { type: 'QuietHoursChanged', data: { accountId, windows: [{ end: '07:00', start: '22:00' }] } }])
      .when(quiet(nights))
      .thenNothingHappens());

  it('refuse a window that starts and ends at the same minute', () =>
    given([opened]).when(quiet([{ start: '22:00', end: '22:00' }])).thenThrows('invalid_quiet_hours'));

  it('refuse a window that names a day twice', () =>
    given([opened]).when(quiet([{ days: ['mon', 'tue', 'mon'], start: '22:00', end: '07:00' }])).thenThrows('invalid_quiet_hours'));
});

describe('what makes a quiet-hours window unclear', () => {
  it('is said with where, for each window', () =>
    expect(quietHoursProblems([...nights, { start: '01:00', end: '01:00' }, { days: ['fri', 'fri', 'sat', 'sat'], start: '00:00', end: '06:00' }])).toEqual([
      { path: [1, 'end'], message: expect.stringMatching(/another minute/) },
      { path: [2, 'days'], message: 'fri, sat listed twice' },
    ]));
});
