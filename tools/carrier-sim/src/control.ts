import { z } from 'zod';
import { CallRefused, type SimulatedCall } from './call';
import type { SimulatedCarrier } from './calls';
import { faultSchema, type Faults } from './faults';
import { issuesOf, problem, parseJson, type Answer } from './http-io';
import type { WebhookSender } from './webhooks';

const e164 = z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'an E.164 number');
// A caller the network withholds reaches Homeline as the literal "anonymous" (docs/carrier-api.md).
const inboundSchema = z.object({ from: z.union([e164, z.literal('anonymous')]), to: e164, sensitive: z.boolean().optional() });

/** A call as a test reads it: what Homeline asked of the carrier, and what the carrier told Homeline. */
export const viewOf = (call: SimulatedCall) => ({
  carrierCallId: call.carrierCallId,
  direction: call.direction,
  state: call.state,
  ...(call.order ? { legId: call.order.legId, order: call.order } : {}),
  ...(call.direction === 'inbound' ? { from: call.from, to: call.to, sensitive: call.sensitive ?? false } : {}),
  ...(call.bridgedTo ? { bridgedTo: call.bridgedTo } : {}),
  ...(call.voicemailReason ? { voicemailReason: call.voicemailReason } : {}),
  placeRequests: call.placeRequests,
  reported: call.reported,
});

/**
 * The simulator's own endpoints under /sim, for tests and the demo (docs/carrier-api.md, "The
 * simulator"): play a caller (offer a call, hang up), read what the carrier was asked, inject
 * faults. Unauthenticated: the simulator listens on loopback and is never deployed.
 */
export class SimControl {
  constructor(
    private readonly carrier: SimulatedCarrier,
    private readonly webhooks: WebhookSender,
    private readonly faults: Faults,
  ) {}

  /** A caller dials the line: the carrier offers the call to Homeline and gives back Homeline's answer. */
  async offer(rawBody: string): Promise<Answer> {
    const parsed = parse(inboundSchema, rawBody);
    if (!parsed.ok) return parsed.refusal;
    const body = parsed.value;
    const call = this.carrier.offer(body);
    const payload = {
      carrierCallId: call.carrierCallId,
      from: body.from,
      to: body.to,
      ...(body.sensitive === undefined ? {} : { sensitive: body.sensitive }),
    };
    try {
      const routing = await this.webhooks.post('/v1/carrier/inbound', payload);
      return { status: 200, body: { carrierCallId: call.carrierCallId, routing } };
    } catch (error) {
      return problem(502, 'homeline_unreachable', `the inbound webhook was not delivered: ${String(error)}`);
    }
  }

  /** The far end hangs up; answers once Homeline has answered the status webhook. */
  async hangUp(carrierCallId: string): Promise<Answer> {
    try {
      const { call, delivery } = this.carrier.remoteHangUp(carrierCallId);
      const routing = await delivery.catch((error: unknown) => ({ error: String(error) }));
      return { status: 200, body: { ...viewOf(call), routing: routing ?? null } };
    } catch (error) {
      if (error instanceof CallRefused) return problem(error.status, error.code, error.message);
      throw error;
    }
  }

  call(carrierCallId: string): Answer {
    const call = this.carrier.get(carrierCallId);
    return call ? { status: 200, body: viewOf(call) } : problem(404, 'unknown_call', `no call ${carrierCallId}`);
  }

  leg(legId: string): Answer {
    const call = this.carrier.byLegId(legId);
    return call ? { status: 200, body: viewOf(call) } : problem(404, 'unknown_leg', `no leg ${legId} was placed`);
  }

  addFaults(rawBody: string): Answer {
    const parsed = parse(faultSchema, rawBody);
    if (!parsed.ok) return parsed.refusal;
    this.faults.add(parsed.value);
    return { status: 200, body: { pending: this.faults.pending } };
  }

  clearFaults(): Answer {
    this.faults.clear();
    return { status: 200, body: { pending: 0 } };
  }
}

const parse = <T>(schema: z.ZodType<T>, rawBody: string): { ok: true; value: T } | { ok: false; refusal: Answer } => {
  const json = parseJson(rawBody);
  if (!json.ok) return { ok: false, refusal: problem(400, 'invalid_body', 'the body is not JSON') };
  const result = schema.safeParse(json.value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, refusal: problem(400, 'invalid_body', issuesOf(result.error)) };
};
