/**
 * given(events).when(command).then(events): a decider specification, as Emmett writes them.
 * Shared by every service's domain specs; it uses only jest's global `expect` (no I/O).
 */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
  /** The event store's Decider gives a function; a plain value is accepted too. */
  readonly initialState: State | (() => State);
}

export const deciderSpecification =
  <Command, Event, State>(decider: Decider<Command, Event, State>) =>
  (given: readonly Event[] = []) => ({
    when: (command: Command) => {
      const initial = typeof decider.initialState === 'function' ? (decider.initialState as () => State)() : decider.initialState;
      const run = () => decider.decide(command, given.reduce(decider.evolve, initial));
      return {
        then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
        thenNothingHappens: () => expect(run()).toEqual([]),
        thenThrows: (code: string) => expect(run).toThrow(expect.objectContaining({ code })),
      };
    },
  });
