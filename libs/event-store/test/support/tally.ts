import type { Decider } from '../../src';

// A tiny decider for tests: a tally that can be incremented up to a limit.
export type TallyEvent = { type: 'Incremented'; data: { by: number } } | { type: 'LimitReached'; data: { limit: number } };
export type TallyCommand = { type: 'Increment'; by: number; limit: number };
export type TallyState = { total: number; closed: boolean };

export const tally: Decider<TallyCommand, TallyEvent, TallyState> = {
  initialState: () => ({ total: 0, closed: false }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'Incremented':
        return { ...state, total: state.total + event.data.by };
      case 'LimitReached':
        return { ...state, closed: true };
      default: {
        const unexpected: never = event;
        return unexpected;
      }
    }
  },
  decide: (command, state) => {
    if (state.closed) return [];
    const total = state.total + command.by;
    const incremented: TallyEvent = { type: 'Incremented', data: { by: command.by } };
    return total >= command.limit ? [incremented, { type: 'LimitReached', data: { limit: command.limit } }] : [incremented];
  },
};
