import { Controller, Headers, HttpCode, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOperation } from '@nestjs/swagger';
import { ApiZodBody, parseRequest, Public, SERVICE_CONFIG } from '@homeline/platform';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { carrierSignatureHeader, verifyCarrierSignature } from '../carrier/carrier-signature';
import type { RoutingConfig } from '../config';
import { RoutingMetrics } from '../messaging/routing-metrics';
import { applyCarrierStatus } from './apply-carrier-status';
import { carrierStatusSchema, InvalidCarrierSignature, UnknownCarrierLeg } from './carrier-status.schema';

/** The carrier's status webhook. Authenticated by the carrier's HMAC signature over the raw body, not by the bearer token. */
@Public()
@Controller('v1/carrier')
export class CarrierStatusController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: RoutingConfig,
    private readonly metrics: RoutingMetrics,
  ) {}

  @Post('status')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Carrier leg status callback',
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
    const rawBody = request.rawBody?.toString('utf8') ?? '';
    const check = verifyCarrierSignature(
      this.config.CARRIER_WEBHOOK_SECRET,
      signature,
      rawBody,
      Math.floor(Date.now() / 1000),
    );
    if (!check.ok) throw new InvalidCarrierSignature(check.reason);
    const callback = parseRequest(carrierStatusSchema, request.body);
    const outcome = await applyCarrierStatus(this.dataSource, callback);
    this.metrics.callbacks.inc({ outcome });
    if (outcome === 'unknown_leg') throw new UnknownCarrierLeg(callback.legId);
    // 'duplicate' answers 204 too: the carrier must stop retrying a callback we already hold.
  }
}
