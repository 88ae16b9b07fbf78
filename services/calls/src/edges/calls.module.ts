import { Module } from '@nestjs/common';
import { OutboxRelayHost, SERVICE_CONFIG } from '@homeline/platform';
import { CallWrites } from '../application/call-writes';
import { callTimeouts, type CallsConfig } from '../config';
import { CallSetupConsumer } from './call-setup.consumer';
import { CallsController } from './calls.controller';
import { DeadlineScheduler } from './deadline-scheduler';
import { ExpirySweeper } from './expiry-sweeper';
import { SqlDeadlineStore } from './deadline-store';
import { KnownDevices } from './known-devices';

@Module({
  controllers: [CallsController],
  providers: [
    SqlDeadlineStore,
    KnownDevices,
    {
      provide: CallWrites,
      useFactory: (config: CallsConfig, deadlines: SqlDeadlineStore) => new CallWrites(callTimeouts(config), deadlines),
      inject: [SERVICE_CONFIG, SqlDeadlineStore],
    },
    CallSetupConsumer,
    DeadlineScheduler,
    ExpirySweeper,
    OutboxRelayHost,
  ],
})
export class CallsModule {}
