import type { RingCancellationReason } from '@homeline/contracts';
import type { InboundCallEvent } from './inbound-call';
import type { InboundLine, OfferInboundCall } from './inbound-offer';

/** Shared by the inbound call's specifications: a household in New York with three speakers. */

export const callId = 'call-1';
export const carrierCallId = 'cc-in-1';
export const bank = '+18005550199';
export const grandma = '+12125550142';
/** Tuesday 24 November 2026, 13:00 in New York. */
export const noon = '2026-11-24T18:00:00.000Z';

export const line: InboundLine = {
  accountId: 'acc-1',
  timezone: 'America/New_York',
  devices: ['kitchen', 'hall', 'attic'],
  contacts: [
    { contactId: 'k1', name: 'Grandma', aliases: [], e164: grandma, memberId: null },
    { contactId: 'k2', name: 'First Bank', aliases: [], e164: bank, memberId: 'alice', sensitive: true },
  ],
  awayMode: { enabled: false, until: null },
  quietHours: [],
  lastEmergencyAt: null,
};

export const offer = (
  changes: Partial<InboundLine> = {},
  fields: Partial<Omit<OfferInboundCall, 'type' | 'line'>> = {},
): OfferInboundCall => ({
  type: 'OfferInboundCall',
  callId,
  carrierCallId,
  from: grandma,
  to: '+15551230001',
  carrierSensitive: false,
  line: { ...line, ...changes },
  emergencyCallbackWindowMinutes: 60,
  callerGone: false,
  now: noon,
  ...fields,
});

export const offered = (devices: readonly string[] = line.devices): InboundCallEvent => ({
  type: 'InboundCallOffered',
  data: {
    callId,
    accountId: 'acc-1',
    carrierCallId,
    from: grandma,
    to: '+15551230001',
    sensitive: false,
    callerName: 'Grandma',
    fromContact: true,
    devices: [...devices],
    emergencyCallback: false,
  },
});

export const ring = (deviceId: string): InboundCallEvent => ({
  type: 'DeviceRingRequested',
  data: { callId, deviceId, from: grandma, callerName: 'Grandma', sensitive: false },
});

export const cancelled = (
  deviceId: string,
  reason: RingCancellationReason,
): InboundCallEvent => ({ type: 'DeviceRingCancelled', data: { callId, deviceId, reason } });

export const bridged = (deviceId: string): InboundCallEvent => ({
  type: 'InboundCallBridged',
  data: { callId, carrierCallId, deviceId },
});

export const abandoned: InboundCallEvent = { type: 'InboundCallAbandoned', data: { callId, carrierCallId } };

/** An offered call ringing on all three speakers. */
export const ringing: InboundCallEvent[] = [offered(), ring('kitchen'), ring('hall'), ring('attic')];
