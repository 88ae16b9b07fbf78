import { Module } from '@nestjs/common';
import { OutboxRelayHost } from '@homeline/platform';
import { CallSetupConsumer } from './call-setup.consumer';
import { CallsController } from './calls.controller';
import { DeadlineScheduler } from './deadline-scheduler';

@Module({ controllers: [CallsController], providers: [CallSetupConsumer, DeadlineScheduler, OutboxRelayHost] })
export class CallsModule {}
