import type { Address, CallGrant, DeviceLocation, MemberRole } from '@homeline/contracts';
import type { Contact } from '../domain';
import type { EntityManager } from 'typeorm';

/** What routing knows about a household, read from its projection of identity's registry. */
export interface DirectoryAccount {
  readonly accountId: string;
  readonly msisdn: string;
  readonly country: string;
  readonly address: Address;
}

export interface DirectoryMember {
  readonly memberId: string;
  readonly accountId: string;
  readonly role: MemberRole;
  readonly grants: readonly CallGrant[];
}

export const findAccount = async (manager: EntityManager, accountId: string): Promise<DirectoryAccount | undefined> => {
  const rows: { account_id: string; msisdn: string; country: string; address: Address }[] = await manager.query(
    `SELECT account_id, msisdn, country, address FROM accounts WHERE account_id = $1`,
    [accountId],
  );
  return rows[0] && { accountId: rows[0].account_id, msisdn: rows[0].msisdn, country: rows[0].country, address: rows[0].address };
};

export const findMembers = async (manager: EntityManager, accountId: string): Promise<DirectoryMember[]> => {
  const rows: { member_id: string; account_id: string; role: MemberRole; grants: CallGrant[] }[] = await manager.query(
    `SELECT member_id, account_id, role, grants FROM members WHERE account_id = $1 ORDER BY member_id`,
    [accountId],
  );
  return rows.map((r) => ({ memberId: r.member_id, accountId: r.account_id, role: r.role, grants: r.grants }));
};

export const findDeviceLocation = async (manager: EntityManager, deviceId: string): Promise<DeviceLocation | null> => {
  const rows: { location: DeviceLocation | null }[] = await manager.query(`SELECT location FROM devices WHERE device_id = $1`, [deviceId]);
  return rows[0]?.location ?? null;
};

/** All of the account's contacts; the domain decides which of them a speaker may reach. */
export const findContacts = async (manager: EntityManager, accountId: string): Promise<Contact[]> => {
  const rows: { contact_id: string; member_id: string | null; name: string; aliases: string[]; e164: string }[] = await manager.query(
    `SELECT contact_id, member_id, name, aliases, e164 FROM contacts WHERE account_id = $1 ORDER BY contact_id`,
    [accountId],
  );
  return rows.map((r) => ({ contactId: r.contact_id, memberId: r.member_id, name: r.name, aliases: r.aliases, e164: r.e164 }));
};
