import type { IntegrationEvent } from '@homeline/contracts';
import { rawQuery, type Companion } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import type { KnownDevice } from '../domain';

/** identity's registry events calls keeps a projection of, to recognise emergency calls alone. */
export const registryEventTypes = ['AccountOpened', 'DeviceLinked', 'DeviceUnlinked'] as const;
export type RegistryEvent = IntegrationEvent<(typeof registryEventTypes)[number]>;

export const isRegistryEvent = (event: IntegrationEvent): event is RegistryEvent =>
  (registryEventTypes as readonly string[]).includes(event.type);

/**
 * Linked devices and their accounts' countries (tables known_accounts, known_devices), written in
 * the consumer's unit of work. Registry events are rare next to call events: a statement each.
 */
export class KnownDevices {
  projection(event: RegistryEvent): Companion {
    switch (event.type) {
      case 'AccountOpened':
        return {
          sql: `INSERT INTO known_accounts (account_id, country) VALUES ($1, $2) ON CONFLICT (account_id) DO UPDATE SET country = excluded.country`,
          params: [event.data.accountId, event.data.address.country.toUpperCase()],
        };
      case 'DeviceLinked':
        return {
          sql: `INSERT INTO known_devices (device_id, account_id, public_key) VALUES ($1, $2, $3)
                ON CONFLICT (device_id) DO UPDATE SET account_id = excluded.account_id, public_key = excluded.public_key`,
          params: [event.data.deviceId, event.data.accountId, event.data.publicKey],
        };
      case 'DeviceUnlinked':
        return { sql: `DELETE FROM known_devices WHERE device_id = $1 AND account_id = $2`, params: [event.data.deviceId, event.data.accountId] };
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  }

  async find(db: DataSource, deviceId: string): Promise<KnownDevice | null> {
    const [row] = await rawQuery<{ account_id: string; country: string; public_key: string }>(
      db.manager,
      'calls_known_device_v1',
      `SELECT d.account_id, a.country, d.public_key FROM known_devices d JOIN known_accounts a USING (account_id) WHERE d.device_id = $1`,
      [deviceId],
    );
    return row ? { deviceId, accountId: row.account_id, country: row.country, publicKey: row.public_key } : null;
  }
}
