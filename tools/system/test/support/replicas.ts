import { eventually } from '@homeline/testing';
import { AssignerProtocol } from 'kafkajs';
import type { RunningSystem } from '../../src/running-system';

/** Probes of a system running several replicas of a service (startSystem's `replicas`). */

/** Routing decisions (resolved or rejected) one routing replica made, from its /metrics. */
export const routingDecisionsAt = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^routing_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
};

/**
 * Waits until consumer group `groupId` is stable with `members` members, each holding partitions of
 * `topic`: the replicas share its work from then on (a replica that just started is still joining).
 */
export const waitForGroupMembers = async (system: RunningSystem, groupId: string, topic: string, members: number, timeoutMs = 60_000): Promise<void> => {
  const admin = system.kafka.client().admin();
  await admin.connect();
  try {
    await eventually(async () => {
      const { groups: [group] } = await admin.describeGroups([groupId]);
      const holding = group.members.map((m) => (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic]?.length ?? 0) > 0);
      expect({ state: group.state, holding }).toEqual({ state: 'Stable', holding: Array(members).fill(true) });
    }, { timeoutMs, intervalMs: 250 });
  } finally {
    await admin.disconnect();
  }
};
