import { latestByKey, type IntegrationEvent } from '@homeline/contracts';
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
 * the consumer's unit of work. Registry events are rare next to call events: a statement each,
 * after the batch is folded to one event per account and per device. The statements of a unit of
 * work run as one, on one snapshot, so two of them on one row would not see each other (an unlink
 * after a link in the same batch would delete nothing, and two links fail the batch).
 *
 * Per device, the latest event (by occurredAt) is the one that counts, in a batch and across
 * batches: identity keys its events by account, so a device moved from household A to B has its
 * unlink from A and its link to B on different partitions, read in either order. An older link
 * never overwrites a newer one, and an unlink removes the device only from the account it names.
 * identity appends the unlink before the link it allows, so their times are in that order.
 */
export class KnownDevices {
  projections(events: readonly RegistryEvent[]): Companion[] {
    const accounts = new Map<string, IntegrationEvent<'AccountOpened'>>();
    const deviceEvents: IntegrationEvent<'DeviceLinked' | 'DeviceUnlinked'>[] = [];
    for (const event of events) {
      if (event.type === 'AccountOpened') accounts.set(event.data.accountId, event);
      else deviceEvents.push(event);
    }
    const devices = latestByKey(deviceEvents, (event) => event.data.deviceId);
    return [...accounts.values(), ...devices.values()].map((event) => this.projection(event));
  }

  private projection(event: RegistryEvent): Companion {
    switch (event.type) {
      case 'AccountOpened':
        return {
          sql: `INSERT INTO known_accounts (account_id, country) VALUES ($1, $2) ON CONFLICT (account_id) DO UPDATE SET country = excluded.country`,
          params: [event.data.accountId, event.data.address.country.toUpperCase()],
        };
      case 'DeviceLinked':
        return {
          sql: `INSERT INTO known_devices (device_id, account_id, public_key, linked_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (device_id) DO UPDATE SET account_id = excluded.account_id, public_key = excluded.public_key, linked_at = excluded.linked_at
                WHERE known_devices.linked_at IS NULL OR known_devices.linked_at <= excluded.linked_at`,
          params: [event.data.deviceId, event.data.accountId, event.data.publicKey, event.occurredAt],
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
