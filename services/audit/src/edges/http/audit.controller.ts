import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiZodBody, ApiZodParams, ApiZodQuery, activeTraceIds, RequireToken, ZodPipe } from '@homeline/platform';
import type { Response } from 'express';
import { z } from 'zod';
import type { Compliance, EntriesPage } from '../../application/compliance';
import { ProofError, type Proofs } from '../../application/proofs';
import type { SelfCheckReport } from '../../application/self-check';
import { AuditApi } from './audit-api';
import { consistencyQuerySchema, entriesQuerySchema, erasureBodySchema, exportQuerySchema, noQuerySchema, proofParamsSchema, proofQuerySchema, type EntriesQuery } from './audit-requests';

const b64 = (hashes: Buffer[]) => hashes.map((h) => h.toString('base64'));
const correlationId = () => activeTraceIds().traceId ?? 'untraced';

/** The routes of docs/architecture.md section 7; every one takes the compliance token only. */
@ApiTags('audit')
@RequireToken('compliance')
@Controller('v1/audit')
export class AuditController {
  private readonly compliance: Compliance;
  private readonly proofs: Proofs;

  constructor(private readonly api: AuditApi) {
    this.compliance = api.compliance;
    this.proofs = api.proofs;
  }

  /** Entries in index order, filtered; recorded as an entry before it answers. */
  @Get('entries')
  @ApiZodQuery(entriesQuerySchema)
  async entries(@Query(new ZodPipe(entriesQuerySchema)) query: EntriesQuery): Promise<EntriesPage> {
    const { limit, cursor, ...filters } = query;
    // Swapped bounds would answer "nothing happened" for a window that holds the whole history.
    if (filters.from !== undefined && filters.to !== undefined && Date.parse(filters.from) > Date.parse(filters.to)) {
      throw new ProofError('invalid_range', `from (${filters.from}) is later than to (${filters.to})`);
    }
    await this.compliance.record({ type: 'AuditEntriesQueried', data: { filters: { ...filters, limit, ...(cursor === undefined ? {} : { cursor }) } } }, correlationId());
    return this.compliance.entries({ ...filters, after: cursor }, limit);
  }

  @Get('checkpoint')
  async checkpoint(@Query(new ZodPipe(noQuerySchema)) _query: object, @Res() res: Response): Promise<void> {
    res.type('text/plain; charset=utf-8').send(await this.api.latestNote());
  }

  @Get('entries/:index/proof')
  @ApiZodParams(proofParamsSchema)
  @ApiZodQuery(proofQuerySchema)
  async proof(@Param(new ZodPipe(proofParamsSchema)) params: { index: number }, @Query(new ZodPipe(proofQuerySchema)) query: { treeSize: number }) {
    const proof = await this.proofs.inclusion(params.index, query.treeSize);
    return { index: proof.index, treeSize: proof.treeSize, leafHash: proof.leafHash.toString('base64'), hashes: b64(proof.hashes) };
  }

  @Get('consistency')
  @ApiZodQuery(consistencyQuerySchema)
  async consistency(@Query(new ZodPipe(consistencyQuerySchema)) query: { from: number; to: number }) {
    return { from: query.from, to: query.to, hashes: b64(await this.proofs.consistency(query.from, query.to)) };
  }

  /** NDJSON, a line per entry: {index, leaf (base64), entry}; `entry` is the leaf's JSON, personal data still sealed. */
  @Get('export')
  @ApiZodQuery(exportQuerySchema)
  async export(@Query(new ZodPipe(exportQuerySchema)) query: { from?: number; to?: number }, @Res() res: Response): Promise<void> {
    const { from, to } = await this.api.exportRange(query.from, query.to);
    await this.compliance.record({ type: 'AuditExportServed', data: { from, to } }, correlationId());
    res.status(200).type('application/x-ndjson');
    for await (const chunk of this.api.exportLines(from, to)) {
      // A client gone mid-export never drains: stop reading pages for it, instead of waiting for ever.
      if (!res.write(chunk) && !(await drainedOrClosed(res))) return;
    }
    res.end();
  }

  @Post('erasures')
  @HttpCode(201)
  @ApiZodBody(erasureBodySchema)
  async erase(@Body(new ZodPipe(erasureBodySchema)) body: z.infer<typeof erasureBodySchema>) {
    await this.compliance.erase(body.accountId, body.reason, correlationId(), body.force ?? false);
    return { accountId: body.accountId, erased: true };
  }

  /** The service's own consistency check, run now (also run every AUDIT_SELF_CHECK_INTERVAL_MS; see /metrics). */
  @Get('self-check')
  async selfCheck(@Query(new ZodPipe(noQuerySchema)) _query: object): Promise<SelfCheckReport> {
    const report = await this.api.selfCheck();
    await this.compliance.record({ type: 'AuditSelfCheckRun', data: { treeSize: report.treeSize, ok: report.ok } }, correlationId());
    return report;
  }
}

/** Resolves true when the response can take more, false when its connection closed first. */
const drainedOrClosed = (res: Response): Promise<boolean> =>
  res.destroyed ? Promise.resolve(false) : new Promise((resolve) => {
    const drained = () => {
      res.off('close', closed);
      resolve(true);
    };
    const closed = () => {
      res.off('drain', drained);
      resolve(false);
    };
    res.once('drain', drained);
    res.once('close', closed);
  });
