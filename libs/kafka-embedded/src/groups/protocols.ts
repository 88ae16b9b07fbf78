import { ErrorCodeValue } from '../protocol/errors';
import { GroupProtocol, JoinResult, Member } from './member';

/** Every member votes for its most preferred protocol among those all members support (Kafka's rule). */
export function selectProtocol(all: readonly Member[]): string {
  const candidates = all[0].protocols.map((p) => p.name).filter((name) => all.every((m) => m.supports(name)));
  const votes = new Map<string, number>();
  for (const m of all) {
    const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
    if (choice) votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  let best = candidates[0];
  for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
  return best;
}

export const failedJoin = (error: ErrorCodeValue, memberId: string): JoinResult => ({
  error,
  generation: -1,
  protocolName: '',
  leaderId: '',
  memberId,
  members: [],
});

export const failJoin = (error: ErrorCodeValue, memberId: string): Promise<JoinResult> => Promise.resolve(failedJoin(error, memberId));

export const sameProtocols = (a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean =>
  a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
