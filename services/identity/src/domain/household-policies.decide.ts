import { isStorableInstant, type QuietWindow } from '@homeline/contracts';
import type { Household } from './household';
import type { SetAwayMode, SetQuietHours } from './household.commands';
import { quietHoursProblems, utcInstant } from './household-policies';
import { HouseholdError } from './household.errors';
import type { HouseholdEvent } from './household.events';

/** Setting what is already set decides nothing: a PUT sent again is not a change. */
export const setAwayMode = (c: SetAwayMode, h: Household): HouseholdEvent[] => {
  const until = c.enabled && c.until !== null ? utcInstant(c.until) : null;
  if (until !== null && Date.parse(until) <= Date.parse(c.now)) {
    throw new HouseholdError('until_in_past', `Away Mode cannot end at ${c.until}, which has passed`);
  }
  // In UTC, 9999-12-31T23:30:00-01:00 is in the year 10000, which no ISO-8601 timestamp of the events can say.
  if (until !== null && !isStorableInstant(until)) {
    throw new HouseholdError('until_out_of_range', `Away Mode cannot end at ${c.until}: after the year 9999 in UTC`);
  }
  if (h.awayMode.enabled === c.enabled && h.awayMode.until === until) return [];
  return [{ type: 'AwayModeChanged', data: { accountId: h.accountId, enabled: c.enabled, until } }];
};

// Field by field: the state read back from the store has its keys in jsonb's order, not the request's.
const sameWindows = (a: readonly QuietWindow[], b: readonly QuietWindow[]): boolean => {
  const key = (windows: readonly QuietWindow[]) => JSON.stringify(windows.map((w) => [w.days ?? null, w.start, w.end]));
  return key(a) === key(b);
};

export const setQuietHours = (c: SetQuietHours, h: Household): HouseholdEvent[] => {
  const [problem] = quietHoursProblems(c.windows);
  if (problem) throw new HouseholdError('invalid_quiet_hours', `windows.${problem.path.join('.')}: ${problem.message}`);
  const windows = c.windows.map((w) => ({ ...w }));
  if (sameWindows(windows, h.quietHours)) return [];
  return [{ type: 'QuietHoursChanged', data: { accountId: h.accountId, windows } }];
};
