import { Module } from '@nestjs/common';
import { IdentityOutbox } from './identity-outbox';

/** The outbox relay: every event identity appends reaches its topic after the append commits. */
@Module({ providers: [IdentityOutbox] })
export class MessagingModule {}
