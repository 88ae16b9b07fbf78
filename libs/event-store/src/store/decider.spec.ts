import { fold, type Decider } from './decider';

type Event = { type: 'Opened'; data: Record<string, never> } | { type: 'Noted'; data: { text: string } };
type State = { open: boolean; notes: string[] };
const notebook: Pick<Decider<never, Event, State>, 'evolve' | 'initialState'> = {
  initialState: () => ({ open: false, notes: [] }),
  evolve: (state, event) =>
    event.type === 'Opened' ? { ...state, open: true } : { ...state, notes: [...state.notes, event.data.text] },
};

describe('folding a stream', () => {
  it('starts from the initial state when the stream is empty', () => {
    expect(fold(notebook, [])).toEqual({ open: false, notes: [] });
  });

  it('applies the events in order', () => {
    const events: Event[] = [{ type: 'Opened', data: {} }, { type: 'Noted', data: { text: 'a' } }, { type: 'Noted', data: { text: 'b' } }];
    expect(fold(notebook, events)).toEqual({ open: true, notes: ['a', 'b'] });
  });

  it('continues from a given state', () => {
    expect(fold(notebook, [{ type: 'Noted', data: { text: 'c' } }], { open: true, notes: ['a'] })).toEqual({ open: true, notes: ['a', 'c'] });
  });
});
