import type { QuietWindow, Weekday } from '@homeline/contracts';

/** A moment as the household's clocks show it: the weekday and the minutes since local midnight. */
export interface LocalTime {
  readonly weekday: Weekday;
  readonly minutes: number;
}

const weekdays: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// One formatter per zone: building one costs far more than formatting with it.
const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat | null => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return null; // not a zone this runtime knows
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/**
 * The local time of an instant in an IANA zone, by the zone's own rules (Intl, with the runtime's
 * time-zone database), so daylight saving time is whatever the zone says it is that day. Null for
 * a zone the runtime does not know: identity accepts only known zones, so this is a stale or broken
 * projection, and quiet hours then do not apply rather than apply at a guessed offset.
 */
export const localTimeAt = (instant: Date, timeZone: string): LocalTime | null => {
  const formatter = formatterFor(timeZone);
  if (!formatter) return null;
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
  const weekday = parts.weekday?.toLowerCase() as Weekday;
  if (!weekdays.includes(weekday)) return null;
  return { weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
};

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const dayBefore = (day: Weekday): Weekday => weekdays[(weekdays.indexOf(day) + 6) % 7];

/** A window belongs to the days it starts on; without `days`, to every day. */
const startsOn = (window: QuietWindow, day: Weekday): boolean => !window.days || window.days.includes(day);

/**
 * Whether a window covers a local time. `start` is inside, `end` is not. A window whose end is
 * before its start crosses midnight: its early-morning part belongs to the day before (Friday's
 * 22:00–07:00 covers Saturday 06:59, not Friday 06:59). One that starts and ends at the same
 * minute covers nothing (identity refuses it as unclear).
 */
export const windowCovers = (window: QuietWindow, at: LocalTime): boolean => {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start < end) return startsOn(window, at.weekday) && at.minutes >= start && at.minutes < end;
  if (start > end)
    return (
      (startsOn(window, at.weekday) && at.minutes >= start) || (startsOn(window, dayBefore(at.weekday)) && at.minutes < end)
    );
  return false;
};

/** Whether any of the household's quiet-hours windows covers this instant, in the household's zone. */
export const isQuietAt = (windows: readonly QuietWindow[], instant: Date, timeZone: string): boolean => {
  if (windows.length === 0) return false;
  const at = localTimeAt(instant, timeZone);
  return at !== null && windows.some((window) => windowCovers(window, at));
};
