/**
 * The shape every aggregate's domain takes (docs/style.md): pure, no I/O, no clock — `now` and ids
 * arrive in the command. The event store's CommandHandler runs any Decider; specifications test one
 * with given(events).when(command).then(events).
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
