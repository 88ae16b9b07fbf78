import type { IntegrationEvent } from '@homeline/contracts';
import type { EntityManager } from 'typeorm';
import type { HouseholdDirectory, RegistryEventType, RegistryRun } from './ports';

export type RegistryEvent = IntegrationEvent<RegistryEventType>;

/** The row each event writes; two events of one run with the same key write the same row, and the later wins. */
const keyOf = (event: RegistryEvent): string => {
  switch (event.type) {
    case 'AccountOpened':
    case 'AccountClosed':
      return event.data.accountId;
    case 'MemberAdded':
    case 'MemberPermissionsChanged':
    case 'MemberRemoved':
      return event.data.memberId;
    case 'DeviceLinked':
      return event.data.deviceId;
    case 'DeviceUnlinked':
      return `${event.data.accountId}/${event.data.deviceId}`;
    case 'ContactAdded':
      return event.data.contactId;
    case 'AwayModeChanged':
    case 'QuietHoursChanged':
      return event.data.accountId; // each carries the account's whole setting: the later replaces the earlier
    default: {
      const unknown: never = event;
      throw new Error(`not a registry event: ${(unknown as RegistryEvent).type}`);
    }
  }
};

/**
 * Consecutive events of one type become one write, so a bulk import costs a statement, not a
 * statement per event; the order between types is kept (a member is added before its
 * permissions change). Within a run, the last event per row wins, as applying them in turn would;
 * but of two links of one device, the later to occur: identity keys its events by account, so a
 * device moved between households has its links on two partitions, merged in either order (the
 * statement keeps an older link from overwriting a newer one across batches too).
 */
export const registryRuns = (events: readonly RegistryEvent[]): RegistryRun[] => {
  const runs: { type: RegistryEventType; rows: Map<string, unknown>; occurred: Map<string, number> }[] = [];
  for (const event of events) {
    let run = runs[runs.length - 1];
    if (run?.type !== event.type) runs.push((run = { type: event.type, rows: new Map(), occurred: new Map() }));
    const key = keyOf(event);
    const at = Date.parse(event.occurredAt);
    if (event.type === 'DeviceLinked' && at < (run.occurred.get(key) ?? -Infinity)) continue;
    run.rows.set(key, { ...event.data, occurredAt: event.occurredAt });
    run.occurred.set(key, at);
  }
  return runs.map(({ type, rows }) => ({ type, rows: [...rows.values()] }) as RegistryRun);
};

/**
 * Routing's copy of identity's registry (accounts with their Away Mode, quiet hours and time zone,
 * members, devices, contacts with their sensitive flag), kept from
 * identity's events. Every write is an upsert or a delete, so applying an event again leaves the
 * same rows (the inbox already stops a second delivery; this keeps a rebuild safe too).
 */
export class RegistryProjection {
  constructor(private readonly directory: HouseholdDirectory) {}

  async apply(tx: EntityManager, events: readonly RegistryEvent[]): Promise<void> {
    for (const run of registryRuns(events)) await this.directory.apply(tx, run);
  }
}
