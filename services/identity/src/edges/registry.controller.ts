import { Body, Controller, Delete, Get, Headers, Inject, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiIdempotencyKey, ApiSuccesses, ApiZodBody, ApiZodResponse, parseRequest, RequireToken, SERVICE_CONFIG, ZodPipe, type StoredResponse,
} from '@homeline/platform';
import type { Response } from 'express';
import { z } from 'zod';
import type { IdentityConfig } from '../config';
import { HouseholdRegistry } from '../application/household-registry';
import { HouseholdQuery } from './household.query';
import { heldForApproval } from './held-response';
import {
  addContactBody, addMemberBody, awayModeBody, changePermissionsBody, closureBody, linkDeviceBody, openAccountBody, quietHoursBody, voiceprintBody,
} from './registry.schemas';

const send = <T>(response: Response, { status, body }: StoredResponse<T>): T => {
  response.status(status);
  return body;
};

/** The household registry over HTTP: validate, hand to the registry, map the result. */
@ApiTags('accounts')
@Controller('v1/accounts')
export class RegistryController {
  private readonly voiceprintBody: ReturnType<typeof voiceprintBody>;

  constructor(
    private readonly registry: HouseholdRegistry,
    private readonly query: HouseholdQuery,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    this.voiceprintBody = voiceprintBody(config.VOICEPRINT_DIMENSIONS);
  }

  @Post()
  @ApiZodResponse(201, z.object({ accountId: z.string() }))
  @ApiZodBody(openAccountBody)
  @ApiIdempotencyKey()
  async open(
    @Body(new ZodPipe(openAccountBody)) body: z.infer<typeof openAccountBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.openAccount({ idempotencyKey: key, body }));
  }

  /** The carrier's account desk (RECOVERY_TOKEN), never the integration: closing destroys the household and frees the line. */
  @Post(':accountId/closure')
  @RequireToken('recovery')
  @ApiZodResponse(200, z.object({ accountId: z.string(), unlinkedDevices: z.array(z.string()), expiredApprovals: z.array(z.string()) }))
  @ApiZodBody(closureBody)
  @ApiIdempotencyKey()
  async close(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(closureBody)) body: z.infer<typeof closureBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.closeAccount(accountId, { idempotencyKey: key, body }));
  }

  @Get(':accountId')
  household(@Param('accountId') accountId: string) {
    return this.query.household(accountId);
  }

  @Post(':accountId/members')
  @ApiZodResponse(201, z.object({ memberId: z.string() }))
  @ApiSuccesses(heldForApproval)
  @ApiZodBody(addMemberBody)
  @ApiIdempotencyKey()
  async addMember(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(addMemberBody)) body: z.infer<typeof addMemberBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.addMember(accountId, { idempotencyKey: key, body }));
  }

  @Patch(':accountId/members/:memberId')
  @ApiSuccesses(200, heldForApproval)
  @ApiZodBody(changePermissionsBody)
  @ApiIdempotencyKey()
  async changePermissions(
    @Param('accountId') accountId: string,
    @Param('memberId') memberId: string,
    @Body(new ZodPipe(changePermissionsBody)) body: z.infer<typeof changePermissionsBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.changePermissions(accountId, memberId, { idempotencyKey: key, body }));
  }

  @Post(':accountId/members/:memberId/voiceprints')
  @ApiZodResponse(201, z.object({ voiceprintId: z.string(), memberId: z.string(), dimensions: z.number() }))
  @ApiSuccesses(heldForApproval)
  @ApiZodBody(voiceprintBody(192)) // documented at the default size; VOICEPRINT_DIMENSIONS decides
  @ApiIdempotencyKey()
  async enrollVoiceprint(
    @Param('accountId') accountId: string,
    @Param('memberId') memberId: string,
    @Body() raw: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const body = parseRequest(this.voiceprintBody, raw);
    return send(res, await this.registry.enrollVoiceprint(accountId, memberId, { idempotencyKey: key, body }));
  }

  @Delete(':accountId/members/:memberId/voiceprints/:voiceprintId')
  @ApiSuccesses(204, heldForApproval)
  @ApiIdempotencyKey()
  async removeVoiceprint(
    @Param('accountId') accountId: string,
    @Param('memberId') memberId: string,
    @Param('voiceprintId') voiceprintId: string,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.removeVoiceprint(accountId, memberId, voiceprintId, key));
  }

  @Delete(':accountId/members/:memberId')
  @ApiSuccesses(204, heldForApproval)
  @ApiIdempotencyKey()
  async removeMember(
    @Param('accountId') accountId: string,
    @Param('memberId') memberId: string,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.removeMember(accountId, memberId, key));
  }

  @Post(':accountId/devices')
  @ApiSuccesses(201, heldForApproval)
  @ApiZodBody(linkDeviceBody)
  @ApiIdempotencyKey()
  async linkDevice(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(linkDeviceBody)) body: z.infer<typeof linkDeviceBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.linkDevice(accountId, { idempotencyKey: key, body }));
  }

  @Delete(':accountId/devices/:deviceId')
  @ApiSuccesses(204, heldForApproval)
  @ApiIdempotencyKey()
  async unlinkDevice(
    @Param('accountId') accountId: string,
    @Param('deviceId') deviceId: string,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.unlinkDevice(accountId, deviceId, key));
  }

  @Post(':accountId/contacts')
  @ApiZodResponse(201, z.object({ contactId: z.string() }))
  @ApiZodBody(addContactBody)
  @ApiIdempotencyKey()
  async addContact(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(addContactBody)) body: z.infer<typeof addContactBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.addContact(accountId, { idempotencyKey: key, body }));
  }

  @Put(':accountId/away-mode')
  @ApiZodBody(awayModeBody)
  @ApiIdempotencyKey()
  async setAwayMode(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(awayModeBody)) body: z.infer<typeof awayModeBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.setAwayMode(accountId, { idempotencyKey: key, body }));
  }

  @Put(':accountId/quiet-hours')
  @ApiZodBody(quietHoursBody)
  @ApiIdempotencyKey()
  async setQuietHours(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(quietHoursBody)) body: z.infer<typeof quietHoursBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.registry.setQuietHours(accountId, { idempotencyKey: key, body }));
  }
}
