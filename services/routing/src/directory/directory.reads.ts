import type { Address, CallGrant, DeviceLocation, MemberRole } from '@homeline/contracts';
import type { EntityManager } from 'typeorm';
import type { Contact } from '../domain';

/** What routing knows about a household, read from its projection of identity's registry. */
export interface Household {
  readonly accountId: string;
  readonly msisdn: string;
  readonly country: string;
  readonly address: Address;
  readonly members: readonly HouseholdMember[];
  /** All of the account's contacts; the domain decides which of them a speaker may reach. */
  readonly contacts: readonly Contact[];
  /** Where the calling device stands (null when unknown or not this account's device). */
  readonly deviceLocation: DeviceLocation | null;
}

export interface HouseholdMember {
  readonly memberId: string;
  readonly role: MemberRole;
  readonly grants: readonly CallGrant[];
}

// One round trip for everything a routing decision reads.
const householdSql = `
SELECT a.account_id AS "accountId", a.msisdn, a.country, a.address,
  coalesce((SELECT json_agg(json_build_object('memberId', m.member_id, 'role', m.role, 'grants', m.grants) ORDER BY m.member_id)
            FROM members m WHERE m.account_id = a.account_id), '[]') AS members,
  coalesce((SELECT json_agg(json_build_object('contactId', c.contact_id, 'memberId', c.member_id, 'name', c.name,
                                              'aliases', c.aliases, 'e164', c.e164) ORDER BY c.contact_id)
            FROM contacts c WHERE c.account_id = a.account_id), '[]') AS contacts,
  (SELECT d.location FROM devices d WHERE d.device_id = $2 AND d.account_id = a.account_id) AS "deviceLocation"
FROM accounts a WHERE a.account_id = $1`;

/** The caller's household as routing's projection holds it; undefined when the account is unknown. */
export const findHousehold = async (
  manager: EntityManager,
  accountId: string,
  deviceId: string,
): Promise<Household | undefined> => {
  const rows: Household[] = await manager.query(householdSql, [accountId, deviceId]);
  return rows[0];
};
