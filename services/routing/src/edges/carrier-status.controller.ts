import { Controller, Headers, HttpCode, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOperation } from '@nestjs/swagger';
import type { Clock } from '@homeline/event-store';
import { ApiZodBody, CLOCK, parseRequest, Public, SERVICE_CONFIG } from '@homeline/platform';
import type { Request } from 'express';
import type { RoutingConfig } from '../config';
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

/** The carrier's status webhook. Authenticated by the carrier's HMAC signature over the raw body, not by the bearer token. */
@Public()
@Controller('v1/carrier')
export class CarrierStatusController {
  constructor(
    private readonly routing: RoutingApplication,
    @Inject(SERVICE_CONFIG) private readonly config: RoutingConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: RoutingMetrics,
  ) {}

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
