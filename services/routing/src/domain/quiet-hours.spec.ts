import type { QuietWindow } from '@homeline/contracts';
import { isQuietAt, localTimeAt } from './quiet-hours';

const newYork = 'America/New_York';
const at = (iso: string) => new Date(iso);

describe('the local time of a household', () => {
  it('is read in its own zone, standard or daylight time as the zone has it that day', () => {
    expect(localTimeAt(at('2026-07-01T16:30:00Z'), newYork)).toEqual({ weekday: 'wed', minutes: 12 * 60 + 30 }); // EDT, -4
    expect(localTimeAt(at('2026-12-01T16:30:00Z'), newYork)).toEqual({ weekday: 'tue', minutes: 11 * 60 + 30 }); // EST, -5
  });

  it('keeps the minutes of a zone a quarter of an hour off the hour', () =>
    expect(localTimeAt(at('2026-11-24T18:00:00Z'), 'Asia/Kathmandu')).toEqual({ weekday: 'tue', minutes: 23 * 60 + 45 }));

  it('is unknown in a zone the runtime does not know, and then no quiet hours apply', () => {
    expect(localTimeAt(at('2026-11-24T18:00:00Z'), 'Mars/Olympus_Mons')).toBeNull();
    expect(isQuietAt([{ start: '00:00', end: '23:59' }], at('2026-11-24T18:00:00Z'), 'Mars/Olympus_Mons')).toBe(false);
  });
});

describe('a quiet-hours window within one day', () => {
  const office: QuietWindow[] = [{ start: '09:00', end: '17:00' }];

  it('covers its start and what follows, up to but not including its end', () => {
    expect(isQuietAt(office, at('2026-11-24T14:00:00Z'), newYork)).toBe(true); // 09:00 EST
    expect(isQuietAt(office, at('2026-11-24T21:59:00Z'), newYork)).toBe(true); // 16:59
    expect(isQuietAt(office, at('2026-11-24T22:00:00Z'), newYork)).toBe(false); // 17:00
    expect(isQuietAt(office, at('2026-11-24T13:59:00Z'), newYork)).toBe(false); // 08:59
  });

  it('is read in local time, not UTC: 09:00 UTC is 04:00 in New York', () =>
    expect(isQuietAt(office, at('2026-11-24T09:00:00Z'), newYork)).toBe(false));
});

describe('a quiet-hours window crossing midnight in New York', () => {
  const fridayNight: QuietWindow[] = [{ days: ['fri'], start: '22:00', end: '07:00' }];

  it('covers Friday late evening', () => expect(isQuietAt(fridayNight, at('2026-11-07T04:30:00Z'), newYork)).toBe(true)); // Fri 23:30 EST

  it('covers early Saturday morning, the night that started on Friday', () =>
    expect(isQuietAt(fridayNight, at('2026-11-07T11:59:00Z'), newYork)).toBe(true)); // Sat 06:59

  it('ends at 07:00 on Saturday', () => expect(isQuietAt(fridayNight, at('2026-11-07T12:00:00Z'), newYork)).toBe(false));

  it('does not cover early Friday morning: that night started on Thursday, which is not listed', () =>
    expect(isQuietAt(fridayNight, at('2026-11-06T11:00:00Z'), newYork)).toBe(false)); // Fri 06:00

  it('does not cover Saturday late evening: Saturday is not listed', () =>
    expect(isQuietAt(fridayNight, at('2026-11-08T04:30:00Z'), newYork)).toBe(false)); // Sat 23:30
});

describe('weeknights only (mon–fri, 22:00–07:00)', () => {
  const weeknights: QuietWindow[] = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '07:00' }];

  it('covers Saturday 06:00, the end of Friday night', () =>
    expect(isQuietAt(weeknights, at('2026-11-07T11:00:00Z'), newYork)).toBe(true));

  it('covers neither Saturday night nor the Sunday morning after it', () => {
    expect(isQuietAt(weeknights, at('2026-11-08T04:00:00Z'), newYork)).toBe(false); // Sat 23:00
    expect(isQuietAt(weeknights, at('2026-11-08T11:00:00Z'), newYork)).toBe(false); // Sun 06:00
  });

  it('covers neither Monday 06:00 (Sunday night is not listed) nor starts before 22:00 on Monday', () => {
    expect(isQuietAt(weeknights, at('2026-11-09T11:00:00Z'), newYork)).toBe(false); // Mon 06:00
    expect(isQuietAt(weeknights, at('2026-11-10T02:59:00Z'), newYork)).toBe(false); // Mon 21:59
    expect(isQuietAt(weeknights, at('2026-11-10T03:00:00Z'), newYork)).toBe(true); // Mon 22:00
  });
});

describe('a night window across a change of clocks in New York', () => {
  const saturdayNight: QuietWindow[] = [{ days: ['sat'], start: '22:00', end: '07:00' }];

  it('ends at 07:00 standard time the morning the clocks go back (1 November 2026)', () => {
    expect(isQuietAt(saturdayNight, at('2026-11-01T02:00:00Z'), newYork)).toBe(true); // Sat 22:00 EDT
    expect(isQuietAt(saturdayNight, at('2026-11-01T06:30:00Z'), newYork)).toBe(true); // 01:30 EST, the second 01:30
    expect(isQuietAt(saturdayNight, at('2026-11-01T11:30:00Z'), newYork)).toBe(true); // 06:30 EST (07:30 at the old offset)
    expect(isQuietAt(saturdayNight, at('2026-11-01T12:00:00Z'), newYork)).toBe(false); // 07:00 EST
  });

  it('ends at 07:00 daylight time the morning the clocks go forward (8 March 2026)', () => {
    expect(isQuietAt(saturdayNight, at('2026-03-08T10:30:00Z'), newYork)).toBe(true); // 06:30 EDT
    expect(isQuietAt(saturdayNight, at('2026-03-08T11:30:00Z'), newYork)).toBe(false); // 07:30 EDT (06:30 at the old offset)
  });
});

describe('several windows', () => {
  it('is quiet when any of them covers the moment, and never with none', () => {
    const windows: QuietWindow[] = [
      { days: ['sun'], start: '13:00', end: '15:00' },
      { start: '23:00', end: '06:00' },
    ];
    expect(isQuietAt(windows, at('2026-11-08T19:00:00Z'), newYork)).toBe(true); // Sun 14:00
    expect(isQuietAt(windows, at('2026-11-25T09:00:00Z'), newYork)).toBe(true); // Wed 04:00
    expect(isQuietAt(windows, at('2026-11-25T17:00:00Z'), newYork)).toBe(false); // Wed 12:00
    expect(isQuietAt([], at('2026-11-25T09:00:00Z'), newYork)).toBe(false);
  });
});
