import { Module } from '@nestjs/common';
import { AuditLogController } from './audit-log.controller';
import { AuditRecorder } from './audit-recorder';

@Module({ controllers: [AuditLogController], providers: [AuditRecorder] })
export class AuditLogModule {}
