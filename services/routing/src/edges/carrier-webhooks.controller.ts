import { Controller, Headers, HttpCode, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOperation } from '@nestjs/swagger';
import type { Clock } from '@homeline/event-store';
import { ApiZodBody, ApiZodResponse, CLOCK, parseRequest, Public, SERVICE_CONFIG } from '@homeline/platform';
import type { Request } from 'express';
import { z } from 'zod';
import type { RoutingConfig } from '../config';
import { CarrierCallInUse, carrierInboundSchema, UnknownLine } from './carrier-inbound.schema';
import { carrierSignatureHeader } from './carrier-signature';
import {
  carrierStatusSchema,
  isLegCallback,
  UnknownCarrierCall,
  UnknownCarrierLeg,
} from './carrier-status.schema';
import { authenticateCarrier } from './carrier-webhook';
import { RoutingApplication } from './routing.composition';
import { RoutingMetrics } from './routing-metrics';

/**
 * The carrier's webhooks (docs/carrier-api.md): an inbound call offered (docs/architecture.md section 6.1)
 * and status callbacks. Authenticated by the carrier's HMAC signature over the raw body, not by the bearer token.
 */
@Public()
@Controller('v1/carrier')
export class CarrierWebhooksController {
  constructor(
    private readonly routing: RoutingApplication,
    @Inject(SERVICE_CONFIG) private readonly config: RoutingConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: RoutingMetrics,
  ) {}

  @Post('inbound')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Inbound call offered by the carrier: rings the household’s devices, or sends the caller to voicemail',
    description:
      'Signed by the carrier like /v1/carrier/status. Idempotent on carrierCallId: a retried webhook answers the same callId.',
    security: [],
  })
  @ApiHeader({ name: carrierSignatureHeader, required: true })
  @ApiZodBody(carrierInboundSchema)
  @ApiZodResponse(202, z.object({ callId: z.string() }), 'Accepted: the Homeline call this offer opened (the same one for a retried offer)')
  async inbound(
    @Req() request: RawBodyRequest<Request>,
    @Headers(carrierSignatureHeader) signature?: string,
  ): Promise<{ callId: string }> {
    authenticateCarrier(request, signature, this.config.CARRIER_WEBHOOK_SECRET, this.clock);
    const body = parseRequest(carrierInboundSchema, request.body);
    const outcome = await this.routing.inbound.offer({ ...body, sensitive: body.sensitive ?? false });
    this.metrics.offered(outcome);
    if (outcome.kind === 'unknown_line') throw new UnknownLine(body.to);
    if (outcome.kind === 'carrier_call_in_use') throw new CarrierCallInUse(body.carrierCallId);
    return { callId: outcome.callId };
  }

  @Post('status')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Carrier status callback: an outbound leg (legId), or an inbound call (no legId; canceled = the caller hung up)',
    description:
      'Signed by the carrier: `X-Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.rawBody">`. No bearer token.',
    security: [],
  })
  @ApiHeader({ name: carrierSignatureHeader, required: true })
  @ApiZodBody(carrierStatusSchema)
  async status(
    @Req() request: RawBodyRequest<Request>,
    @Headers(carrierSignatureHeader) signature?: string,
  ): Promise<void> {
    authenticateCarrier(request, signature, this.config.CARRIER_WEBHOOK_SECRET, this.clock);
    const callback = parseRequest(carrierStatusSchema, request.body);
    const outcome = isLegCallback(callback)
      ? await this.routing.callbacks.apply(callback)
      : await this.routing.inboundCallbacks.apply(callback);
    this.metrics.callbacks.inc({ outcome });
    if (outcome === 'unknown_leg') throw new UnknownCarrierLeg(callback.legId ?? '');
    if (outcome === 'unknown_call') throw new UnknownCarrierCall(callback.carrierCallId);
    // A duplicate or a late callback answers 204 too: the carrier must stop retrying what we already hold.
  }
}
