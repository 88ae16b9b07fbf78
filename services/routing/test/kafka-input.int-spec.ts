import { randomUUID } from 'node:crypto';
import { Topics, type Envelope } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import { envelope } from './support/envelopes';
import { HouseholdEvents, callEnded, callRouting } from './support/household';
import { RoutingHarness } from './support/routing-harness';

describe("what routing takes from Kafka: identity's registry, and input it must not trust", () => {
  let routing: RoutingHarness;
  const home = new HouseholdEvents();
  const owner = home.member('owner', 'Homer');
  const kitchen = home.device({ room: 'Kitchen', floor: '1' });
  home.contact('Mom', '+12125550101', owner);

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

  it('dead-letters a CallRouting that claims another publisher, routes nothing for it, and goes on', async () => {
    const forged = {
      ...callRouting({
        accountId: home.accountId,
        deviceId: kitchen,
        target: '911',
        verified: false,
        memberId: null,
        speakerRejection: null,
      }),
      source: 'identity' as const,
    };
    await routing.publishOn(Topics.calls, forged);
    const next = await place({});
    const dead = await routing.deadLettered(forged.id);
    expect(dead).toMatchObject({
      topic: `${Topics.calls}.dlq`,
      reasonCode: 'invalid_event',
      consumerGroup: 'homeline-routing.calls',
    });
    await routing.waitFor(next, ['DestinationResolved']);
    expect(routing.typesOf(forged.data.callId)).toEqual([]);
  });

  it('dead-letters an event holding text PostgreSQL cannot store, instead of retrying it forever', async () => {
    const nul = callRouting({
      callId: `call-\u0000-${Date.now()}`,
      accountId: home.accountId,
      deviceId: kitchen,
      target: 'Mom',
      verified: true,
      memberId: owner,
      speakerRejection: null,
    });
    await routing.publish(nul);
    const next = await place({});
    const dead = await routing.deadLettered(nul.id);
    expect(dead).toMatchObject({ reasonCode: 'unstorable_text', consumerGroup: 'homeline-routing.calls' });
    await routing.waitFor(next, ['DestinationResolved']);
  });

  it('routes a call whose traceparent header is not a trace context, keeping none, and the calls behind it', async () => {
    const event = callRouting({ accountId: home.accountId, deviceId: kitchen, target: 'Mom', verified: true, memberId: owner, speakerRejection: null });
    await routing.publishWithHeaders(Topics.calls, { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01\u0000` }, event);
    const next = await place({});
    const [resolved] = await routing.waitFor(event.data.callId, ['DestinationResolved', 'CarrierLegRequested']);
    await routing.waitFor(next, ['DestinationResolved']);
    const [row] = await routing.dataSource.query(`SELECT traceparent FROM es_events WHERE event_id = $1`, [
      resolved.id,
    ]);
    expect(row).toEqual({ traceparent: null });
  });

  it("takes an outbound call's CallConnected without a transaction or an inbox row: there is nothing in it for routing", async () => {
    const callId = randomUUID();
    const meta = { source: 'calls', streamId: `call-${callId}`, accountId: home.accountId, correlationId: callId } as const;
    const connected = envelope(
      'CallConnected',
      { callId, memberId: owner, deviceId: kitchen, e164: '+12125550101', connectedAt: new Date().toISOString(), direction: 'outbound' },
      meta,
      5,
    );
    const ended = callEnded(home.accountId, callId);
    await routing.publishTogether(`call-${callId}`, connected, ended);
    const inboxOf = async (eventId: string) =>
      (await routing.dataSource.query(`SELECT 1 FROM es_inbox WHERE consumer = 'homeline-routing.calls' AND event_id = $1`, [eventId])).length;
    // The end, behind it on the same partition, was taken: so was the connection, before it.
    await eventually(async () => expect(await inboxOf(ended.id)).toBe(1));
    expect(await inboxOf(connected.id)).toBe(0);
  });

  it('keeps one contact when identity delivers the same ContactAdded twice', async () => {
    const uncle = envelope(
      'ContactAdded',
      {
        accountId: home.accountId,
        contactId: 'con-herb',
        name: 'Uncle Herb',
        aliases: [],
        e164: '+12125550505',
        memberId: null,
      },
      {
        source: 'identity',
        streamId: `account-${home.accountId}`,
        accountId: home.accountId,
      },
      100,
    );
    await routing.publish(uncle, uncle);
    await routing.untilProjected(home.accountId, { ...home.counts(), contacts: home.counts().contacts + 1 });
    const callId = await place({ target: 'uncle herb' });
    const [resolved] = await routing.waitFor(callId, ['DestinationResolved']);
    expect(resolved.data).toMatchObject({
      e164: '+12125550505',
      viaContact: { contactId: 'con-herb', household: true },
    });
  });

  it("keeps a device in the household identity last linked it to, though two households' events are read out of order", async () => {
    const other = new HouseholdEvents('+15551230099');
    other.member('owner', 'Marge');
    await routing.register(other);
    const moved = `dev-${randomUUID()}`;
    const start = Date.now() - 60_000;
    const context = (accountId: string) => ({ source: 'identity' as const, streamId: `account-${accountId}`, accountId });
    const at = (second: number) => new Date(start + second * 1000).toISOString();
    const linked = (accountId: string, second: number) => ({
      ...envelope('DeviceLinked', { accountId, deviceId: moved, name: 'Den', publicKey: 'AAAA', location: null }, context(accountId)),
      occurredAt: at(second),
    });
    const unlinked = (accountId: string, second: number) => ({
      ...envelope('DeviceUnlinked', { accountId, deviceId: moved }, context(accountId)),
      occurredAt: at(second),
    });
    const applied = async (event: Envelope) => {
      await routing.publish(event);
      await eventually(async () =>
        expect(await routing.dataSource.query(`SELECT 1 FROM es_inbox WHERE event_id = $1`, [event.id])).toHaveLength(1));
    };
    const householdOf = async () =>
      ((await routing.dataSource.query(`SELECT account_id FROM devices WHERE device_id = $1`, [moved])) as { account_id: string }[])[0]?.account_id;
    // identity: linked to home at 1 s, unlinked at 2 s, linked to the other household at 3 s. Their keys differ
    // (account streams), so the other household's link may be read first, and home's history after it (a rebuild).
    await applied(linked(other.accountId, 3));
    await applied(linked(home.accountId, 1));
    expect(await householdOf()).toBe(other.accountId);
    await applied(unlinked(home.accountId, 2));
    expect(await householdOf()).toBe(other.accountId);
    const callId = await place({ accountId: other.accountId, deviceId: moved, target: '911', verified: false, memberId: null });
    await routing.waitFor(callId, ['DestinationResolved']);
  });

  it('projects a burst of registry events in order: permissions changed right after joining, a device linked and unlinked', async () => {
    const stream = { source: 'identity' as const, streamId: `account-${home.accountId}`, accountId: home.accountId };
    const lisa = 'mem-lisa';
    const tablet = 'dev-tablet';
    // Device events first: once the member shows up changed, the events before it were applied too.
    await routing.publish(
      envelope(
        'DeviceLinked',
        { accountId: home.accountId, deviceId: tablet, name: 'Tablet', publicKey: 'AAAA', location: null },
        stream,
        200,
      ),
      envelope('DeviceUnlinked', { accountId: home.accountId, deviceId: tablet }, stream, 201),
      envelope(
        'MemberAdded',
        { accountId: home.accountId, memberId: lisa, name: 'Lisa', role: 'child', grants: ['emergency'] },
        stream,
        202,
      ),
      envelope(
        'MemberPermissionsChanged',
        {
          accountId: home.accountId,
          memberId: lisa,
          role: 'adult',
          overrides: { grant: [], revoke: [] },
          grants: ['emergency', 'domestic'],
        },
        stream,
        203,
      ),
    );
    await eventually(async () => {
      const [member] = await routing.dataSource.query(`SELECT role, grants FROM members WHERE member_id = $1`, [lisa]);
      expect(member).toEqual({ role: 'adult', grants: ['emergency', 'domestic'] });
    });
    const devices = await routing.dataSource.query(`SELECT 1 FROM devices WHERE device_id = $1`, [tablet]);
    expect(devices).toEqual([]);
  });
});
