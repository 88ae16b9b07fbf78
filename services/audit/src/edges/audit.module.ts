import { randomUUID } from 'node:crypto';
import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { Compliance } from '../application/compliance';
import { Integrator } from '../application/integrator';
import type { AuditStore, Clock, IdSource } from '../application/ports';
import { Proofs } from '../application/proofs';
import { RecordEntries } from '../application/record-entries';
import { SelfCheck } from '../application/self-check';
import { originOf, type AuditConfig } from '../config';
import { KeyEncryptionKey } from './crypto/data-keys';
import { AuditApi } from './http/audit-api';
import { AuditController } from './http/audit.controller';
import { IngestionHost } from './ingestion.host';
import { IntegrationLoop } from './integration-loop';
import { SelfCheckMonitor } from './self-check.monitor';
import { SqlAuditStore } from './sql/audit-store';
import { AuditKeyCache } from './sql/key-cache';
import { AUDIT_STORE } from './tokens';

const clock: Clock = { now: () => new Date() };
const ids: IdSource = { uuid: () => randomUUID() };

/** Refuses to start with a KEK other than the one that wrapped the stored data keys. */
@Injectable()
class KekCheck implements OnApplicationBootstrap {
  constructor(private readonly dataSource: DataSource, private readonly kek: KeyEncryptionKey) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows: Array<{ kek_id: string }> = await this.dataSource.query(`SELECT DISTINCT kek_id FROM audit_data_keys WHERE kek_id IS NOT NULL`);
    const other = rows.find((r) => r.kek_id !== this.kek.id);
    if (other) throw new Error(`AUDIT_KEK is not the key-encryption key that wrapped the stored data keys (${other.kek_id}); refusing to start`);
  }
}

@Module({
  controllers: [AuditController],
  providers: [
    { provide: KeyEncryptionKey, inject: [SERVICE_CONFIG], useFactory: (config: AuditConfig) => new KeyEncryptionKey(config.AUDIT_KEK) },
    { provide: AuditKeyCache, useFactory: () => new AuditKeyCache() },
    {
      provide: AUDIT_STORE,
      inject: [DataSource, KeyEncryptionKey, AuditKeyCache],
      useFactory: (ds: DataSource, kek: KeyEncryptionKey, cache: AuditKeyCache) => new SqlAuditStore(ds, kek, cache),
    },
    IntegrationLoop,
    { provide: RecordEntries, inject: [IntegrationLoop], useFactory: (loop: IntegrationLoop) => new RecordEntries(clock, loop) },
    {
      provide: Integrator,
      inject: [AUDIT_STORE, SERVICE_CONFIG, IntegrationLoop, Proofs],
      useFactory: (store: AuditStore, config: AuditConfig, loop: IntegrationLoop, proofs: Proofs) => {
        const integrator = new Integrator(store, {
          origin: originOf(config), signer: config.AUDIT_SIGNING_KEY, previousVerifiers: config.AUDIT_PREVIOUS_VERIFIER_KEYS, batchMax: config.AUDIT_BATCH_MAX,
          prove: (from, to) => proofs.consistency(from, to),
        });
        loop.attach(integrator);
        return integrator;
      },
    },
    { provide: Proofs, inject: [AUDIT_STORE], useFactory: (store: AuditStore) => new Proofs(store) },
    { provide: Compliance, inject: [AUDIT_STORE, RecordEntries], useFactory: (store: AuditStore, recorder: RecordEntries) => new Compliance(store, recorder, clock, ids) },
    {
      provide: SelfCheck,
      inject: [AUDIT_STORE, SERVICE_CONFIG],
      useFactory: (store: AuditStore, config: AuditConfig) => new SelfCheck(store, [config.AUDIT_SIGNING_KEY.verifier, ...config.AUDIT_PREVIOUS_VERIFIER_KEYS], originOf(config), clock),
    },
    SelfCheckMonitor,
    AuditApi,
    KekCheck,
    IngestionHost,
  ],
})
export class AuditModule {}
