import { ErrorCode } from '../protocol/errors';
import { Group } from './group';
import { JoinRequest } from './member';

const join = (memberId = '', overrides: Partial<JoinRequest> = {}): JoinRequest => ({
  memberId,
  groupInstanceId: null,
  clientId: 'c',
  clientHost: '/127.0.0.1',
  sessionTimeoutMs: 1000,
  rebalanceTimeoutMs: 5000,
  protocolType: 'consumer',
  protocols: [{ name: 'roundrobin', metadata: Buffer.from('m') }],
  ...overrides,
});

function newGroup(initialDelay = 0) {
  const events = { rebalances: 0, removed: [] as string[] };
  const group = new Group('g', { initialRebalanceDelayMs: initialDelay, minSessionTimeoutMs: 100, maxSessionTimeoutMs: 1_800_000 }, {
    rebalanceStarted: () => undefined,
    rebalanceCompleted: () => void events.rebalances++,
    memberRemoved: (_g, _m, reason) => void events.removed.push(reason),
  });
  return { group, events };
}

describe('a consumer group', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('makes its first member the leader of generation 1 and hands out the leader\'s assignment', async () => {
    const { group } = newGroup();
    const joined = await group.join(join());
    expect(joined).toMatchObject({ error: ErrorCode.NONE, generation: 1, protocolName: 'roundrobin', leaderId: joined.memberId });
    expect(joined.members).toHaveLength(1);
    const synced = await group.sync(joined.memberId, 1, new Map([[joined.memberId, Buffer.from('p0')]]));
    expect(synced).toEqual({ error: ErrorCode.NONE, assignment: Buffer.from('p0') });
    expect(group.state).toBe('Stable');
  });

  it('waits the initial rebalance delay so that members starting together join one generation', async () => {
    const { group } = newGroup(3000);
    const a = group.join(join());
    const b = group.join(join());
    jest.advanceTimersByTime(3000);
    const [ja, jb] = await Promise.all([a, b]);
    expect(ja.generation).toBe(1);
    expect(jb.generation).toBe(1);
  });

  it('tells existing members to rejoin through their heartbeat when a member joins', async () => {
    const { group, events } = newGroup();
    const first = await group.join(join());
    await group.sync(first.memberId, 1, new Map());
    const second = group.join(join());
    expect(group.heartbeat(first.memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await group.join(join(first.memberId));
    const newcomer = await second;
    expect(rejoined.generation).toBe(2);
    expect(newcomer.generation).toBe(2);
    expect(rejoined.members.length + newcomer.members.length).toBe(2); // only the leader sees the members
    expect(events.rebalances).toBe(2);
  });

  it('refuses a stale generation and an unknown member', async () => {
    const { group } = newGroup();
    const m = await group.join(join());
    await group.sync(m.memberId, 1, new Map());
    expect(group.heartbeat(m.memberId, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await group.sync(m.memberId, 0, new Map())).toMatchObject({ error: ErrorCode.ILLEGAL_GENERATION });
    expect(group.checkCommit(m.memberId, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(group.heartbeat('stranger', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(group.checkCommit('stranger', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a member whose session times out and rebalances the rest', async () => {
    const { group, events } = newGroup();
    const a = await group.join(join());
    const bJoin = group.join(join('', { sessionTimeoutMs: 500 }));
    await group.join(join(a.memberId));
    const b = await bJoin;
    await Promise.all([group.sync(a.memberId, 2, new Map()), group.sync(b.memberId, 2, new Map())]);
    jest.advanceTimersByTime(400);
    expect(group.heartbeat(a.memberId, 2)).toBe(ErrorCode.NONE);
    jest.advanceTimersByTime(200); // b missed its 500 ms session
    expect(events.removed).toEqual([expect.stringMatching(/session timeout/)]);
    expect(group.heartbeat(a.memberId, 2)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const again = await group.join(join(a.memberId));
    expect(again).toMatchObject({ generation: 3, leaderId: a.memberId });
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const { group } = newGroup();
    const a = await group.join(join('', { sessionTimeoutMs: 60_000 }));
    await group.sync(a.memberId, 1, new Map());
    const b = group.join(join('', { sessionTimeoutMs: 60_000 }));
    jest.advanceTimersByTime(5000);
    expect(await b).toMatchObject({ error: ErrorCode.NONE, generation: 2, members: [expect.anything()] });
    expect(group.members.has(a.memberId)).toBe(false);
  });

  it('answers a pending sync with REBALANCE_IN_PROGRESS when a new rebalance starts', async () => {
    const { group } = newGroup();
    const a = await group.join(join());
    const bJoin = group.join(join());
    await group.join(join(a.memberId));
    const b = await bJoin;
    const follower = b.memberId === group.leaderId ? a : b;
    const pending = group.sync(follower.memberId, 2, new Map());
    group.join(join());
    expect(await pending).toMatchObject({ error: ErrorCode.REBALANCE_IN_PROGRESS });
  });

  it('returns to Empty when its last member leaves, and then accepts simple commits', async () => {
    const { group } = newGroup();
    const a = await group.join(join());
    await group.sync(a.memberId, 1, new Map());
    expect(group.leave(a.memberId)).toBe(ErrorCode.NONE);
    expect(group.state).toBe('Empty');
    expect(group.checkCommit('', -1)).toBe(ErrorCode.NONE);
  });

  it('refuses a member whose protocols share nothing with the group', async () => {
    const { group } = newGroup();
    await group.join(join());
    const other = await group.join(join('', { protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }));
    expect(other.error).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});
