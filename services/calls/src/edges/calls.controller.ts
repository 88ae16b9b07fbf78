import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { isUuid, mayBeEmergencyTarget, voiceAssertionSchema } from '@homeline/contracts';
import {
  currentTraceparent, GroupCommit, isTransientFailure, readStream, treatUniqueViolationAsRace, type Clock, type IdGenerator,
} from '@homeline/event-store';
import { ApiIdempotencyKey, ApiZodBody, ApiZodResponse, CLOCK, IDS, IdempotencyStore, SERVICE_CONFIG, ZodPipe } from '@homeline/platform';
import type { Response } from 'express';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { callStreamId, CallWrites, type CallRequest } from '../application/call-writes';
import { toCallView, type CallView } from '../application/call-view';
import { CallError, recogniseEmergencyRequest, type AnyCallState, type RequestCall } from '../domain';
import type { CallsConfig } from '../config';
import { acceptedCallSchema, callViewSchema } from './call-answers.schema';
import { KnownDevices } from './known-devices';

const placeCallSchema = z.object({
  deviceId: z.string().min(1).max(128),
  /**
   * A contact name ("Mom") or a dial string ("+1 555 010 9999", "911"), kept exactly as sent: the
   * device signed it as its assertion's subject (a trimmed "911 " would no longer match it).
   * Routing reads names and numbers past surrounding blanks.
   */
  target: z.string().min(1).max(64).refine((target) => target.trim().length > 0, 'must not be blank'),
  voice: voiceAssertionSchema,
});
type PlaceCall = z.infer<typeof placeCallSchema>;

// Two requests racing with one emergency assertion: the loser's statement fails on this key, and is judged again.
treatUniqueViolationAsRace('emergency_nonces_pkey');

const answerCallSchema = z.object({
  deviceId: z.string().min(1).max(128),
  voice: voiceAssertionSchema,
});
type AnswerCall = z.infer<typeof answerCallSchema>;


