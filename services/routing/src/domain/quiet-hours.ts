import type { QuietWindow, Weekday } from '@homeline/contracts';

/**
 * What a zone's clocks read at an instant (ms since the epoch), written as the UTC instant with
 * that date and time, so that calendar arithmetic on it is plain arithmetic and `reading - instant`
 * is the zone's offset then. To the second: milliseconds are dropped.
 */
type WallClock = (instant: number) => number;

const weekdays: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const minute = 60_000;
const day = 24 * 60 * minute;

// One clock per zone: building its formatter costs far more than formatting with it.
const clocks = new Map<string, WallClock>();

/**
 * A zone's clock, by the zone's own rules (Intl, with the runtime's time-zone database), so
 * daylight saving time is whatever the zone says it is that day. Null for a zone the runtime does
 * not know: identity accepts only known zones, so this is a stale or broken projection, and quiet
 * hours then do not apply rather than apply at a guessed offset.
 */
const wallClockOf = (timeZone: string): WallClock | null => {
  let clock = clocks.get(timeZone);
  if (!clock) {
    let formatter: Intl.DateTimeFormat;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        hourCycle: 'h23',
      });
    } catch {
      return null; // not a zone this runtime knows
    }
    clock = (instant) => {
      const p = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    };
    clocks.set(timeZone, clock);
  }
  return clock;
};

const midnightOf = (reading: number): number => Math.floor(reading / day) * day;

const weekdayOf = (reading: number): Weekday => weekdays[new Date(reading).getUTCDay()];

/**
 * The instant at which the zone's clocks read `reading`. A time the clocks read twice (they went
 * back over it) is its first reading; a time they never read (they went forward over it) is the
 * first instant after it, when they jumped. The offsets a day before and two days after its date
 * bracket it; a zone changes its clocks at most once in those three days, so when they agree the
 * offset is that, and when they differ one of the two applies, or the time was skipped.
 */
const instantOf = (reading: number, clock: WallClock): number => {
  const midnight = midnightOf(reading);
  const before = clock(midnight - day) - (midnight - day);
  const after = clock(midnight + 2 * day) - (midnight + 2 * day);
  if (before === after) return reading - before;
  const candidates = [reading - before, reading - after];
  const read = candidates.filter((instant) => clock(instant) === reading);
  if (read.length > 0) return Math.min(...read);
  return jumpOver(reading, Math.min(...candidates), Math.max(...candidates), clock);
};

/**
 * The instant the clocks jumped forward over `reading`: `before` still reads earlier, `after`
 * already later, and in between the clocks only go forward, so halve the span down to the minute.
 */
const jumpOver = (reading: number, before: number, after: number, clock: WallClock): number => {
  while (after - before > minute) {
    const middle = before + Math.max(1, Math.floor((after - before) / 2 / minute)) * minute;
    if (clock(middle) >= reading) after = middle;
    else before = middle;
  }
  return after;
};

// Every window of a household asks about the same few days, so one question reads each instant once.
const remembering = (clock: WallClock): WallClock => {
  const readings = new Map<number, number>();
  return (instant) => {
    let reading = readings.get(instant);
    if (reading === undefined) readings.set(instant, (reading = clock(instant)));
    return reading;
  };
};

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A window belongs to the days it starts on; without `days`, to every day. */
const startsOn = (window: QuietWindow, day: Weekday): boolean => !window.days || window.days.includes(day);

/**
 * Whether the window that starts on the local day from `midnight` covers `now`: from the instant
 * the clocks first read its start up to, not including, the instant they first read its end.
 * Instants, not clock readings, so a window that has begun stays begun when the clocks go back
 * to before its start. An end before the start is the next day's: the window crosses midnight.
 */
const coversFrom = (window: QuietWindow, midnight: number, now: number, clock: WallClock): boolean => {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const endsOn = end > start ? midnight : midnight + day;
  return instantOf(midnight + start * minute, clock) <= now && now < instantOf(endsOn + end * minute, clock);
};

/**
 * Whether any of the household's quiet-hours windows covers this instant, in the household's
 * zone. A window crossing midnight covers the next morning too (Friday's 22:00–07:00 covers
 * Saturday 06:59, not Friday 06:59). Tomorrow's windows count as well: clocks that go back
 * across midnight read yesterday again after the new day's window has begun. A window that starts
 * and ends at the same minute covers nothing (identity refuses it as unclear).
 */
export const isQuietAt = (windows: readonly QuietWindow[], instant: Date, timeZone: string): boolean => {
  if (windows.length === 0) return false;
  const zoneClock = wallClockOf(timeZone);
  if (!zoneClock) return false;
  const clock = remembering(zoneClock);
  const now = instant.getTime();
  const today = midnightOf(clock(now));
  return windows.some(
    (window) =>
      window.start !== window.end &&
      [today - day, today, today + day].some(
        (midnight) => startsOn(window, weekdayOf(midnight)) && coversFrom(window, midnight, now, clock),
      ),
  );
};
