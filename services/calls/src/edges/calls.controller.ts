import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { voiceAssertionSchema } from '@homeline/contracts';
import { readStream } from '@homeline/event-store';
import { IdempotencyStore, SERVICE_CONFIG, ZodPipe } from '@homeline/platform';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { callStreamId, updateCall } from '../application/call-stream';
import { toCallView, type CallView } from '../application/call-view';
import { CallError } from '../domain';
import { callTimeouts, type CallsConfig } from '../config';

const placeCallSchema = z.object({
  deviceId: z.string().min(1),
  /** A contact name ("Mom") or a dial string ("+1 555 010 9999", "911"). */
  target: z.string().trim().min(1).max(64),
  voice: voiceAssertionSchema,
});
type PlaceCall = z.infer<typeof placeCallSchema>;

@ApiTags('calls')
@Controller('v1/calls')
export class CallsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    @Inject(SERVICE_CONFIG) private readonly config: CallsConfig,
  ) {}

  /** Places an outbound call; 202 with the call id, whose progress GET /v1/calls/:id shows. */
  @Post()
  async place(
    @Body(new ZodPipe(placeCallSchema)) body: PlaceCall,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ callId: string; status: string }> {
    const result = await this.idempotency.once('calls.place', key, body, async (tx) => {
      const callId = randomUUID();
      const command = { type: 'RequestCall', callId, now: new Date().toISOString(), ...body } as const;
      const run = (manager: typeof tx) => updateCall(manager, callId, () => [command], callTimeouts(this.config));
      const { state } = tx.queryRunner ? await run(tx) : await this.dataSource.transaction(run);
      return { status: 202, body: { callId, status: state.status } };
    });
    response.status(result.status);
    return result.body;
  }

  @Get(':callId')
  async get(@Param('callId') callId: string): Promise<CallView> {
    const { events } = await readStream(this.dataSource.manager, callStreamId(callId));
    const view = toCallView(callId, events as unknown as Parameters<typeof toCallView>[1]);
    if (!view) throw new CallError('call_not_found', `no call ${callId}`);
    return view;
  }

  /** The caller hangs up: a connected call ends, a call still being set up is cancelled. */
  @Post(':callId/hangup')
  @HttpCode(200)
  async hangUp(@Param('callId') callId: string): Promise<CallView> {
    await this.dataSource.transaction((manager) =>
      updateCall(manager, callId, () => [{ type: 'HangUp', callId, by: 'caller', now: new Date().toISOString() }], callTimeouts(this.config)),
    );
    return this.get(callId);
  }
}
