import { Body, Controller, Delete, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiIdempotencyKey, ApiSuccesses, ApiZodBody, RequireToken, ZodPipe, type StoredResponse } from '@homeline/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { StepUpApprovals } from '../application/step-up-approvals';
import { ApprovalQuery } from './approval.query';
import { decideApprovalBody, recoveryBody, registerApproverBody } from './registry.schemas';
import { heldForApproval } from './held-response';

const send = <T>(response: Response, { status, body }: StoredResponse<T>): T => {
  response.status(status);
  return body;
};

/** Step-up approval over HTTP (docs/architecture.md section 6.2): validate, hand to the use case, map the result. */
@ApiTags('approvals')
@Controller('v1/accounts/:accountId')
export class ApprovalsController {
  constructor(
    private readonly approvals: StepUpApprovals,
    private readonly query: ApprovalQuery,
  ) {}

  @Post('members/:memberId/approvers')
  @ApiSuccesses(201, heldForApproval)
  @ApiZodBody(registerApproverBody)
  @ApiIdempotencyKey()
  async registerApprover(
    @Param('accountId') accountId: string,
    @Param('memberId') memberId: string,
    @Body(new ZodPipe(registerApproverBody)) body: z.infer<typeof registerApproverBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.approvals.registerApprover(accountId, memberId, { idempotencyKey: key, body }));
  }

  @Delete('approvers/:approverId')
  @ApiSuccesses(204, heldForApproval)
  @ApiIdempotencyKey()
  async removeApprover(
    @Param('accountId') accountId: string,
    @Param('approverId') approverId: string,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.approvals.removeApprover(accountId, approverId, key));
  }

  /** The carrier's account recovery: its own token (RECOVERY_TOKEN), not the integration's. */
  @Post('approvers/recovery')
  @RequireToken('recovery')
  @ApiSuccesses(200)
  @ApiZodBody(recoveryBody)
  @ApiIdempotencyKey()
  async recover(
    @Param('accountId') accountId: string,
    @Body(new ZodPipe(recoveryBody)) body: z.infer<typeof recoveryBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.approvals.recover(accountId, { idempotencyKey: key, body }));
  }

  @Post('approvals/:approvalId')
  @ApiSuccesses(200)
  @ApiZodBody(decideApprovalBody)
  @ApiIdempotencyKey()
  async decide(
    @Param('accountId') accountId: string,
    @Param('approvalId') approvalId: string,
    @Body(new ZodPipe(decideApprovalBody)) body: z.infer<typeof decideApprovalBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.approvals.decide(accountId, approvalId, { idempotencyKey: key, body }));
  }

  @Get('approvals/:approvalId')
  approval(@Param('accountId') accountId: string, @Param('approvalId') approvalId: string) {
    return this.query.approval(accountId, approvalId);
  }
}
