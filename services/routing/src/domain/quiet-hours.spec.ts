import type { QuietWindow } from '@homeline/contracts';
import { isQuietAt } from './quiet-hours';

const newYork = 'America/New_York';
const santiago = 'America/Santiago';
const stJohns = 'America/St_Johns';
const at = (iso: string) => new Date(iso);

describe('the local time of a household', () => {
  it('is read in its own zone, standard or daylight time as the zone has it that day', () => {
    const noonToOne: QuietWindow[] = [{ start: '12:00', end: '13:00' }];
    expect(isQuietAt(noonToOne, at('2026-07-01T16:30:00Z'), newYork)).toBe(true); // 12:30 EDT, -4
    expect(isQuietAt(noonToOne, at('2026-12-01T16:30:00Z'), newYork)).toBe(false); // 11:30 EST, -5
    expect(isQuietAt(noonToOne, at('2026-12-01T17:30:00Z'), newYork)).toBe(true);
  });

  it('keeps the minutes of a zone a quarter of an hour off the hour', () => {
    const lateEvening: QuietWindow[] = [{ start: '23:45', end: '23:50' }];
    expect(isQuietAt(lateEvening, at('2026-11-24T18:00:00Z'), 'Asia/Kathmandu')).toBe(true); // 23:45, +5:45
    expect(isQuietAt(lateEvening, at('2026-11-24T17:59:00Z'), 'Asia/Kathmandu')).toBe(false);
  });

  it('is unknown in a zone the runtime does not know, and then no quiet hours apply', () =>
    expect(isQuietAt([{ start: '00:00', end: '23:59' }], at('2026-11-24T18:00:00Z'), 'Mars/Olympus_Mons')).toBe(false));
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

describe('a window that has begun when the clocks go back over its start', () => {
  it('stays quiet through the repeated hour: New York 01:30–06:00 on 1 November 2026', () => {
    const early: QuietWindow[] = [{ start: '01:30', end: '06:00' }];
    expect(isQuietAt(early, at('2026-11-01T05:29:00Z'), newYork)).toBe(false); // 01:29 EDT
    expect(isQuietAt(early, at('2026-11-01T05:30:00Z'), newYork)).toBe(true); // 01:30 EDT, the window begins
    expect(isQuietAt(early, at('2026-11-01T06:10:00Z'), newYork)).toBe(true); // 01:10 EST, the clocks read "before 01:30" again
    expect(isQuietAt(early, at('2026-11-01T06:30:00Z'), newYork)).toBe(true); // 01:30 EST, the second 01:30
    expect(isQuietAt(early, at('2026-11-01T10:59:00Z'), newYork)).toBe(true); // 05:59 EST
    expect(isQuietAt(early, at('2026-11-01T11:00:00Z'), newYork)).toBe(false); // 06:00 EST
  });

  it('stays quiet through the repeated hour: Santiago Saturday 23:30–07:00, when Saturday midnight goes back to 23:00 (4 April 2026)', () => {
    const saturdayNight: QuietWindow[] = [{ days: ['sat'], start: '23:30', end: '07:00' }];
    expect(isQuietAt(saturdayNight, at('2026-04-05T02:29:00Z'), santiago)).toBe(false); // Sat 23:29 -03
    expect(isQuietAt(saturdayNight, at('2026-04-05T02:30:00Z'), santiago)).toBe(true); // Sat 23:30 -03, the window begins
    expect(isQuietAt(saturdayNight, at('2026-04-05T03:00:00Z'), santiago)).toBe(true); // Sat 23:00 -04, the second 23:00
    expect(isQuietAt(saturdayNight, at('2026-04-05T10:59:00Z'), santiago)).toBe(true); // Sun 06:59 -04
    expect(isQuietAt(saturdayNight, at('2026-04-05T11:00:00Z'), santiago)).toBe(false); // Sun 07:00 -04
  });

  it("stays quiet while the clocks read the day before again: St. John's Sunday 00:00–08:00, when Sunday 00:01 went back to Saturday 23:01 (7 November 2010)", () => {
    const sunday: QuietWindow[] = [{ days: ['sun'], start: '00:00', end: '08:00' }];
    expect(isQuietAt(sunday, at('2010-11-07T02:29:00Z'), stJohns)).toBe(false); // Sat 23:59 NDT
    expect(isQuietAt(sunday, at('2010-11-07T02:30:00Z'), stJohns)).toBe(true); // Sun 00:00 NDT, the window begins
    expect(isQuietAt(sunday, at('2010-11-07T02:45:00Z'), stJohns)).toBe(true); // Sat 23:15 NST: Saturday again, an unlisted day
    expect(isQuietAt(sunday, at('2010-11-07T11:29:00Z'), stJohns)).toBe(true); // Sun 07:59 NST
    expect(isQuietAt(sunday, at('2010-11-07T11:30:00Z'), stJohns)).toBe(false); // Sun 08:00 NST
  });

  it('does not begin before the clocks first read its start: a Santiago Sunday window waits out the repeated Saturday hour (5 April 2026)', () => {
    const sunday: QuietWindow[] = [{ days: ['sun'], start: '00:00', end: '08:00' }];
    expect(isQuietAt(sunday, at('2026-04-05T03:30:00Z'), santiago)).toBe(false); // Sat 23:30 -04: Saturday 24:00 -03 never showed as Sunday
    expect(isQuietAt(sunday, at('2026-04-05T04:00:00Z'), santiago)).toBe(true); // Sun 00:00 -04
    expect(isQuietAt(sunday, at('2026-04-05T11:59:00Z'), santiago)).toBe(true); // Sun 07:59 -04
    expect(isQuietAt(sunday, at('2026-04-05T12:00:00Z'), santiago)).toBe(false); // Sun 08:00 -04
  });

  it('ends the first time the clocks read its end, and does not begin again when they read that hour a second time', () => {
    const lateSaturday: QuietWindow[] = [{ days: ['sat'], start: '22:00', end: '01:30' }];
    expect(isQuietAt(lateSaturday, at('2026-11-01T05:29:00Z'), newYork)).toBe(true); // Sun 01:29 EDT
    expect(isQuietAt(lateSaturday, at('2026-11-01T05:30:00Z'), newYork)).toBe(false); // Sun 01:30 EDT, the window ends
    expect(isQuietAt(lateSaturday, at('2026-11-01T06:15:00Z'), newYork)).toBe(false); // Sun 01:15 EST, 45 minutes after it ended
  });
});

describe('a window whose start or end the clocks skip when they go forward (New York, 8 March 2026)', () => {
  it('begins at 03:00 daylight time, the first minute after a 02:30 start that does not happen that day', () => {
    const early: QuietWindow[] = [{ start: '02:30', end: '06:00' }];
    expect(isQuietAt(early, at('2026-03-08T06:59:00Z'), newYork)).toBe(false); // 01:59 EST
    expect(isQuietAt(early, at('2026-03-08T07:00:00Z'), newYork)).toBe(true); // 03:00 EDT
    expect(isQuietAt(early, at('2026-03-08T09:59:00Z'), newYork)).toBe(true); // 05:59 EDT
    expect(isQuietAt(early, at('2026-03-08T10:00:00Z'), newYork)).toBe(false); // 06:00 EDT
  });

  it('ends at 03:00 daylight time when its 02:30 end does not happen that day', () => {
    const saturdayNight: QuietWindow[] = [{ days: ['sat'], start: '22:00', end: '02:30' }];
    expect(isQuietAt(saturdayNight, at('2026-03-08T06:59:00Z'), newYork)).toBe(true); // Sun 01:59 EST
    expect(isQuietAt(saturdayNight, at('2026-03-08T07:00:00Z'), newYork)).toBe(false); // Sun 03:00 EDT
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
