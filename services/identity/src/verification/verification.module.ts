import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module';
import { VerificationConsumer } from './verification.consumer';

/** Speaker verification: answers CallRequested from the calls topic. */
@Module({
  imports: [RegistryModule],
  providers: [VerificationConsumer],
})
export class VerificationModule {}
