import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
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
          migrations: [],
        }),
        // The audit feature modules go here.
      ],
    };
  }
}

export const auditService: ServiceDefinition<AuditConfig> = {
  name: 'audit',
  configSchema: auditConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
