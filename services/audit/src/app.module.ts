import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { AuditConfig, auditConfigSchema } from './config';
import { AuditModule } from './edges/audit.module';
import { AuditTransparencyLog1765000000000 } from './edges/sql/audit-log.migration';
import { AuditDeviceLinks1765300000000 } from './edges/sql/audit-device-links.migration';
import { AuditLog1764000000000 } from './edges/sql/audit-log-v0.migration';
import { AuditEntryMentions1765600000000 } from './edges/sql/audit-mentions.migration';
import { AuditLinkHistory1766000000200 } from './edges/sql/audit-link-history.migration';
import { AuditUnfiledCalls1766000000300 } from './edges/sql/audit-unfiled-calls.migration';

@Module({})
export class AppModule {
  static forRoot(config: AuditConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'audit',
          config,
          tokens: { integration: config.INTEGRATION_TOKEN, compliance: config.COMPLIANCE_TOKEN },
          problemStatus: { no_checkpoint: 503 },
          migrations: [AuditLog1764000000000, AuditTransparencyLog1765000000000, AuditDeviceLinks1765300000000, AuditEntryMentions1765600000000, AuditLinkHistory1766000000200,
            AuditUnfiledCalls1766000000300],
        }),
        AuditModule,
      ],
    };
  }
}

export const auditService: ServiceDefinition<AuditConfig> = {
  name: 'audit',
  configSchema: auditConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
