/**
 * given(events).when(command).then(events): a decider specification, as Emmett writes them.
 * Shared by every service's domain specs; it uses only jest's global `expect` (no I/O).
 */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
}

export const deciderSpecification =
  <Command, Event, State>(decider: Decider<Command, Event, State>) =>
  (given: readonly Event[] = []) => ({
    when: (command: Command) => {
      const run = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState));
      return {
        then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
        thenNothingHappens: () => expect(run()).toEqual([]),
        thenThrows: (code: string) => expect(run).toThrow(expect.objectContaining({ code })),
      };
    },
  });
