import type { Decider } from '@homeline/contracts';
import type { DomainEvent } from './types';

export type { Decider } from '@homeline/contracts';

/** Folds events into state, starting from `state` (the decider's initial state by default). */
export const fold = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: readonly Event[],
  state: State = decider.initialState(),
): State => events.reduce(decider.evolve, state);
