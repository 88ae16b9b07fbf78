import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireToken, ZodPipe } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { auditQuerySchema, type AuditQuery } from './audit-query';
import { findAuditEntries, type AuditPage } from './audit-log.repository';

@ApiTags('audit')
@RequireToken('compliance')
@Controller('v1/audit')
export class AuditLogController {
  constructor(private readonly dataSource: DataSource) {}

  /** Entries in log order, filtered; `nextCursor` fetches the page after this one. */
  @Get('entries')
  entries(@Query(new ZodPipe(auditQuerySchema)) query: AuditQuery): Promise<AuditPage> {
    return findAuditEntries(this.dataSource.manager, query);
  }
}
