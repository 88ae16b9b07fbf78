import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import { ApiHandler, authorized, visible } from './context';

/** JoinGroup v0–v5. The answer is parked until the group's rebalance completes. */
export const joinGroup: ApiHandler = {
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const groupInstanceId = v >= 5 ? r.nullableString() : null;
    const protocolType = r.string();
    const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
    const denied = { error: ErrorCode.GROUP_AUTHORIZATION_FAILED, generation: -1, protocolName: '', leaderId: '', memberId, members: [] };
    const result = !authorized(ctx, req, 'Read', 'group', groupId)
      ? denied
      : groupId
      ? await ctx.groups.group(groupId).join({
          memberId,
          groupInstanceId,
          clientId: req.header.clientId ?? '',
          clientHost: req.clientHost,
          sessionTimeoutMs,
          rebalanceTimeoutMs,
          protocolType,
          protocols,
        }, v >= 4)
      : { error: ErrorCode.INVALID_GROUP_ID, generation: -1, protocolName: '', leaderId: '', memberId, members: [] };
    const w = new Writer();
    if (v >= 2) w.int32(0);
    w.int16(result.error).int32(result.generation).string(result.protocolName).string(result.leaderId).string(result.memberId);
    return w.array(result.members, (w, m) => {
      w.string(m.memberId);
      if (v >= 5) w.nullableString(m.groupInstanceId);
      w.bytes(m.metadata);
    });
  },
};

/** SyncGroup v0–v3: the leader's assignment is handed to every member. */
export const syncGroup: ApiHandler = {
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (v >= 3) r.nullableString(); // group_instance_id
    const assignments = new Map(r.array((r) => [r.string(), Buffer.from(r.bytes())] as const));
    const group = ctx.groups.find(groupId);
    const result = !authorized(ctx, req, 'Read', 'group', groupId)
      ? { error: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) }
      : group
        ? await group.sync(memberId, generation, assignments)
        : { error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) };
    const w = new Writer();
    if (v >= 1) w.int32(0);
    return w.int16(result.error).bytes(result.assignment);
  },
};

/** Heartbeat v0–v3: REBALANCE_IN_PROGRESS tells a member to rejoin. */
export const heartbeat: ApiHandler = {
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (v >= 3) r.nullableString();
    const error = !authorized(ctx, req, 'Read', 'group', groupId)
      ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : (ctx.groups.find(groupId)?.heartbeat(memberId, generation) ?? ErrorCode.UNKNOWN_MEMBER_ID);
    const w = new Writer();
    if (v >= 1) w.int32(0);
    return w.int16(error);
  },
};

/** LeaveGroup v0–v3 (v3 carries a list of members). */
export const leaveGroup: ApiHandler = {
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req, r) {
    const v = req.header.apiVersion;
    const groupId = r.string();
    const members =
      v >= 3
        ? r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }))
        : [{ memberId: r.string(), groupInstanceId: null }];
    const group = ctx.groups.find(groupId);
    const w = new Writer();
    if (v >= 1) w.int32(0);
    if (!authorized(ctx, req, 'Read', 'group', groupId)) return v < 3 ? w.int16(ErrorCode.GROUP_AUTHORIZATION_FAILED) : w.int16(ErrorCode.GROUP_AUTHORIZATION_FAILED).array([], () => undefined);
    const results = members.map((m) => ({ ...m, error: group?.leave(m.memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID }));
    if (v < 3) return w.int16(results[0].error);
    w.int16(ErrorCode.NONE);
    return w.array(results, (w, m) => w.string(m.memberId).nullableString(m.groupInstanceId).int16(m.error));
  },
};

/** DescribeGroups v0–v2; an unknown group is reported as Dead, as Kafka does. */
export const describeGroups: ApiHandler = {
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req, r) {
    const ids = r.array((r) => r.string());
    const w = new Writer();
    if (req.header.apiVersion >= 1) w.int32(0);
    return w.array(ids, (w, id) => {
      if (!authorized(ctx, req, 'Describe', 'group', id)) {
        w.int16(ErrorCode.GROUP_AUTHORIZATION_FAILED).string(id).string('').string('').string('');
        return void w.array([], () => undefined);
      }
      const g = ctx.groups.find(id);
      const empty = !g || g.state === 'Empty';
      w.int16(ErrorCode.NONE).string(id).string(g ? g.state : 'Dead');
      w.string(g?.protocolType ?? '').string(g?.state === 'Stable' ? (g.protocolName ?? '') : '');
      w.array(empty || !g ? [] : [...g.members.values()], (w, m) => {
        w.string(m.memberId).string(m.clientId).string(m.clientHost);
        w.bytes(m.metadataFor(g?.protocolName ?? '')).bytes(m.assignment);
      });
    });
  },
};

/** ListGroups v0–v2: groups that had members, plus groups that only have committed offsets (protocol type '', as in Kafka). */
export const listGroups: ApiHandler = {
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    const known = new Map<string, string>();
    for (const g of ctx.offsets.groups()) known.set(g, '');
    for (const g of ctx.groups.all()) known.set(g.id, g.protocolType ?? known.get(g.id) ?? '');
    const w = new Writer();
    if (req.header.apiVersion >= 1) w.int32(0);
    w.int16(ErrorCode.NONE);
    const listed = [...known].filter(([id]) => visible(ctx, req, 'group', id));
    return w.array(listed, (w, [id, type]) => w.string(id).string(type));
  },
};
