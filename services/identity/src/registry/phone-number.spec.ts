import { toE164 } from './phone-number';

describe('a phone number as a person writes it', () => {
  it('is read in the account\'s country and given in E.164', () => {
    expect(toE164('(217) 555-0142', 'US')).toBe('+12175550142');
    expect(toE164('020 7946 0018', 'GB')).toBe('+442079460018');
    expect(toE164('020 7946 0018', 'gb')).toBe('+442079460018');
  });

  it('keeps its own country code when it has one', () => {
    expect(toE164('+44 20 7946 0018', 'US')).toBe('+442079460018');
  });

  it('accepts fictional 555 numbers, which have the shape of a real line', () => {
    expect(toE164('+1 555 010 0001', 'US')).toBe('+15550100001');
  });

  it('is refused when it cannot be a line at all', () => {
    expect(toE164('+1 555', 'US')).toBeNull();
    expect(toE164('pizza', 'US')).toBeNull();
    expect(toE164('12', 'US')).toBeNull();
  });
});
