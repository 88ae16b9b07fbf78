import { Module } from '@nestjs/common';
import { ExpirySweeper } from './expiry-sweeper';
import { RegistryModule } from './registry.module';
import { VerificationModule } from './verification.module';

/** The periodic sweep of what expires: approvals nobody answered, burnt nonces, Idempotency-Keys. */
@Module({ imports: [RegistryModule, VerificationModule], providers: [ExpirySweeper], exports: [ExpirySweeper] })
export class ExpiryModule {}
