import { permitsCall } from './destinations';

describe("reading a member's published grants", () => {
  it('always allows an emergency number, even with no grants', () => {
    expect(permitsCall([], 'emergency', false, 'standard')).toEqual({ allowed: true });
  });

  it('allows a class the member was granted', () => {
    expect(permitsCall(['domestic'], 'domestic', false, 'standard')).toEqual({ allowed: true });
  });

  it('allows an ordinary number reached through a contact when contacts are granted', () => {
    expect(permitsCall(['contacts'], 'domestic', true, 'standard')).toEqual({ allowed: true });
    expect(permitsCall(['contacts'], 'short_code', true, 'standard')).toEqual({ allowed: true });
  });

  it('lets no contact stand in for the premium or international grant', () => {
    for (const destination of ['premium', 'international'] as const) {
      expect(permitsCall(['contacts', 'domestic'], destination, true, 'high')).toEqual({ allowed: false, reason: 'not_permitted' });
      expect(permitsCall(['contacts', destination], destination, true, 'high')).toEqual({ allowed: true });
    }
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

  it('places no call on the grant to answer sensitive calls alone', () => {
    expect(permitsCall(['answer_sensitive'], 'domestic', true, 'high')).toEqual({ allowed: false, reason: 'not_permitted' });
  });
});
