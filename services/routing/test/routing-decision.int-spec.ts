import { appendToStream } from '@homeline/event-store';
import { eventually, lockWaiters } from '@homeline/testing';
import { RoutingMetrics } from '../src/edges/routing-metrics';
import { envelope } from './support/envelopes';
import { HouseholdEvents, callEnded, callRouting } from './support/household';
import { RoutingHarness } from './support/routing-harness';

describe('routing a call (CallRouting over Kafka, decisions on homeline.routing.v1)', () => {
  let routing: RoutingHarness;
  const home = new HouseholdEvents();
  const owner = home.member('owner', 'Homer');
  const adult = home.member('adult', 'Marge');
  const child = home.member('child', 'Bart');
  const guest = home.member('guest', 'Milhouse');
  const kitchen = home.device({ room: 'Kitchen', floor: '1' });
  home.contact('Mom', '+12125550101', owner);
  home.contact('Mom', '+12125550202', adult);
  home.contact('Grandpa', '+12125550303', null, ['Abe']);
  home.contact('Abe', '+12125550404', owner);

  beforeAll(async () => {
    routing = await RoutingHarness.start();
    await routing.register(home);
  });
  afterAll(() => routing?.stop());

  const place = async (fields: Partial<Parameters<typeof callRouting>[0]>) => {
    const event = callRouting({
      accountId: home.accountId,
      deviceId: kitchen,
      target: 'Mom',
      verified: true,
      memberId: owner,
      speakerRejection: null,
      ...fields,
    });
    await routing.publish(event);
    return event.data.callId;
  };

  it('routes "Mom" to each member\'s own Mom', async () => {
    const homersCall = await place({ memberId: owner });
    const margesCall = await place({ memberId: adult });
    const [homers] = await routing.waitFor(homersCall, ['DestinationResolved', 'CarrierLegRequested']);
    const [marges] = await routing.waitFor(margesCall, ['DestinationResolved', 'CarrierLegRequested']);
    expect(homers.data).toMatchObject({
      class: 'domestic',
      e164: '+12125550101',
      viaContact: { name: 'Mom', household: false },
    });
    expect(marges.data).toMatchObject({
      class: 'domestic',
      e164: '+12125550202',
      viaContact: { name: 'Mom', household: false },
    });
    expect(homers.streamId).toBe(`route-${homersCall}`);
  });

  it("publishes the decision on the call's route stream, the leg on its own, all keyed by the call", async () => {
    const callId = await place({});
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
    ]);
    const { legId } = events[1].data as { legId: string };
    expect(events.map((e) => e.streamId)).toEqual([`route-${callId}`, ...Array(3).fill(`leg-${legId}`)]);
    expect(events.map((e) => e.streamVersion)).toEqual([1, 1, 2, 3]);
    expect(events.map((e) => routing.keys.get(e.id))).toEqual(Array(4).fill(callId));
  });

  it("refuses a name that matches two of the member's contacts, with a reason", async () => {
    const callId = await place({ target: 'abe' });
    const [rejected] = await routing.waitFor(callId, ['DestinationRejected']);
    expect(rejected.data).toEqual({ callId, reason: 'ambiguous_contact' });
  });

  it('refuses a guest an ordinary number', async () => {
    const callId = await place({ memberId: guest, target: '+1 212 555 0199' });
    const [rejected] = await routing.waitFor(callId, ['DestinationRejected']);
    expect(rejected.data).toMatchObject({ reason: 'not_permitted' });
  });

  it('lets a child call a household contact but not a number outside the contacts', async () => {
    const grandpa = await place({ memberId: child, target: 'Grandpa' });
    const stranger = await place({ memberId: child, target: '+1 212 555 0199' });
    await routing.waitFor(grandpa, ['DestinationResolved', 'CarrierLegRequested']);
    const [rejected] = await routing.waitFor(stranger, ['DestinationRejected']);
    expect(rejected.data).toMatchObject({ reason: 'not_permitted', class: 'domestic' });
  });

  it('refuses an unrecognised speaker with the reason identity gave', async () => {
    const callId = await place({ verified: false, memberId: null, speakerRejection: 'replayed_assertion' });
    const [rejected] = await routing.waitFor(callId, ['DestinationRejected']);
    expect(rejected.data).toEqual({ callId, reason: 'replayed_assertion' });
  });

  /** Batches routing's calls consumer tried again after a transient failure, as /metrics counts them. */
  const transientRetries = async () => {
    const metrics = await (await fetch(`${routing.baseUrl}/metrics`)).text();
    return Number(/^homeline_consumer_retries_total\{[^}]*consumer="homeline-routing.calls"[^}]*kind="transient"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
  };
  /** Waits until the call's CallRouting has arrived and waits for the registry: the consumer has tried it again. */
  const untilWaiting = async (retriesBefore: number) =>
    eventually(async () => expect(await transientRetries()).toBeGreaterThan(retriesBefore));

  /** Links a new speaker to the household, as identity publishes it; returns the device and its DeviceLinked. */
  const newSpeaker = () => {
    const deviceId = home.device({ room: 'Attic' });
    return { deviceId, linked: home.events[home.events.length - 1] };
  };

  it("waits for identity's link of a speaker routing does not know yet, then routes its 911 from the speaker's room", async () => {
    const { deviceId, linked } = newSpeaker();
    const before = await transientRetries();
    const callId = await place({ deviceId, target: '911', verified: false, memberId: null, speakerRejection: null });
    await untilWaiting(before);
    expect(routing.typesOf(callId)).toEqual([]);

    await routing.publish(linked);
    const events = await routing.waitFor(callId, ['DestinationResolved', 'EmergencyOwnerNotified', 'CarrierLegRequested']);
    expect(events[0].data).toMatchObject({ class: 'emergency', e164: '911' });
    expect(events[2].data).toMatchObject({ e164: '911', callerId: home.msisdn, emergency: true, location: { room: 'Attic' } });
  });

  it("waits for a member routing does not know yet, then routes the member's call with the member's grants", async () => {
    const memberId = home.member('adult', 'Lisa');
    const added = home.events[home.events.length - 1];
    const before = await transientRetries();
    const callId = await place({ memberId, target: '+1 212 555 0199' });
    await untilWaiting(before);

    await routing.publish(added);
    const [resolved] = await routing.waitFor(callId, ['DestinationResolved', 'CarrierLegRequested']);
    expect(resolved.data).toMatchObject({ class: 'domestic', e164: '+12125550199' });
  });

  it('refuses a device routing still does not know once the wait is over, even for 911, and places nothing', async () => {
    const event = callRouting({ accountId: home.accountId, deviceId: 'dev-never-linked', target: '911', verified: false, memberId: null, speakerRejection: null });
    const handedOverLongAgo = { ...event, occurredAt: new Date(Date.now() - 6_000).toISOString() };
    await routing.publish(handedOverLongAgo);
    const [rejected] = await routing.waitFor(event.data.callId, ['DestinationRejected']);
    expect(rejected.data).toEqual({ callId: event.data.callId, reason: 'unlinked_device' });
    const [legs] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_legs WHERE call_id = $1`, [event.data.callId]);
    expect(legs.n).toBe(0);
  });

  it('places nothing for a call handed over after its deadline: calls has failed it, 911 too', async () => {
    const late = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '911', verified: false, memberId: null, speakerRejection: null });
    const stale = { ...late, data: { ...late.data, deadline: new Date(Date.now() - 1_000).toISOString() } };
    const next = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '911', verified: false, memberId: null, speakerRejection: null });
    // One key, one request: the call behind it on the same partition proves the stale one was consumed first.
    await routing.publishTogether(stale.streamId, stale, next);
    await routing.waitFor(next.data.callId, ['DestinationResolved', 'EmergencyOwnerNotified', 'CarrierLegRequested']);
    expect(routing.typesOf(stale.data.callId)).toEqual([]);
    const [legs] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_legs WHERE call_id = $1`, [stale.data.callId]);
    expect(legs.n).toBe(0);
  });

  it('routes 911 handed over unverified before identity answered, and refuses "Mom" handed over so', async () => {
    const emergency = await place({ target: '911', verified: false, memberId: null, speakerRejection: null });
    const mom = await place({ target: 'Mom', verified: false, memberId: owner, speakerRejection: null });
    await routing.waitFor(emergency, ['DestinationResolved', 'EmergencyOwnerNotified', 'CarrierLegRequested']);
    const [rejected] = await routing.waitFor(mom, ['DestinationRejected']);
    expect(rejected.data).toEqual({ callId: mom, reason: 'speaker_not_verified' });
  });

  it('gives the carrier an address recorded before identity bounded it cut to size, and the 911 call connects', async () => {
    // identity took any length before; the carrier refuses bodies over 64 KiB, so the whole order would be refused.
    const longAgo = new HouseholdEvents('+15551239911', 'America/Chicago', { line1: `1 ${'Long '.repeat(14_000)}Road`, postalCode: '6'.repeat(40) });
    longAgo.member('owner', 'Ned');
    const den = longAgo.device({ room: 'D'.repeat(300), floor: '2' });
    await routing.register(longAgo);
    const event = callRouting({ accountId: longAgo.accountId, deviceId: den, target: '911', verified: false, memberId: null, speakerRejection: null });
    await routing.publish(event);
    const events = await routing.waitFor(event.data.callId, ['DestinationResolved', 'EmergencyOwnerNotified', 'CarrierLegRequested', 'CarrierLegRinging', 'CarrierLegAnswered']);
    const leg = await routing.carrier.leg((events[2].data as { legId: string }).legId);
    expect(leg?.order).toMatchObject({
      emergency: true,
      dispatchable: {
        address: { line1: longAgo.address.line1.slice(0, 200), city: 'Springfield', postalCode: '6'.repeat(32), country: 'US' },
        location: { room: 'D'.repeat(100), floor: '2' },
      },
    });
  });

  it('routes 911 from an unrecognised speaker with the registered address and the room, and tells the owner', async () => {
    const callId = await place({
      target: '911',
      verified: false,
      memberId: null,
      speakerRejection: 'speaker_not_verified',
    });
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'EmergencyOwnerNotified',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
    ]);
    expect(events[2].data).toMatchObject({ e164: '911', callerId: home.msisdn });
    expect(events[0].data).toMatchObject({ class: 'emergency', e164: '911' });
    expect(events[2].data).toMatchObject({
      emergency: true,
      address: home.address,
      location: { room: 'Kitchen', floor: '1' },
    });
    expect(events[1].data).toMatchObject({
      ownerMemberId: owner,
      address: home.address,
      location: { room: 'Kitchen', floor: '1' },
    });
    expect(events[1].accountId).toBe(home.accountId);
  });

  it("follows a member's changed permissions: a child granted domestic numbers may then dial one", async () => {
    const grants = ['emergency', 'contacts', 'domestic'] as const;
    await routing.publish(
      envelope(
        'MemberPermissionsChanged',
        {
          accountId: home.accountId,
          memberId: child,
          role: 'child',
          overrides: { grant: ['domestic'], revoke: [] },
          grants: [...grants],
        },
        { source: 'identity', streamId: `account-${home.accountId}`, accountId: home.accountId },
        99,
      ),
    );
    await eventually(async () => {
      const [row] = await routing.dataSource.query(`SELECT grants FROM members WHERE member_id = $1`, [child]);
      expect(row.grants).toEqual(grants);
    });
    const callId = await place({ memberId: child, target: '+1 212 555 0199' });
    const [resolved] = await routing.waitFor(callId, ['DestinationResolved', 'CarrierLegRequested']);
    expect(resolved.data).toMatchObject({ class: 'domestic', viaContact: null });
  });

  it("forgets a member identity removed, with the member's own contacts: a call of theirs still in flight is not placed", async () => {
    home.contact('Coach', '+12125550505', guest);
    await routing.publish(home.events[home.events.length - 1]);
    await eventually(async () => expect(await routing.dataSource.query(`SELECT name FROM contacts WHERE member_id = $1`, [guest])).toEqual([{ name: 'Coach' }]));

    await routing.publish(
      envelope('MemberRemoved', { accountId: home.accountId, memberId: guest }, { source: 'identity', streamId: `account-${home.accountId}`, accountId: home.accountId }, 100),
    );
    await eventually(async () => expect(await routing.dataSource.query(`SELECT member_id FROM members WHERE member_id = $1`, [guest])).toEqual([]));
    expect(await routing.dataSource.query(`SELECT name FROM contacts WHERE member_id = $1`, [guest])).toEqual([]);

    // Verified as the member a moment before identity removed them: handed over past routing's wait for a lagging registry.
    for (const [target, reason] of [['Coach', 'unknown_contact'], ['+1 212 555 0199', 'not_permitted']]) {
      const event = callRouting({ accountId: home.accountId, deviceId: kitchen, target, verified: true, memberId: guest, speakerRejection: null });
      await routing.publish({ ...event, occurredAt: new Date(Date.now() - 6_000).toISOString() });
      const [rejected] = await routing.waitFor(event.data.callId, ['DestinationRejected']);
      expect(rejected.data).toMatchObject({ callId: event.data.callId, reason });
      const [legs] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_legs WHERE call_id = $1`, [event.data.callId]);
      expect(legs.n).toBe(0);
    }
    const homersCall = await place({ memberId: owner });
    expect((await routing.waitFor(homersCall, ['DestinationResolved', 'CarrierLegRequested']))[0].data).toMatchObject({ e164: '+12125550101' });
  });

  it('refuses at once a call from a member or a speaker identity said is gone, and holds up no emergency call beside it', async () => {
    const memberId = home.member('adult', 'Patty');
    const deviceId = home.device({ room: 'Porch' });
    const projected = async () =>
      (await routing.dataSource.query(
        `SELECT (SELECT count(*) FROM members WHERE member_id = $1)::int AS members, (SELECT count(*) FROM devices WHERE device_id = $2)::int AS devices`,
        [memberId, deviceId],
      ))[0];
    await routing.publish(...home.events.slice(-2));
    await eventually(async () => expect(await projected()).toEqual({ members: 1, devices: 1 }));
    await routing.publish(home.removeMember(memberId), home.unlink(deviceId));
    await eventually(async () => expect(await projected()).toEqual({ members: 0, devices: 0 }));

    const before = await transientRetries();
    const removedMembers = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '+1 212 555 0199', verified: true, memberId, speakerRejection: null });
    const unlinkedSpeakers = callRouting({ accountId: home.accountId, deviceId, target: 'Mom', verified: true, memberId: owner, speakerRejection: null });
    const emergency = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '911', verified: false, memberId: null, speakerRejection: null });
    await routing.publish(removedMembers, unlinkedSpeakers, emergency);

    expect((await routing.waitFor(removedMembers.data.callId, ['DestinationRejected']))[0].data).toMatchObject({ reason: 'not_permitted' });
    expect((await routing.waitFor(unlinkedSpeakers.data.callId, ['DestinationRejected']))[0].data).toMatchObject({ reason: 'unlinked_device' });
    expect((await routing.waitFor(emergency.data.callId, ['DestinationResolved', 'EmergencyOwnerNotified', 'CarrierLegRequested']))[0].data).toMatchObject({ class: 'emergency' });
    // Decided at the first try: nothing waited out the registry's lag (the consumer retried nothing).
    expect(await transientRetries()).toBe(before);
  });

  it('decides once when the same CallRouting arrives twice', async () => {
    const event = callRouting({
      accountId: home.accountId,
      deviceId: kitchen,
      target: 'Mom',
      verified: true,
      memberId: owner,
      speakerRejection: null,
    });
    await routing.publish(event, event);
    const { callId } = event.data;
    await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
    ]);
    // A later event on the same key is handled after both copies: once it shows, the copies are done.
    await routing.publish(callEnded(home.accountId, callId));
    await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
      'CarrierLegEnded',
    ]);
    expect(routing.typesOf(callId)).toEqual([
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
      'CarrierLegEnded',
    ]);
    const legs = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_legs WHERE call_id = $1`, [
      callId,
    ]);
    expect(legs[0].n).toBe(1);
  });

  it('counts a decision once when the batch that made it is applied again after a lost race', async () => {
    const decisions = async () => (await routing.app.get(RoutingMetrics).decisions.get()).values.reduce((sum, v) => sum + v.value, 0);
    // A call that is up: its leg's stream holds Requested, Ringing, Answered.
    const up = await place({});
    const [, requested] = await routing.waitFor(up, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging', 'CarrierLegAnswered']);
    const { legId } = requested.data as { legId: string };
    // Another writer of that leg (a carrier callback, say) has appended and not committed yet.
    const other = routing.dataSource.createQueryRunner();
    await other.startTransaction();
    const before = await decisions();
    try {
      await appendToStream(other.manager, `leg-${legId}`, [{ type: 'CarrierLegEnded', data: { legId, callId: up, duration: 1, releasedBy: 'remote' } }], {
        expectedVersion: 3, source: 'routing', correlationId: up,
      });
      // One batch: a new call to decide, and the end of the call that is up, whose release of the leg waits for that writer.
      const next = callRouting({ accountId: home.accountId, deviceId: kitchen, target: 'Mom', verified: true, memberId: owner, speakerRejection: null });
      await routing.publishTogether(next.data.callId, next, callEnded(home.accountId, up));
      await eventually(async () => expect(await lockWaiters(routing.dataSource, 'transactionid')).toBeGreaterThan(0));
      await other.commitTransaction(); // the release loses the race: the whole batch runs again, deciding the new call again
      await routing.waitFor(next.data.callId, ['DestinationResolved', 'CarrierLegRequested']);
      expect(routing.typesOf(next.data.callId).filter((t) => t === 'DestinationResolved')).toHaveLength(1);
      expect((await decisions()) - before).toBe(1);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
  });
});