@ApiTags('calls')
@Controller('v1/calls')
export class CallsController {
  /** New calls outside any transaction: those that arrive together are written in one statement. */
  private readonly newCalls = new GroupCommit((requests: readonly CallRequest[]) => this.writes.run(this.dataSource.manager, requests));

  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly writes: CallWrites,
    private readonly devices: KnownDevices,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(IDS) private readonly ids: IdGenerator,
    @Inject(SERVICE_CONFIG) private readonly config: CallsConfig,
  ) {}

  /** Places an outbound call; 202 with the call id, whose progress GET /v1/calls/:id shows. */
  @Post()
  @HttpCode(202)
  @ApiZodBody(placeCallSchema)
  @ApiZodResponse(202, acceptedCallSchema)
  @ApiIdempotencyKey()
  async place(
    @Body(new ZodPipe(placeCallSchema)) body: PlaceCall,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ callId: string; status: string }> {
    const mayBeEmergency = mayBeEmergencyTarget(body.target);
    // Before the key's transaction: an emergency's device lookup needs a connection of its own, and
    // inside the transaction every request would hold one while waiting for another (ten at once
    // would take the whole pool and wait for ever).
    const command = await this.requestCall(body, mayBeEmergency);
    // A key is scoped to the device that sends it: two devices' keys never collide.
    const result = await this.idempotency.once(`calls.place:${body.deviceId}`, key, body, async (tx) => {
      const state = await this.writeRequest(tx.queryRunner ? tx : this.dataSource.manager, command, mayBeEmergency);
      return { status: 202, body: { callId: command.callId, status: state.status } };
    });
    response.status(result.status);
    return result.body;
  }

  @Get(':callId')
  @ApiZodResponse(200, callViewSchema, 'The call: status, reason, who, where, and its timeline')
  async get(@Param('callId') callId: string): Promise<CallView> {
    const { events } = await readStream(this.dataSource.manager, callStreamId(callId));
    const view = toCallView(callId, events as unknown as Parameters<typeof toCallView>[1]);
    if (!view) throw new CallError('call_not_found', `no call ${callId}`);
    return view;
  }

  /**
   * A device answers an inbound call ("Alexa, answer"): 202, and identity verifies the voice and
   * who may answer; the first answer it allows connects (docs/architecture.md section 6.1). An
   * answer to a call already answered or over is refused at once (409 already_answered / call_ended).
   */
  @Post(':callId/answer')
  @HttpCode(202)
  @ApiZodBody(answerCallSchema)
  @ApiZodResponse(202, acceptedCallSchema)
  @ApiIdempotencyKey()
  async answer(
    @Param('callId') callId: string,
    @Body(new ZodPipe(answerCallSchema)) body: AnswerCall,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ callId: string; status: string }> {
    // No call has an id this long (they are UUIDs), and the key's scope below must fit its index.
    if (callId.length > 128) throw new CallError('call_not_found', `no call ${callId.slice(0, 64)}...`);
    // Only for a call id as calls makes them, answered by an assertion for it: no other request waits.
    if (body.voice.subject === callId && isUuid(callId)) await this.untilOffered(callId);
    // A retried answer with its key is answered as the first was, instead of becoming a second request
    // with the same assertion (which identity refuses as a replay). Scoped to the call and the device.
    const result = await this.idempotency.once(`calls.answer:${callId}:${body.deviceId}`, key, body, async (tx) => {
      const now = this.clock.now().toISOString();
      const command = { type: 'RequestAnswer' as const, callId, now, answerId: this.ids.next(), ...body };
      // Inside the key's transaction a lost race reruns the whole request (IdempotencyStore), not this statement.
      const [outcome] = await this.writes.run(tx, [{ callId, commands: [command] }], tx.queryRunner ? 1 : undefined);
      return { status: 202, body: { callId, status: outcome.state.status } };
    });
    response.status(result.status);
    return result.body;
  }

  /** The caller hangs up: a connected call ends, a call still being set up is cancelled. */
  @Post(':callId/hangup')
  @HttpCode(200)
  @ApiZodResponse(200, callViewSchema, 'The call as the hang-up left it (an ended call as it ended)')
  async hangUp(@Param('callId') callId: string): Promise<CallView> {
    const now = this.clock.now().toISOString();
    await this.writes.run(this.dataSource.manager, [{ callId, commands: [{ type: 'HangUp', callId, by: 'caller', now }] }]);
    return this.get(callId);
  }

  /**
   * Waits, up to CALL_ANSWER_OFFER_WAIT_MS, for the call's stream to exist: the device rang off
   * routing's topic, and calls may read the same offer a moment later. An answer to a call that never
   * comes is then refused as before (404 call_not_found); one whose offer lands in time goes on.
   */
  private async untilOffered(callId: string): Promise<void> {
    const until = Date.now() + this.config.CALL_ANSWER_OFFER_WAIT_MS;
    for (;;) {
      const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM es_events WHERE stream_id = $1 LIMIT 1`, [callStreamId(callId)]);
      if (rows.length > 0 || Date.now() >= until) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async requestCall(body: PlaceCall, mayBeEmergency: boolean): Promise<RequestCall> {
    const now = this.clock.now().toISOString();
    const emergency = mayBeEmergency
      ? recogniseEmergencyRequest({
          device: await this.devices.find(this.dataSource, body.deviceId),
          target: body.target,
          voice: body.voice,
          now,
          maxAgeSeconds: this.config.ASSERTION_MAX_AGE_SECONDS,
          futureSkewSeconds: this.config.ASSERTION_FUTURE_SKEW_SECONDS,
        })
      : null;
    return { type: 'RequestCall', callId: this.ids.next(), now, ...body, emergency };
  }

  /**
   * Records a new call in one statement (new calls that arrive together share one). An emergency
   * call recognised on calls' own judgement is written alone: it uses up its assertion's nonce in the
   * same statement, so an assertion lets one emergency call through that way, never two — a replay
   * waits for identity like any other request (who refuses it). A request that may be an emergency
   * call and waits for identity (its device not yet known here) uses its nonce up here too: once
   * calls knows the device, a replay of it is not routed on calls' judgement either.
   */
  private async writeRequest(db: EntityManager, command: RequestCall, mayBeEmergency: boolean): Promise<AnyCallState> {
    const nonce = (ifNew: boolean) => ({
      sql: `INSERT INTO emergency_nonces (device_id, nonce, call_id) VALUES ($1, $2, $3)${ifNew ? ' ON CONFLICT DO NOTHING' : ''}`,
      params: [command.deviceId, command.voice.nonce, command.callId],
    });
    const waitingCompanions = mayBeEmergency ? [nonce(true)] : [];
    if (!command.emergency && !db.queryRunner?.isTransactionActive) {
      const request = { callId: command.callId, isNew: true, commands: [command], companions: waitingCompanions, traceparent: currentTraceparent() };
      return (await this.newCalls.submit(request)).state;
    }
    for (let attempt = 1; ; attempt++) {
      const emergency = command.emergency && !(await this.nonceUsed(db, command)) ? command.emergency : null;
      const companions = emergency ? [nonce(false)] : waitingCompanions;
      try {
        const [outcome] = await this.writes.run(db, [{ callId: command.callId, isNew: true, commands: [{ ...command, emergency }], companions }], 1);
        return outcome.state;
      } catch (error) {
        // Another request used the nonce meanwhile: judge this one again (inside a transaction, the whole transaction is retried).
        if (!isTransientFailure(error) || attempt >= 3 || db.queryRunner?.isTransactionActive) throw error;
      }
    }
  }

  private async nonceUsed(db: EntityManager, command: RequestCall): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM emergency_nonces WHERE device_id = $1 AND nonce = $2`, [command.deviceId, command.voice.nonce]);
    return rows.length > 0;
  }
}
