import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { eventStoreMigrations } from '@homeline/event-store';
import { AuditLog1764000000000 } from './audit-log/audit-log.migration';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuditConfig, auditConfigSchema } from './config';

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
          migrations: [...eventStoreMigrations, AuditLog1764000000000],
        }),
        AuditLogModule,
      ],
    };
  }
}

export const auditService: ServiceDefinition<AuditConfig> = {
  name: 'audit',
  configSchema: auditConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
