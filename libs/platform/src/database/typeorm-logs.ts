import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';

/** TypeORM's messages through the service's logger (JSON lines), not its own console output. */
export class TypeOrmLogs implements Logger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {
    // Every query would drown the logs; slow and failing ones are logged below.
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.error({ msg: 'query failed', error: error instanceof Error ? error.message : error, query });
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ msg: 'slow query', durationMs: time, query });
  }

  /** With synchronize off, TypeORM reports migration progress here. */
  logSchemaBuild(message: string): void {
    if (/executed successfully/.test(message)) this.logger.log(message);
    else this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
    else this.logger.log(message);
  }
}
