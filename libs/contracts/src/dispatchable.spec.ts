import { dispatchableLimits, dispatchableOf } from './identity.events';

describe('the address and room sent with an emergency call', () => {
  const address = { line1: '742 Evergreen Terrace', city: 'Springfield', region: 'OR', postalCode: '97403', country: 'US' };

  it('is sent as registered when it is within the bounds', () =>
    expect(dispatchableOf(address, { room: 'Kitchen', floor: '1' })).toEqual({ address, location: { room: 'Kitchen', floor: '1' } }));

  it('is cut to the bounds, leaving no half of a character the carrier could refuse as JSON', () => {
    const line1 = `${'a'.repeat(dispatchableLimits.line1 - 1)}😀 and more`; // the emoji straddles the bound
    const { address: cut, location } = dispatchableOf({ ...address, line1 }, { room: 'r'.repeat(500) });
    expect(cut.line1).toBe('a'.repeat(dispatchableLimits.line1 - 1));
    expect(Buffer.from(cut.line1, 'utf8').toString('utf8')).toBe(cut.line1); // no lone surrogate (it would become U+FFFD)
    expect(location).toEqual({ room: 'r'.repeat(dispatchableLimits.room) });
    expect(cut.country).toBe('US');
  });
});
