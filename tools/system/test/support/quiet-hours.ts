/** Quiet hours as a household's clocks show them: local times in an IANA zone, read with Intl. */

/** The local wall-clock time of an instant in `timeZone`, as quiet-hours windows are written, and its weekday. */
export const localClock = (instant: Date, timeZone: string): { hhmm: string; weekday: string } => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { hhmm: `${parts.hour}:${parts.minute}`, weekday: String(parts.weekday).toLowerCase() };
};

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

// Well-known zones, one or two per hour of offset (and India's half hour): the first choice, for a readable log.
const familiarZones = [
  'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix',
  'America/Chicago', 'America/Mexico_City', 'America/New_York', 'America/Bogota', 'America/Halifax', 'America/Caracas',
  'America/Sao_Paulo', 'Atlantic/South_Georgia', 'Atlantic/Azores', 'Atlantic/Cape_Verde', 'Europe/Berlin', 'Africa/Lagos',
  'Europe/Athens', 'Africa/Johannesburg', 'Europe/Moscow', 'Asia/Dubai', 'Asia/Karachi', 'Asia/Kolkata', 'Asia/Dhaka',
  'Asia/Bangkok', 'Asia/Singapore', 'Asia/Tokyo', 'Australia/Brisbane', 'Australia/Sydney', 'Pacific/Noumea',
  'Pacific/Auckland', 'Pacific/Fiji', 'Pacific/Tongatapu', 'Pacific/Kiritimati',
];

/**
 * A zone other than UTC (nor one at UTC's offset right now) whose local time is within an hour of
 * midnight at `instant`: a window from 90 minutes before to 90 minutes after now there crosses
 * midnight. Some zone always is, since the zones' offsets run from UTC-12 to UTC+14; a familiar
 * one is taken when one is near enough.
 */
export const zoneNearMidnight = (instant: Date): string => {
  const distance = (zone: string) => {
    const minutes = minutesOf(localClock(instant, zone).hhmm);
    return Math.min(minutes, 1440 - minutes);
  };
  const utc = localClock(instant, 'UTC').hhmm;
  const near = (zone: string) => localClock(instant, zone).hhmm !== utc && distance(zone) <= 60;
  const zone =
    familiarZones.find(near) ??
    Intl.supportedValuesOf('timeZone').find((z) => z.includes('/') && !z.startsWith('Etc/') && near(z));
  if (!zone) throw new Error(`no zone near midnight at ${instant.toISOString()}`);
  return zone;
};

type Window = { days?: string[]; start: string; end: string };

/** A QuietHoursChanged carrying exactly these windows (as identity wrote them, whatever its key order). */
export const sameWindows = (windows: Window[]) => (data: Record<string, unknown>) => {
  const text = (w: Window) => `${(w.days ?? []).join(',')} ${w.start}-${w.end}`;
  return JSON.stringify((data.windows as Window[]).map(text)) === JSON.stringify(windows.map(text));
};

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
export const dayAfter = (weekday: string): string => weekdays[(weekdays.indexOf(weekday) + 1) % 7];
