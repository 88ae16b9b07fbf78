import type { QuietWindow } from '@homeline/contracts';

/**
 * What a household asks of its inbound calls (docs/architecture.md section 6.1): Away Mode and
 * quiet hours. identity records them; routing, which rings the devices, applies them in the
 * account's time zone.
 */
export interface AwayMode {
  readonly enabled: boolean;
  /** When it lapses by itself (ISO-8601, UTC); null: until turned off. Always null when off. */
  readonly until: string | null;
}

export const awayModeOff: AwayMode = { enabled: false, until: null };

/** A rule a quiet-hours window breaks, with where (for a problem detail's `issues`). */
export interface QuietHoursProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Windows whose meaning is unclear are refused rather than guessed: one that starts and ends at
 * the same minute (never, or all day?), and one that names a day twice. The HH:mm form and the
 * number of windows are the contract's (quietWindowSchema).
 */
export const quietHoursProblems = (windows: readonly QuietWindow[]): QuietHoursProblem[] =>
  windows.flatMap((window, i) => {
    const problems: QuietHoursProblem[] = [];
    if (window.start === window.end) {
      problems.push({ path: [i, 'end'], message: 'a window must end at another minute than it starts' });
    }
    const days = window.days ?? [];
    const repeated = days.filter((day, j) => days.indexOf(day) !== j);
    if (repeated.length > 0) problems.push({ path: [i, 'days'], message: `${[...new Set(repeated)].join(', ')} listed twice` });
    return problems;
  });

/** The instant of an ISO-8601 time with an offset, as the UTC ISO string the event carries. */
export const utcInstant = (iso: string): string => new Date(Date.parse(iso)).toISOString();
