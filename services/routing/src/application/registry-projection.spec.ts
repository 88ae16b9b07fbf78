import type { EventData, EventType, IntegrationEvent } from '@homeline/contracts';
import { registryRuns, type RegistryEvent } from './registry-projection';

let version = 0;
const at = '2026-11-24T18:00:00.000Z';
const event = <T extends EventType>(type: T, data: EventData<T>, occurredAt = at): RegistryEvent =>
  ({
    id: `00000000-0000-4000-8000-${String(++version).padStart(12, '0')}`,
    type,
    source: 'identity',
    streamId: 'account-acc-1',
    streamVersion: version,
    occurredAt,
    correlationId: 'acc-1',
    causationId: null,
    accountId: 'acc-1',
    data,
  }) as IntegrationEvent as RegistryEvent;

const contact = (contactId: string, name: string) =>
  event('ContactAdded', { accountId: 'acc-1', contactId, name, aliases: [], e164: '+15550100001', memberId: null });
const linked = (deviceId: string, name: string) =>
  event('DeviceLinked', { accountId: 'acc-1', deviceId, name, publicKey: 'AAAA', location: null });

describe("a batch of identity's registry events", () => {
  it('becomes one write per run of one type, in the order the runs came', () =>
    expect(
      registryRuns([contact('c1', 'Mom'), contact('c2', 'Dad'), linked('d1', 'Kitchen'), contact('c3', 'Nana')]).map(
        (run) => [run.type, run.rows.length],
      ),
    ).toEqual([
      ['ContactAdded', 2],
      ['DeviceLinked', 1],
      ['ContactAdded', 1],
    ]));

  it('keeps the later of two events for one row within a run, as applying them in turn would', () =>
    expect(registryRuns([linked('d1', 'Kitchen'), linked('d2', 'Hall'), linked('d1', 'Attic')])).toEqual([
      {
        type: 'DeviceLinked',
        rows: [
          { accountId: 'acc-1', deviceId: 'd1', name: 'Attic', publicKey: 'AAAA', location: null, occurredAt: at },
          { accountId: 'acc-1', deviceId: 'd2', name: 'Hall', publicKey: 'AAAA', location: null, occurredAt: at },
        ],
      },
    ]));

  it('keeps a member added and then changed as two writes, the change after the addition', () => {
    const added = event('MemberAdded', { accountId: 'acc-1', memberId: 'm1', name: 'Bart', role: 'child', grants: [] });
    const changed = event('MemberPermissionsChanged', {
      accountId: 'acc-1',
      memberId: 'm1',
      role: 'adult',
      overrides: { grant: [], revoke: [] },
      grants: ['domestic'],
    });
    expect(registryRuns([added, changed]).map((run) => run.type)).toEqual(['MemberAdded', 'MemberPermissionsChanged']);
  });

  it("keeps the last of an account's Away Mode and quiet-hours changes, each a whole setting", () =>
    expect(
      registryRuns([
        event('AwayModeChanged', { accountId: 'acc-1', enabled: true, until: null }),
        event('AwayModeChanged', { accountId: 'acc-1', enabled: false, until: null }),
        event('QuietHoursChanged', { accountId: 'acc-1', windows: [{ start: '22:00', end: '07:00' }] }),
      ]),
    ).toEqual([
      { type: 'AwayModeChanged', rows: [{ accountId: 'acc-1', enabled: false, until: null, occurredAt: at }] },
      { type: 'QuietHoursChanged', rows: [{ accountId: 'acc-1', windows: [{ start: '22:00', end: '07:00' }], occurredAt: at }] },
    ]));

  it('of two links of one device to two households, keeps the later to occur, in whichever order the batch holds them', () => {
    // Linked to acc-1, then (after an unlink on acc-1's stream) to acc-2: two partitions, merged in either order.
    const first = event('DeviceLinked', { accountId: 'acc-1', deviceId: 'd1', name: 'Kitchen', publicKey: 'AAAA', location: null }, '2026-11-24T18:00:00.000Z');
    const moved = event('DeviceLinked', { accountId: 'acc-2', deviceId: 'd1', name: 'Den', publicKey: 'AAAA', location: null }, '2026-11-24T18:05:00.000Z');
    for (const batch of [[first, moved], [moved, first]]) {
      expect(registryRuns(batch)).toEqual([{ type: 'DeviceLinked', rows: [expect.objectContaining({ accountId: 'acc-2', name: 'Den' })] }]);
    }
  });
});
