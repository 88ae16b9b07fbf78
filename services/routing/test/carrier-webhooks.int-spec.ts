import { HouseholdEvents, callRouting } from './support/household';
import { carrierCallId, freshLine, offerCall, postSigned } from './support/inbound';
import { RoutingHarness } from './support/routing-harness';

const problemOf = async (response: Response) => {
  expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  return (await response.json()) as { status: number; code: string };
};

describe('the carrier webhooks refuse what the carrier did not send, with problem details and never a 5xx', () => {
  let routing: RoutingHarness;
  const home = new HouseholdEvents(freshLine());
  const owner = home.member('owner');
  const kitchen = home.device();
  const offer = (body: Record<string, unknown>, options?: { secret?: string }) =>
    offerCall(routing.baseUrl, { carrierCallId: carrierCallId(), from: '+12125550142', to: home.msisdn, ...body }, options);
  const inboundCalls = async () =>
    (await routing.dataSource.query(`SELECT count(*)::int AS n FROM es_events WHERE type = 'InboundCallOffered'`))[0].n;

  beforeAll(async () => {
    routing = await RoutingHarness.start({ defaultBehaviour: 'ring' });
    await routing.register(home);
  });
  afterAll(() => routing?.stop());

  it('refuses an unsigned, forged or stale offer with 401, and opens no call', async () => {
    const unsigned = await fetch(`${routing.baseUrl}/v1/carrier/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ carrierCallId: carrierCallId(), from: '+12125550142', to: home.msisdn }),
    });
    expect(await problemOf(unsigned)).toMatchObject({ status: 401, code: 'invalid_carrier_signature' });
    expect((await offer({}, { secret: 'not-the-carrier-secret-at-all' })).status).toBe(401);
    const stale = await postSigned(
      `${routing.baseUrl}/v1/carrier/inbound`,
      { carrierCallId: carrierCallId(), from: '+12125550142', to: home.msisdn },
      { signedAt: Math.floor(Date.now() / 1000) - 301 },
    );
    expect(stale.status).toBe(401);
    expect(await inboundCalls()).toBe(0);
  });

  it('refuses a body that is not a carrier offer with 400 invalid_request, naming the field', async () => {
    for (const [body, field] of [
      [{ from: '555-0142' }, 'from'],
      [{ from: '+0123' }, 'from'],
      [{ to: 'the line' }, 'to'],
      [{ to: undefined }, 'to'],
      [{ carrierCallId: 'x'.repeat(129) }, 'carrierCallId'],
      [{ carrierCallId: 'has spaces' }, 'carrierCallId'],
      [{ sensitive: 'yes' }, 'sensitive'],
    ] as const) {
      const problem = await problemOf(await offer(body));
      expect(problem).toMatchObject({ status: 400, code: 'invalid_request', issues: [expect.objectContaining({ path: field })] });
    }
    expect(await inboundCalls()).toBe(0);
  });

  it('refuses malformed or oversized JSON with a 4xx problem', async () => {
    const malformed = await postSigned(`${routing.baseUrl}/v1/carrier/inbound`, '{"carrierCallId": ');
    expect(await problemOf(malformed)).toMatchObject({ status: 400 });
    const huge = await postSigned(`${routing.baseUrl}/v1/carrier/inbound`, {
      carrierCallId: carrierCallId(),
      from: '+12125550142',
      to: home.msisdn,
      padding: 'x'.repeat(200_000),
    });
    expect(await problemOf(huge)).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(await inboundCalls()).toBe(0);
  });

  it("documents in its OpenAPI document (/docs-json) the inbound offer's answer, 202 { callId }", async () => {
    type Schema = { required?: string[]; properties?: Record<string, { type?: string }> };
    type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
    const { paths } = (await (await fetch(`${routing.baseUrl}/docs-json`)).json()) as { paths: Record<string, { post: Operation }> };
    const schema = paths['/v1/carrier/inbound'].post.responses['202']?.content?.['application/json']?.schema;
    expect(schema).toMatchObject({ required: ['callId'], properties: { callId: { type: 'string' } } });
  });

  it('answers 404 unknown_line for a number that is no account’s line', async () => {
    expect(await problemOf(await offer({ to: '+15559990000' }))).toMatchObject({ status: 404, code: 'unknown_line' });
  });

  it("answers 404 unknown_line once the line's account is closed, and rings the household that takes the line next", async () => {
    const line = freshLine();
    const closing = new HouseholdEvents(line);
    closing.member('owner');
    closing.device();
    await routing.register(closing);
    const offerTo = () => offerCall(routing.baseUrl, { carrierCallId: carrierCallId(), from: '+12125550142', to: line });
    expect((await offerTo()).status).toBe(202);

    await routing.publish(...closing.close());
    await routing.untilProjected(closing.accountId, { members: 0, devices: 0, contacts: 0 });
    expect(await problemOf(await offerTo())).toMatchObject({ status: 404, code: 'unknown_line' });

    const next = new HouseholdEvents(line);
    next.member('owner');
    next.device();
    await routing.register(next);
    const answered = await offerTo();
    expect(answered.status).toBe(202);
    const { callId } = (await answered.json()) as { callId: string };
    const [offered] = await routing.waitFor(callId, ['InboundCallOffered']);
    expect(offered.data).toMatchObject({ accountId: next.accountId, to: line });
  });

  it("rings the household that opened the line last while the previous household's closure has not reached routing yet", async () => {
    // identity keys its events by account: the new household's opening and the old one's closure travel on
    // different partitions, so routing may read the opening first (a lagging partition, a rebuild).
    const line = freshLine();
    const previous = new HouseholdEvents(line);
    previous.member('owner');
    previous.device();
    await routing.register(previous);
    // A new household whose id sorts after the previous one's: an order by id alone would still ring the previous one.
    let next: HouseholdEvents;
    do next = new HouseholdEvents(line); while (next.accountId < previous.accountId);
    next.member('owner');
    next.device();
    await routing.register(next);

    const offerTo = () => offerCall(routing.baseUrl, { carrierCallId: carrierCallId(), from: '+12125550142', to: line });
    const offeredTo = async () => {
      const answered = await offerTo();
      expect(answered.status).toBe(202);
      const { callId } = (await answered.json()) as { callId: string };
      const [offered] = await routing.waitFor(callId, ['InboundCallOffered']);
      return offered.data;
    };
    expect(await offeredTo()).toMatchObject({ accountId: next.accountId, to: line });

    await routing.publish(...previous.close());
    await routing.untilProjected(previous.accountId, { members: 0, devices: 0, contacts: 0 });
    expect(await offeredTo()).toMatchObject({ accountId: next.accountId, to: line });
  });

  it('answers 409 when the carrier call id is one of our outbound legs', async () => {
    const call = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '+12125550100', verified: true, memberId: owner, speakerRejection: null });
    await routing.publish(call);
    const [, , ringing] = await routing.waitFor(call.data.callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging']);
    const { carrierCallId: outbound } = ringing.data as { carrierCallId: string };
    expect(await problemOf(await offer({ carrierCallId: outbound }))).toMatchObject({ status: 409, code: 'carrier_call_in_use' });
  });

  it('answers 404 unknown_carrier_leg for a leg status naming the carrier call of another leg, before the leg has its own', async () => {
    const first = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '+12125550100', verified: true, memberId: owner, speakerRejection: null });
    await routing.publish(first);
    const [, , ringing] = await routing.waitFor(first.data.callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging']);
    const { carrierCallId: taken } = ringing.data as { carrierCallId: string };
    await routing.carrier.addFaults({ count: 1, delayMs: 3_000 }); // the second placement waits at the carrier
    const second = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '+12125550101', verified: true, memberId: owner, speakerRejection: null });
    await routing.publish(second);
    const [, requested] = await routing.waitFor(second.data.callId, ['DestinationResolved', 'CarrierLegRequested']);
    const { legId } = requested.data as { legId: string };
    const response = await postSigned(`${routing.baseUrl}/v1/carrier/status`, { carrierCallId: taken, legId, status: 'ringing', sequence: 7, occurredAt: new Date().toISOString() });
    expect(await problemOf(response)).toMatchObject({ status: 404, code: 'unknown_carrier_leg' });
  });

  it('answers 404 unknown_carrier_call for a status without legId about no inbound call of ours', async () => {
    const response = await postSigned(`${routing.baseUrl}/v1/carrier/status`, {
      carrierCallId: 'cc-nobody',
      status: 'ringing',
      sequence: 1,
      occurredAt: new Date().toISOString(),
    });
    expect(await problemOf(response)).toMatchObject({ status: 404, code: 'unknown_carrier_call' });
  });

  it('answers 404 unknown_carrier_call for a hang-up without legId naming one of our outbound legs, and keeps nothing for it', async () => {
    const call = callRouting({ accountId: home.accountId, deviceId: kitchen, target: '+12125550100', verified: true, memberId: owner, speakerRejection: null });
    await routing.publish(call);
    const [, , ringing] = await routing.waitFor(call.data.callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging']);
    const { carrierCallId: outbound } = ringing.data as { carrierCallId: string };
    const response = await postSigned(`${routing.baseUrl}/v1/carrier/status`, { carrierCallId: outbound, status: 'completed', sequence: 9, occurredAt: new Date().toISOString() });
    expect(await problemOf(response)).toMatchObject({ status: 404, code: 'unknown_carrier_call' });
    const [held] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_callbacks WHERE carrier_call_id = $1 AND sequence = 9`, [outbound]);
    expect(held.n).toBe(0);
  });

  it('refuses a leg status that only an inbound call can have, and a sequence PostgreSQL cannot store', async () => {
    const base = { carrierCallId: 'cc-1', legId: 'leg-1', occurredAt: new Date().toISOString() };
    for (const body of [
      { ...base, status: 'canceled', sequence: 1 },
      { ...base, status: 'ringing', sequence: 2 ** 31 },
      { ...base, status: 'busy', sequence: 1, sipCode: 9999 },
    ]) {
      expect(await problemOf(await postSigned(`${routing.baseUrl}/v1/carrier/status`, body))).toMatchObject({
        status: 400,
        code: 'invalid_request',
      });
    }
  });
});
