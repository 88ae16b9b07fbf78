import type { Decider } from '@homeline/event-store';
import { afterRouting, noUsage, routeDecider, type CallUsage, type RouteCall, type RouteEvent, type RouteState } from '../domain';
import type { Caller } from './ports';

const deviceKey = (caller: Caller): string => JSON.stringify([caller.accountId, caller.deviceId]);

const plus = (stored: CallUsage, batch: CallUsage, device: number): CallUsage => ({
  device: stored.device + device,
  account: stored.account + batch.account,
  international: stored.international + batch.international,
  premium: stored.premium + batch.premium,
  liveLegs: stored.liveLegs + batch.liveLegs,
});

/**
 * The usage of a batch's callers while its calls are decided, in order: what the database held
 * when the batch took its accounts' locks, plus what the batch has routed so far. So the calls of
 * one batch count against each other: the 11th of eleven calls from one device that arrive
 * together is refused like the 11th of eleven that arrive apart.
 */
export class UsageLedger {
  /** Per account, what this batch has routed (its `device` field is not read: devices are counted apart). */
  private readonly accounts = new Map<string, CallUsage>();
  private readonly devices = new Map<string, number>();

  /** `stored` answers undefined for a caller whose calls are never metered (unknown account, an all-emergency batch). */
  constructor(private readonly stored: (caller: Caller) => CallUsage | undefined) {}

  usageOf(caller: Caller): CallUsage {
    const batch = this.accounts.get(caller.accountId) ?? noUsage;
    return plus(this.stored(caller) ?? noUsage, batch, this.devices.get(deviceKey(caller)) ?? 0);
  }

  /** A call of the batch was decided: if it was routed, the calls after it see it used. */
  record(caller: Caller, decided: readonly RouteEvent[]): void {
    const resolved = decided.find((e) => e.type === 'DestinationResolved');
    if (resolved?.type !== 'DestinationResolved' || resolved.data.class === 'emergency') return;
    this.accounts.set(caller.accountId, afterRouting(this.accounts.get(caller.accountId) ?? noUsage, resolved.data.class));
    this.devices.set(deviceKey(caller), (this.devices.get(deviceKey(caller)) ?? 0) + 1);
  }
}

/**
 * The route decider, telling the ledger of each decision it makes. The command handler decides a
 * batch's requests in order and builds each one's commands just before deciding it, so a command
 * that reads the ledger then is metered with every call decided before it.
 */
export const meteredRouteDecider = (ledger: UsageLedger): Decider<RouteCall, RouteEvent, RouteState> => ({
  ...routeDecider,
  decide: (command, state) => {
    const decided = routeDecider.decide(command, state);
    ledger.record(command.request, decided);
    return decided;
  },
});
