import type { IntegrationEvent } from '@homeline/contracts';
import type { EntityManager } from 'typeorm';

/** The identity events routing keeps a projection of. */
export const directoryEventTypes = [
  'AccountOpened',
  'MemberAdded',
  'MemberPermissionsChanged',
  'DeviceLinked',
  'DeviceUnlinked',
  'ContactAdded',
] as const;

/**
 * Applies one identity event to routing's own copy of the registry. Every statement is an
 * upsert or a delete, so replaying an event leaves the same rows (the inbox already stops a
 * second delivery; this keeps a projection rebuild safe too).
 */
export const projectIdentityEvent = async (manager: EntityManager, event: IntegrationEvent): Promise<void> => {
  switch (event.type) {
    case 'AccountOpened': {
      const { accountId, msisdn, timezone, address } = event.data;
      await manager.query(
        `INSERT INTO accounts (account_id, msisdn, country, timezone, address) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id) DO UPDATE SET msisdn = $2, country = $3, timezone = $4, address = $5`,
        [accountId, msisdn, address.country.toUpperCase(), timezone, JSON.stringify(address)],
      );
      return;
    }
    case 'MemberAdded': {
      const { accountId, memberId, name, role, grants } = event.data;
      await manager.query(
        `INSERT INTO members (member_id, account_id, name, role, grants) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (member_id) DO UPDATE SET name = $3, role = $4, grants = $5`,
        [memberId, accountId, name, role, grants],
      );
      return;
    }
    case 'MemberPermissionsChanged': {
      const { memberId, role, grants } = event.data;
      await manager.query(`UPDATE members SET role = $2, grants = $3 WHERE member_id = $1`, [memberId, role, grants]);
      return;
    }
    case 'DeviceLinked': {
      const { accountId, deviceId, name, location } = event.data;
      await manager.query(
        `INSERT INTO devices (device_id, account_id, name, location) VALUES ($1, $2, $3, $4)
         ON CONFLICT (device_id) DO UPDATE SET account_id = $2, name = $3, location = $4`,
        [deviceId, accountId, name, location ? JSON.stringify(location) : null],
      );
      return;
    }
    case 'DeviceUnlinked':
      await manager.query(`DELETE FROM devices WHERE device_id = $1 AND account_id = $2`, [
        event.data.deviceId,
        event.data.accountId,
      ]);
      return;
    case 'ContactAdded': {
      const { accountId, contactId, memberId, name, aliases, e164 } = event.data;
      await manager.query(
        `INSERT INTO contacts (contact_id, account_id, member_id, name, aliases, e164) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (contact_id) DO UPDATE SET member_id = $3, name = $4, aliases = $5, e164 = $6`,
        [contactId, accountId, memberId, name, aliases, e164],
      );
      return;
    }
    default:
      return; // other identity events say nothing routing needs
  }
};
