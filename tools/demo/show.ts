import type { CallView } from '@homeline/system';

/** Speakers by deviceId, so a person reads "Bedroom speaker" rather than a seed-derived id. */
export type DeviceNames = ReadonlyMap<string, string>;

export const heading = (title: string) => console.log(`\n── ${title}`);
export const note = (line: string) => console.log(`   ${line}`);

const outcome = (call: CallView) => `${call.status}${call.reason ? ` (${call.reason})` : ''}`;

/** Only the speakers of an inbound call are named: an outbound call comes from the one that placed it. */
const nameOf = (names: DeviceNames, deviceId: unknown) => (typeof deviceId === 'string' ? names.get(deviceId) : undefined);

/** One line per event, with the device and reason it carries when it carries one. */
const timelineOf = (call: CallView, names: DeviceNames) => {
  const start = call.timeline.length ? Date.parse(call.timeline[0].at) : 0;
  for (const step of call.timeline) {
    const device = nameOf(names, step.data?.deviceId);
    const reason = step.data?.reason;
    const detail = [device, typeof reason === 'string' ? reason : undefined].filter(Boolean).join(', ');
    note(`+${String(Date.parse(step.at) - start).padStart(5)} ms  ${step.type}${detail ? `  (${detail})` : ''}`);
  }
};

/** A call as a headline (status, destination or caller) and its timeline. */
export const showCall = (title: string, call: CallView, names: DeviceNames = new Map()) => {
  heading(title);
  const where = call.destination
    ? ` → ${call.destination.e164} [${call.destination.class}]`
    : call.from
      ? ` from ${call.from}${call.callerName ? ` "${call.callerName}"` : ''}${call.sensitive ? ', sensitive' : ''}`
      : '';
  note(`${call.direction} call ${call.callId}: ${outcome(call)}${where}`);
  timelineOf(call, names);
};

/** Every speaker an inbound call rang, as the call view shows it. */
export const showDevices = (call: CallView, names: DeviceNames) => {
  for (const device of call.devices ?? []) {
    note(`  ${(names.get(device.deviceId) ?? device.deviceId).padEnd(22)} ${device.state}${device.reason ? ` (${device.reason})` : ''}`);
  }
};

/** Calls of a burst, in the order they were placed, several to a line. */
export const showOutcomes = (calls: readonly CallView[], firstNumber = 1) => {
  const cells = calls.map((call, i) => `#${firstNumber + i} ${outcome(call)}`.padEnd(30));
  for (let i = 0; i < cells.length; i += 3) note(cells.slice(i, i + 3).join('').trimEnd());
};

export const tally = (calls: readonly CallView[]) => {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(outcome(call), (counts.get(outcome(call)) ?? 0) + 1);
  return [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
};

/** Event types as `A, B ×3, C`: runs of the same type counted. */
export const runsOf = (types: readonly string[]) => {
  const runs: Array<[string, number]> = [];
  for (const type of types) {
    const last = runs[runs.length - 1];
    if (last?.[0] === type) last[1] += 1;
    else runs.push([type, 1]);
  }
  return runs.map(([type, n]) => (n > 1 ? `${type} ×${n}` : type)).join(', ');
};
