import { Controller, Headers, HttpCode, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOperation } from '@nestjs/swagger';
import type { Clock } from '@homeline/event-store';
import { ApiZodBody, CLOCK, parseRequest, Public, SERVICE_CONFIG } from '@homeline/platform';
import type { Request } from 'express';
import type { RoutingConfig } from '../config';
import { CarrierCallInUse, carrierInboundSchema, UnknownLine } from './carrier-inbound.schema';
import { carrierSignatureHeader } from './carrier-signature';
import { authenticateCarrier } from './carrier-webhook';
import { RoutingApplication } from './routing.composition';
import { RoutingMetrics } from './routing-metrics';

/** The carrier offers a call to an account's line (docs/architecture.md section 6.1). Signed like the status webhook. */
@Public()
@Controller('v1/carrier')
export class CarrierInboundController {
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
}
