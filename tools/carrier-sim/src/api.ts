import { z } from 'zod';
import { CallRefused, type SimulatedCall } from './call';
import type { SimulatedCarrier } from './calls';
import { issuesOf, problem, parseJson, type Answer } from './http-io';
import { IdempotencyKeys, isIdempotencyKey } from './idempotency';
import { verify } from './signature';

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const number = z.string().regex(/^\+?[0-9]{1,15}$/, 'an E.164 number, or the digits of a short code');

/** The bodies of docs/carrier-api.md, "Operations". */
const bodies = {
  place: z.object({
    legId: id,
    callId: id,
    e164: number,
    callerId: number,
    emergency: z.boolean(),
    dispatchable: z.looseObject({ address: z.looseObject({}), location: z.looseObject({}).nullable() }).optional(),
    /** W3C trace context of Homeline's decision: echoed on this call's webhooks (docs/carrier-api.md). */
    traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent').nullable().optional(),
  }),
  hangup: z.object({ carrierCallId: id }),
  bridge: z.object({ carrierCallId: id, deviceId: id }),
  voicemail: z.object({ carrierCallId: id, reason: z.enum(['away_mode', 'quiet_hours', 'no_devices', 'no_answer']) }),
};
export type Operation = keyof typeof bodies;

export interface ApiRequest {
  readonly operation: Operation;
  /** The carrier call id in the path, for the operations on a call. */
  readonly carrierCallId?: string;
  readonly rawBody: string;
  readonly signature: string | undefined;
  readonly idempotencyKey: string | undefined;
}

/**
 * The call-control API as a carrier serves it: the signature first (nothing is said to an
 * unsigned caller), then the idempotency key, then the body; a retry under a key already answered
 * gets that answer again, marked `Idempotent-Replayed: true`.
 */
export class CallControlApi {
  private readonly keys = new IdempotencyKeys();

  constructor(
    private readonly carrier: SimulatedCarrier,
    private readonly secret: string,
    private readonly now: () => Date,
  ) {}

  handle(request: ApiRequest): Answer {
    const nowMs = this.now().getTime();
    const bad = verify(this.secret, request.signature, request.rawBody, Math.floor(nowMs / 1000));
    if (bad) return problem(401, 'invalid_signature', `request signature refused: ${bad}`);
    if (!isIdempotencyKey(request.idempotencyKey))
      return problem(400, 'idempotency_key_required', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    const parsed = parseJson(request.rawBody);
    if (!parsed.ok) return problem(400, 'invalid_body', 'the body is not JSON');
    const body = bodies[request.operation].safeParse(parsed.value);
    if (!body.success) return problem(400, 'invalid_body', issuesOf(body.error));
    if (
      request.carrierCallId !== undefined &&
      (body.data as { carrierCallId?: string }).carrierCallId !== request.carrierCallId
    )
      return problem(
        400,
        'target_mismatch',
        'the body names another call than the path: the signature covers the body only',
      );

    const check = this.keys.check(request.idempotencyKey, request.operation, body.data, nowMs);
    if (check.kind === 'reused')
      return problem(422, 'idempotency_key_reused', 'this Idempotency-Key was used for another request');
    if (check.kind === 'replay')
      return { ...check.response, headers: { ...check.response.headers, 'idempotent-replayed': 'true' } };
    const answer = this.perform(request.operation, body.data);
    this.keys.remember(request.idempotencyKey, request.operation, body.data, answer, nowMs);
    return answer;
  }

  private perform(operation: Operation, body: z.infer<(typeof bodies)[Operation]>): Answer {
    try {
      switch (operation) {
        case 'place': {
          const { call, created } = this.carrier.place(body as z.infer<typeof bodies.place>);
          return { status: created ? 201 : 200, body: { carrierCallId: call.carrierCallId } };
        }
        case 'hangup':
          return stateOf(this.carrier.hangUp((body as z.infer<typeof bodies.hangup>).carrierCallId));
        case 'bridge': {
          const { carrierCallId, deviceId } = body as z.infer<typeof bodies.bridge>;
          return stateOf(this.carrier.bridge(carrierCallId, deviceId));
        }
        case 'voicemail': {
          const { carrierCallId, reason } = body as z.infer<typeof bodies.voicemail>;
          return stateOf(this.carrier.sendToVoicemail(carrierCallId, reason));
        }
        default: {
          const never: never = operation;
          throw new Error(`unknown operation ${String(never)}`);
        }
      }
    } catch (error) {
      if (error instanceof CallRefused) return problem(error.status, error.code, error.message);
      throw error;
    }
  }
}

const stateOf = (call: SimulatedCall): Answer => ({
  status: 200,
  body: {
    carrierCallId: call.carrierCallId,
    state: call.state,
    ...(call.bridgedTo ? { deviceId: call.bridgedTo } : {}),
  },
});
