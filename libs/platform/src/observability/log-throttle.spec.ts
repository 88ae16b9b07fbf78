import { heldBackNote, LogThrottle } from './log-throttle';

describe('a throttled log line', () => {
  it('is written at once, then at most once per period, saying how many were held back', () => {
    let now = 1_000;
    const throttle = new LogThrottle(10_000, () => now);
    const written: string[] = [];
    const log = (what: string) => throttle.write((held) => written.push(`${what}${heldBackNote(held)}`));

    log('first');
    for (let i = 0; i < 40; i++) {
      now += 250; // a loop retrying every 250 ms for 10 s
      log(`try ${i}`);
    }
    // 10 s after the first: the 40th try is written, with the 39 held back before it.
    expect(written).toEqual(['first', 'try 39 (39 more like it since the last)']);
    for (let i = 0; i < 4; i++) log('still failing');
    now += 60_000;
    log('quiet since');
    expect(written.at(-1)).toBe('quiet since (4 more like it since the last)');
    now += 10_000;
    log('once more');
    expect(written.at(-1)).toBe('once more');
  });
});
