import type { InboundCallDeclined, InboundCallOffered } from '@homeline/contracts';
import { deciderSpecification } from '@homeline/testing';
import { initialInboundState, type InboundCallEvent, type InboundCallState } from './inbound-call';
import { decideInbound, inboundCallDecider, type InboundCallCommand } from './inbound-call.decide';
import { abandoned, bank, callId, grandma, noon, offer, offered, ring } from './inbound.fixtures';

const given = deciderSpecification<InboundCallCommand, InboundCallEvent, InboundCallState>(inboundCallDecider);

const decide = (command: InboundCallCommand) => decideInbound(command, initialInboundState());

const declined = (
  reason: InboundCallDeclined['reason'],
  fields: Partial<InboundCallOffered> = {},
): InboundCallEvent[] => [
  { type: 'InboundCallOffered', data: { ...(offered([]).data as InboundCallOffered), ...fields } },
  { type: 'InboundCallDeclined', data: { callId, accountId: 'acc-1', reason } },
];
const minutesBefore = (minutes: number) => new Date(Date.parse(noon) - minutes * 60_000).toISOString();
const tonight = [{ start: '12:00', end: '14:00' }]; // covers 13:00 in New York, not 13:00 UTC

describe('an inbound call offered to a household', () => {
  it('rings every linked device, showing the household contact it comes from', () =>
    given([]).when(offer()).then([offered(), ring('kitchen'), ring('hall'), ring('attic')]));

  it('is offered once: the carrier retrying its webhook rings nothing twice', () =>
    given([offered(), ring('kitchen'), ring('hall'), ring('attic')]).when(offer()).thenNothingHappens());

  it('is sensitive when it comes from a contact marked sensitive, even a member’s own, whose name the shared speakers do not announce', () => {
    const [event, ...rings] = decide(offer({}, { from: bank }));
    expect(event.data).toMatchObject({ from: bank, sensitive: true, callerName: null, fromContact: true });
    expect(rings.map((r) => r.data)).toEqual(
      ['kitchen', 'hall', 'attic'].map((deviceId) => ({ callId, deviceId, from: bank, callerName: null, sensitive: true })),
    );
  });

  it('is sensitive when the carrier says so, whoever calls', () =>
    expect(decide(offer({}, { carrierSensitive: true }))[0].data).toMatchObject({ sensitive: true, callerName: 'Grandma' }));

  it('prefers the household contact’s name when a member has the number under another name', () => {
    const contacts = [
      { contactId: 'a', name: 'Mum', aliases: [], e164: grandma, memberId: 'alice' },
      { contactId: 'b', name: 'Grandma', aliases: [], e164: grandma, memberId: null },
    ];
    expect(decide(offer({ contacts }))[0].data).toMatchObject({ callerName: 'Grandma', fromContact: true });
  });

  it('shows no name for a stranger or a withheld number, and they are not contacts', () => {
    expect(decide(offer({}, { from: '+12125559999' }))[0].data).toMatchObject({ callerName: null, fromContact: false, sensitive: false });
    expect(decide(offer({}, { from: 'anonymous' }))[0].data).toMatchObject({ callerName: null, fromContact: false });
  });
});

describe('an inbound call the household’s policies decline', () => {
  it('rings nothing while Away Mode is on', () =>
    given([]).when(offer({ awayMode: { enabled: true, until: null } })).then(declined('away_mode')));

  it('rings nothing while Away Mode is on until a time still to come', () =>
    given([])
      .when(offer({ awayMode: { enabled: true, until: '2026-11-24T18:00:01.000Z' } }))
      .then(declined('away_mode')));

  it('rings again once Away Mode’s end has passed', () =>
    given([])
      .when(offer({ awayMode: { enabled: true, until: noon } }))
      .then([offered(), ring('kitchen'), ring('hall'), ring('attic')]));

  it('rings nothing within quiet hours of the household’s time zone', () =>
    given([]).when(offer({ quietHours: tonight })).then(declined('quiet_hours')));

  it('rings outside quiet hours: 13:00 UTC is 08:00 in New York', () =>
    given([])
      .when(offer({ quietHours: tonight }, { now: '2026-11-24T13:00:00.000Z' }))
      .then([offered(), ring('kitchen'), ring('hall'), ring('attic')]));

  it('says Away Mode when both apply', () =>
    given([]).when(offer({ quietHours: tonight, awayMode: { enabled: true, until: null } })).then(declined('away_mode')));

  it('rings nothing on a line with no linked device', () => given([]).when(offer({ devices: [] })).then(declined('no_devices')));
});

describe('an emergency call-back', () => {
  const away = { awayMode: { enabled: true, until: null }, quietHours: tonight };

  it('rings every device within the window after the household’s emergency call, Away Mode and quiet hours notwithstanding', () => {
    const events = decide(offer({ ...away, lastEmergencyAt: minutesBefore(59) }));
    expect(events[0].data).toMatchObject({ emergencyCallback: true, devices: ['kitchen', 'hall', 'attic'] });
    expect(events.slice(1).map((e) => e.type)).toEqual(['DeviceRingRequested', 'DeviceRingRequested', 'DeviceRingRequested']);
  });

  it('is over when the window has passed: policies apply again', () =>
    given([])
      .when(offer({ ...away, lastEmergencyAt: minutesBefore(60) }))
      .then(declined('away_mode')));

  it('follows the configured window', () =>
    expect(decide(offer({ ...away, lastEmergencyAt: minutesBefore(100) }, { emergencyCallbackWindowMinutes: 120 }))[0].data).toMatchObject({
      emergencyCallback: true,
    }));

  it('still cannot ring a line with no device', () =>
    given([])
      .when(offer({ devices: [], lastEmergencyAt: minutesBefore(5) }))
      .then(declined('no_devices', { emergencyCallback: true })));
});


describe('an offer whose caller hung up before it was recorded (the carrier’s callback overtook its webhook)', () => {
  it('is a missed call: offered and abandoned at once, ringing no device', () =>
    given([]).when(offer({}, { callerGone: true })).then([offered([]), abandoned]));

  it('is abandoned, not declined, when Away Mode would have sent the caller to voicemail', () =>
    given([]).when(offer({ awayMode: { enabled: true, until: null } }, { callerGone: true })).then([offered([]), abandoned]));
});
