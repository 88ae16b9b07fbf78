import { eventually } from '@homeline/testing';
import { HouseholdEvents, callEnded, callRouting } from './support/household';
import { carrierCallId, freshLine, offeredCallId } from './support/inbound';
import { RoutingHarness } from './support/routing-harness';

const grandma = '+12125550142';
const bank = '+18005550199';
const rings = (n: number) => ['InboundCallOffered', ...Array<string>(n).fill('DeviceRingRequested')];

/** The local hour now in a zone (Intl, as the service reads it). */
const hourIn = (timeZone: string): number =>
  Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
const zones = ['America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Pacific/Auckland', 'America/Sao_Paulo', 'Asia/Dubai', 'Pacific/Honolulu'];
/** A zone other than UTC where the local hour now is one of `hours`: there is always one among these. */
const zoneWhereItIs = (hours: readonly number[]): string => {
  const zone = zones.find((z) => hours.includes(hourIn(z)));
  if (!zone) throw new Error(`no zone at ${hours.join(',')} h now`);
  return zone;
};

describe('an inbound call offered by the carrier (signed POST /v1/carrier/inbound)', () => {
  let routing: RoutingHarness;
  const home = new HouseholdEvents(freshLine(), 'America/New_York');
  const owner = home.member('owner', 'Homer');
  const devices = [home.device({ room: 'Kitchen' }), home.device({ room: 'Hall' }), home.device({ room: 'Attic' })];
  home.contact('Grandma', grandma, null);
  home.contact('First Bank', bank, owner, [], true);

  const away = new HouseholdEvents(freshLine());
  away.device();
  away.awayMode(true);

  // 22:00–07:00 crosses midnight; one household where it is night now, one where it is day.
  const night = new HouseholdEvents(freshLine(), zoneWhereItIs([23, 0, 1, 2, 3, 4, 5]));
  night.device();
  night.quietHours([{ start: '22:00', end: '07:00' }]);
  const day = new HouseholdEvents(freshLine(), zoneWhereItIs([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));
  day.device();
  day.quietHours([{ start: '22:00', end: '07:00' }]);

  const empty = new HouseholdEvents(freshLine());
  empty.member('owner');

  const households = [home, away, night, day, empty];

  beforeAll(async () => {
    routing = await RoutingHarness.start();
    await routing.publish(...households.flatMap((h) => h.events));
    for (const h of households) await routing.untilProjected(h.accountId, h.counts());
  });
  afterAll(() => routing?.stop());

  const offer = (to: string, fields: { from?: string; sensitive?: boolean; carrierCallId?: string } = {}) =>
    offeredCallId(routing.baseUrl, { carrierCallId: carrierCallId(), from: grandma, to, ...fields });

  it('rings every linked device with the household contact’s name, on the call’s own stream, keyed by the call', async () => {
    const callId = await offer(home.msisdn);
    const [offered, ...ringing] = await routing.waitFor(callId, rings(3));
    expect(offered.data).toMatchObject({
      callId,
      accountId: home.accountId,
      from: grandma,
      to: home.msisdn,
      callerName: 'Grandma',
      fromContact: true,
      sensitive: false,
      emergencyCallback: false,
    });
    expect([...(offered.data as { devices: string[] }).devices].sort()).toEqual([...devices].sort());
    expect(ringing.map((e) => (e.data as { deviceId: string }).deviceId).sort()).toEqual([...devices].sort());
    expect(ringing[0].data).toMatchObject({ callId, from: grandma, callerName: 'Grandma', sensitive: false });
    expect(offered.streamId).toBe(`inbound-${callId}`);
    expect([offered, ...ringing].map((e) => routing.keys.get(e.id))).toEqual(Array(4).fill(callId));
  });

  it('answers a retried webhook with the same call, and rings nothing twice, even when the copies arrive at once', async () => {
    const body = { carrierCallId: carrierCallId(), from: grandma, to: home.msisdn };
    const first = await offeredCallId(routing.baseUrl, body);
    const copies = await Promise.all([1, 2, 3].map(() => offeredCallId(routing.baseUrl, body)));
    expect(copies).toEqual([first, first, first]);

    const racing = { ...body, carrierCallId: carrierCallId() };
    const raced = await Promise.all([1, 2, 3].map(() => offeredCallId(routing.baseUrl, racing)));
    expect(new Set(raced).size).toBe(1);

    for (const callId of [first, raced[0]]) {
      await routing.waitFor(callId, rings(3));
      expect(await routing.streamLength(`inbound-${callId}`)).toBe(4);
    }
  });

  it('is sensitive when it comes from a contact marked sensitive, or the carrier says so', async () => {
    const fromBank = await offer(home.msisdn, { from: bank });
    const [bankOffer, bankRing] = await routing.waitFor(fromBank, rings(3));
    // The owner's own contact: sensitive, a contact, but its name is not announced on the shared speakers.
    expect(bankOffer.data).toMatchObject({ sensitive: true, callerName: null, fromContact: true });
    expect(bankRing.data).toMatchObject({ sensitive: true, callerName: null });

    const flagged = await offer(home.msisdn, { from: '+12125559999', sensitive: true });
    const [flaggedOffer] = await routing.waitFor(flagged, rings(3));
    expect(flaggedOffer.data).toMatchObject({ sensitive: true, callerName: null, fromContact: false });

    const anonymous = await offer(home.msisdn, { from: 'anonymous' });
    const [anonymousOffer] = await routing.waitFor(anonymous, rings(3));
    expect(anonymousOffer.data).toMatchObject({ from: 'anonymous', callerName: null, fromContact: false, sensitive: false });
  });

  it('rings nothing while Away Mode is on, and rings again once it is turned off, though the old setting comes again', async () => {
    const callId = await offer(away.msisdn);
    const [offered, declined] = await routing.waitFor(callId, ['InboundCallOffered', 'InboundCallDeclined']);
    expect(offered.data).toMatchObject({ devices: [] });
    expect(declined.data).toEqual({ callId, accountId: away.accountId, reason: 'away_mode' });
    expect(routing.typesOf(callId)).toEqual(['InboundCallOffered', 'InboundCallDeclined']);

    const on = away.events.find((e) => e.type === 'AwayModeChanged')!;
    await routing.publish(away.awayMode(false));
    // identity's "on" delivered again, late, then a contact behind it on the account's partition:
    // once the contact is in, the copy was read, and it changed nothing.
    away.contact('Marker', '+12125550777', null);
    await routing.publish(on, away.events[away.events.length - 1]);
    await routing.untilProjected(away.accountId, away.counts());
    const [account] = await routing.dataSource.query(`SELECT away_enabled FROM accounts WHERE account_id = $1`, [away.accountId]);
    expect(account.away_enabled).toBe(false);
    await routing.waitFor(await offer(away.msisdn), rings(1));
  });

  it('rings nothing within a quiet-hours window crossing midnight in the household’s zone, and rings outside it', async () => {
    const quiet = await offer(night.msisdn);
    const [, declined] = await routing.waitFor(quiet, ['InboundCallOffered', 'InboundCallDeclined']);
    expect(declined.data).toMatchObject({ reason: 'quiet_hours' });
    const awake = await offer(day.msisdn);
    await routing.waitFor(awake, rings(1));
  });

  it('rings nothing on a line with no linked device', async () => {
    const callId = await offer(empty.msisdn);
    const [, declined] = await routing.waitFor(callId, ['InboundCallOffered', 'InboundCallDeclined']);
    expect(declined.data).toMatchObject({ reason: 'no_devices' });
  });

  /** A household in Away Mode with one speaker and its owner, as routing holds it. */
  const awayHousehold = async () => {
    const callback = new HouseholdEvents(freshLine());
    const member = callback.member('owner');
    const speaker = callback.device();
    callback.awayMode(true);
    await routing.publish(...callback.events);
    await routing.untilProjected(callback.accountId, callback.counts());
    return { callback, member, speaker };
  };
  /** The household's speaker calls 911, and routing routes it. */
  const callsEmergency = async ({ callback, member, speaker }: Awaited<ReturnType<typeof awayHousehold>>) => {
    const emergency = callRouting({ accountId: callback.accountId, deviceId: speaker, target: '911', verified: true, memberId: member, speakerRejection: null });
    await routing.publish(emergency);
    await routing.waitFor(emergency.data.callId, ['DestinationResolved']);
    return emergency.data.callId;
  };
  /** calls says the call ended (at `occurredAt`), and routing has taken it. */
  const ends = async (accountId: string, callId: string, occurredAt = new Date().toISOString()) => {
    const ended = { ...callEnded(accountId, callId), occurredAt };
    await routing.publish(ended);
    await eventually(async () => expect(await routing.dataSource.query(`SELECT 1 FROM es_inbox WHERE event_id = $1`, [ended.id])).toHaveLength(1));
  };
  const setLastEmergency = (accountId: string, ago: string) =>
    routing.dataSource.query(`UPDATE accounts SET last_emergency_at = now() - $2::interval WHERE account_id = $1`, [accountId, ago]);

  it('rings every device after the household called 911, Away Mode notwithstanding', async () => {
    const home = await awayHousehold();
    const before = await offer(home.callback.msisdn);
    await routing.waitFor(before, ['InboundCallOffered', 'InboundCallDeclined']);

    await callsEmergency(home);
    const after = await offer(home.callback.msisdn, { from: '+12125550911' });
    const [offered] = await routing.waitFor(after, rings(1));
    expect(offered.data).toMatchObject({ emergencyCallback: true, devices: [home.speaker] });
  });

  it('opens the call-back window when the emergency call ends, however long it lasted', async () => {
    const home = await awayHousehold();
    const callId = await callsEmergency(home);
    // The call went on for 61 minutes: routed longer ago than the window (60 minutes), ended now.
    await setLastEmergency(home.callback.accountId, '61 minutes');
    await ends(home.callback.accountId, callId);
    const after = await offer(home.callback.msisdn, { from: '+12125550911' });
    const [offered] = await routing.waitFor(after, rings(1));
    expect(offered.data).toMatchObject({ emergencyCallback: true, devices: [home.speaker] });
  });

  it('times the call-back window from when the emergency call ended, not from when routing read that it had', async () => {
    const home = await awayHousehold();
    const callId = await callsEmergency(home);
    await setLastEmergency(home.callback.accountId, '2 hours');
    // Ended 61 minutes ago; routing reads it only now (a lag, a replay): the window has closed.
    await ends(home.callback.accountId, callId, new Date(Date.now() - 61 * 60_000).toISOString());
    const after = await offer(home.callback.msisdn, { from: '+12125550911' });
    const [, declined] = await routing.waitFor(after, ['InboundCallOffered', 'InboundCallDeclined']);
    expect(declined.data).toMatchObject({ reason: 'away_mode' });
  });
});
