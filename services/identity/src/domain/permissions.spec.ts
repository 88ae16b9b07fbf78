import { grantsFor, mayPlaceCall } from './permissions';

describe('who may place which call', () => {
  describe('a guest', () => {
    const guest = { role: 'guest' as const };
    it('may call an emergency number', () =>
      expect(mayPlaceCall(guest, 'emergency', false)).toEqual({ allowed: true }));
    it('may not call a household contact', () =>
      expect(mayPlaceCall(guest, 'domestic', true)).toEqual({ allowed: false, reason: 'not_permitted' }));
  });

  describe('a child', () => {
    const child = { role: 'child' as const };
    it('may call a household contact', () => expect(mayPlaceCall(child, 'domestic', true)).toEqual({ allowed: true }));
    it('may not dial a number that is no contact', () =>
      expect(mayPlaceCall(child, 'domestic', false)).toEqual({ allowed: false, reason: 'not_permitted' }));
    it('may still call an emergency number', () =>
      expect(mayPlaceCall(child, 'emergency', false)).toEqual({ allowed: true }));
  });

  describe('an adult', () => {
    const adult = { role: 'adult' as const };
    it('may call any domestic number', () => expect(mayPlaceCall(adult, 'domestic', false)).toEqual({ allowed: true }));
    it('may call a short code', () => expect(mayPlaceCall(adult, 'short_code', false)).toEqual({ allowed: true }));
    it('may not call premium or international numbers', () => {
      expect(mayPlaceCall(adult, 'premium', false)).toEqual({ allowed: false, reason: 'not_permitted' });
      expect(mayPlaceCall(adult, 'international', false)).toEqual({ allowed: false, reason: 'not_permitted' });
    });
    it('may call international numbers once granted', () =>
      expect(mayPlaceCall({ role: 'adult', overrides: { grant: ['international'] } }, 'international', false)).toEqual({
        allowed: true,
      }));
  });

  describe('an owner', () => {
    const owner = { role: 'owner' as const };
    it('may call premium and international numbers when verified with high assurance', () => {
      expect(mayPlaceCall(owner, 'premium', false, 'high')).toEqual({ allowed: true });
      expect(mayPlaceCall(owner, 'international', false, 'high')).toEqual({ allowed: true });
    });
    it('must be verified with high assurance for them', () =>
      expect(mayPlaceCall(owner, 'international', false, 'standard')).toEqual({
        allowed: false,
        reason: 'insufficient_assurance',
      }));
    it('loses a class when it is revoked', () =>
      expect(mayPlaceCall({ role: 'owner', overrides: { revoke: ['premium'] } }, 'premium', false)).toEqual({
        allowed: false,
        reason: 'not_permitted',
      }));
  });

  describe('the published grants', () => {
    it("are the role's defaults with overrides applied, in a stable order", () =>
      expect(grantsFor({ role: 'child', overrides: { grant: ['domestic'], revoke: ['contacts'] } })).toEqual([
        'emergency',
        'domestic',
      ]));
    it("give owners, and only owners, the answering of sensitive calls by default", () => {
      expect(grantsFor({ role: 'owner' })).toContain('answer_sensitive');
      for (const role of ['adult', 'child', 'guest'] as const) expect(grantsFor({ role })).not.toContain('answer_sensitive');
    });
    it('never lose emergency calls', () =>
      expect(grantsFor({ role: 'guest', overrides: { revoke: ['emergency'] } })).toEqual(['emergency']));
  });
});
