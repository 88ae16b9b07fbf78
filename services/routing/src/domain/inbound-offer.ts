import type { InboundCallDeclined, QuietWindow } from '@homeline/contracts';
import type { InboundCallEvent } from './inbound-call';
import { isQuietAt } from './quiet-hours';
import type { Contact } from './resolve-target';

/** What routing's projection of identity knows about the line a call comes in on. */
export interface InboundLine {
  readonly accountId: string;
  /** IANA zone of the household: quiet hours are in its local time. */
  readonly timezone: string;
  /** Every device linked to the account. */
  readonly devices: readonly string[];
  /** The account's contacts (at least those whose number is the caller's); visibility is decided here. */
  readonly contacts: readonly Contact[];
  readonly awayMode: { readonly enabled: boolean; readonly until: string | null };
  readonly quietHours: readonly QuietWindow[];
  /** When routing last resolved an emergency call of this household. */
  readonly lastEmergencyAt: string | null;
}

/** The carrier offers a call to an account's line (POST /v1/carrier/inbound). */
export type OfferInboundCall = {
  readonly type: 'OfferInboundCall';
  readonly callId: string;
  readonly carrierCallId: string;
  /** E.164, or 'anonymous' when the caller withheld it. */
  readonly from: string;
  readonly to: string;
  /** The carrier's own flag (a bank's verification line, a one-time-password sender). */
  readonly carrierSensitive: boolean;
  readonly line: InboundLine;
  /** How long after the household's last emergency call every call rings, whatever the policies say. */
  readonly emergencyCallbackWindowMinutes: number;
  /**
   * The carrier said the caller hung up (`canceled`) before this offer was recorded:
   * its callback overtook the offer's webhook.
   */
  readonly callerGone: boolean;
  readonly now: string;
};

/** Who is calling, as far as the household's contacts tell. */
export interface CallerIdentity {
  readonly callerName: string | null;
  readonly fromContact: boolean;
  readonly sensitive: boolean;
}

/**
 * The caller among the household's contacts. Every contact counts, a member's own as much as the
 * household's: `fromContact` is what lets a child answer, and a child's own friends are contacts
 * too; a contact of anyone marked sensitive makes the call sensitive (the stricter reading wins).
 * The name announced is a household contact's only (docs/architecture.md section 6.1): the
 * speakers are shared, and a member's own contact (a doctor, a lawyer) is theirs to name.
 */
export const callerAmong = (from: string, contacts: readonly Contact[], carrierSensitive: boolean): CallerIdentity => {
  const matching = from === 'anonymous' ? [] : contacts.filter((c) => c.e164 === from);
  const named = matching.find((c) => c.memberId === null);
  return {
    callerName: named?.name ?? null,
    fromContact: matching.length > 0,
    sensitive: carrierSensitive || matching.some((c) => c.sensitive === true),
  };
};

/** Within the window after the household's last emergency call: the dispatcher may be calling back. */
export const isEmergencyCallback = (line: InboundLine, now: string, windowMinutes: number): boolean =>
  line.lastEmergencyAt !== null && Date.parse(now) - Date.parse(line.lastEmergencyAt) < windowMinutes * 60_000;

const awayNow = (line: InboundLine, now: string): boolean =>
  line.awayMode.enabled && (line.awayMode.until === null || Date.parse(now) < Date.parse(line.awayMode.until));

/** Why nothing rings, or null when every device does. Away Mode and quiet hours yield to an emergency call-back. */
export const declineReason = (
  line: InboundLine,
  now: string,
  emergencyCallback: boolean,
): InboundCallDeclined['reason'] | null => {
  if (!emergencyCallback && awayNow(line, now)) return 'away_mode';
  if (!emergencyCallback && isQuietAt(line.quietHours, new Date(now), line.timezone)) return 'quiet_hours';
  if (line.devices.length === 0) return 'no_devices';
  return null;
};

/**
 * The offer and its fan-out, decided in one step (docs/decisions.md section 3): every linked device
 * rings (a DeviceRingRequested each), unless policy declines the call, and then none does. A caller
 * who hung up before the offer was recorded is a missed call: offered and abandoned at once, with
 * nothing rung and nothing sent to voicemail.
 */
export const offerInbound = (c: OfferInboundCall): InboundCallEvent[] => {
  const { callId, carrierCallId, from, to, line, now } = c;
  const caller = callerAmong(from, line.contacts, c.carrierSensitive);
  const emergencyCallback = isEmergencyCallback(line, now, c.emergencyCallbackWindowMinutes);
  const reason = c.callerGone ? null : declineReason(line, now, emergencyCallback);
  const devices = reason || c.callerGone ? [] : [...new Set(line.devices)];
  const offered: InboundCallEvent = {
    type: 'InboundCallOffered',
    data: { callId, accountId: line.accountId, carrierCallId, from, to, ...caller, devices, emergencyCallback },
  };
  if (c.callerGone) return [offered, { type: 'InboundCallAbandoned', data: { callId, carrierCallId } }];
  if (reason) return [offered, { type: 'InboundCallDeclined', data: { callId, accountId: line.accountId, reason } }];
  return [
    offered,
    ...devices.map(
      (deviceId): InboundCallEvent => ({
        type: 'DeviceRingRequested',
        data: { callId, deviceId, from, callerName: caller.callerName, sensitive: caller.sensitive },
      }),
    ),
  ];
};
