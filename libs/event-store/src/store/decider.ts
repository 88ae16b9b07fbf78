import type { DomainEvent } from './types';

/** The shape every aggregate's domain takes (STYLE.md): pure, no I/O, no clock. */
export interface Decider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds events into state, starting from `state` (the decider's initial state by default). */
export const fold = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: readonly Event[],
  state: State = decider.initialState(),
): State => events.reduce(decider.evolve, state);
