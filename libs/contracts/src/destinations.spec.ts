import { permitsCall } from './destinations';

describe("reading a member's published grants", () => {
  it('always allows an emergency number, even with no grants', () => {
    expect(permitsCall([], 'emergency', false, 'standard')).toEqual({ allowed: true });
  });

  it('allows a class the member was granted', () => {
    expect(permitsCall(['domestic'], 'domestic', false, 'standard')).toEqual({ allowed: true });
  });

  it('allows any number reached through a contact when contacts are granted', () => {
    expect(permitsCall(['contacts'], 'domestic', true, 'standard')).toEqual({ allowed: true });
  });

  it('refuses a dialled number outside the grants as not permitted', () => {
    expect(permitsCall(['contacts'], 'domestic', false, 'standard')).toEqual({
      allowed: false,
      reason: 'not_permitted',
    });
  });

  it('asks for high assurance before a granted international call', () => {
    expect(permitsCall(['international'], 'international', false, 'standard')).toEqual({
      allowed: false,
      reason: 'insufficient_assurance',
    });
    expect(permitsCall(['international'], 'international', false, 'high')).toEqual({ allowed: true });
  });
});
