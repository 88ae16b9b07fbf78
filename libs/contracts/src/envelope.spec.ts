import { latestByKey } from './envelope';

describe('the latest event of each thing', () => {
  const event = (device: string, occurredAt: string, id: string) => ({ device, occurredAt, id });

  it('keeps, per key, the one that occurred last, in whatever order they come', () => {
    const linkedToA = event('d1', '2026-11-28T10:00:00.000Z', 'linked-a');
    const linkedToB = event('d1', '2026-11-28T10:05:00.000Z', 'linked-b');
    const other = event('d2', '2026-11-28T09:00:00.000Z', 'other');
    for (const events of [[linkedToA, linkedToB, other], [linkedToB, other, linkedToA]]) {
      expect([...latestByKey(events, (e) => e.device).values()].map((e) => e.id).sort()).toEqual(['linked-b', 'other']);
    }
  });

  it('keeps the later in the list of two that occurred at the same time', () => {
    const [first, second] = [event('d1', '2026-11-28T10:00:00.000Z', 'first'), event('d1', '2026-11-28T10:00:00.000Z', 'second')];
    expect(latestByKey([first, second], (e) => e.device).get('d1')?.id).toBe('second');
  });
});
