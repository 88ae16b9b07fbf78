import { mayAnswerCall } from './may-answer';

const fromStranger = { fromContact: false, sensitive: false };
const fromContact = { fromContact: true, sensitive: false };
const fromBank = { fromContact: false, sensitive: true };
const fromSensitiveContact = { fromContact: true, sensitive: true };
const allowed = { allowed: true };
const notPermitted = { allowed: false, reason: 'not_permitted' };
const insufficient = { allowed: false, reason: 'insufficient_assurance' };

describe('who may answer an inbound call', () => {
  describe('an owner', () => {
    const owner = { role: 'owner' as const };
    it('answers any ordinary call', () => {
      expect(mayAnswerCall(owner, fromStranger, 'standard')).toEqual(allowed);
      expect(mayAnswerCall(owner, fromContact, 'standard')).toEqual(allowed);
    });
    it('answers a sensitive call when recognised with high assurance', () =>
      expect(mayAnswerCall(owner, fromBank, 'high')).toEqual(allowed));
    it('does not answer a sensitive call recognised only with standard assurance', () =>
      expect(mayAnswerCall(owner, fromBank, 'standard')).toEqual(insufficient));
    it('no longer answers sensitive calls once answer_sensitive is revoked', () =>
      expect(mayAnswerCall({ role: 'owner', overrides: { revoke: ['answer_sensitive'] } }, fromBank, 'high')).toEqual(notPermitted));
  });

  describe('an adult', () => {
    const adult = { role: 'adult' as const };
    it('answers any ordinary call', () => expect(mayAnswerCall(adult, fromStranger, 'standard')).toEqual(allowed));
    it('does not answer a sensitive call, however clearly recognised', () =>
      expect(mayAnswerCall(adult, fromBank, 'high')).toEqual(notPermitted));
    it('answers a sensitive call once granted answer_sensitive, at high assurance only', () => {
      const trusted = { role: 'adult' as const, overrides: { grant: ['answer_sensitive' as const] } };
      expect(mayAnswerCall(trusted, fromBank, 'high')).toEqual(allowed);
      expect(mayAnswerCall(trusted, fromBank, 'standard')).toEqual(insufficient);
    });
    it('answers only contacts once domestic is revoked', () => {
      const limited = { role: 'adult' as const, overrides: { revoke: ['domestic' as const] } };
      expect(mayAnswerCall(limited, fromContact, 'standard')).toEqual(allowed);
      expect(mayAnswerCall(limited, fromStranger, 'standard')).toEqual(notPermitted);
    });
  });

  describe('a child', () => {
    const child = { role: 'child' as const };
    it("answers a household contact's call", () => expect(mayAnswerCall(child, fromContact, 'standard')).toEqual(allowed));
    it('does not answer a number that is no contact', () =>
      expect(mayAnswerCall(child, fromStranger, 'high')).toEqual(notPermitted));
    it("does not answer a sensitive contact's call", () =>
      expect(mayAnswerCall(child, fromSensitiveContact, 'high')).toEqual(notPermitted));
    it('loses even contacts when contacts is revoked', () =>
      expect(mayAnswerCall({ role: 'child', overrides: { revoke: ['contacts'] } }, fromContact, 'high')).toEqual(notPermitted));
  });

  describe('a guest', () => {
    const guest = { role: 'guest' as const };
    it('answers nothing, not even a contact', () => {
      expect(mayAnswerCall(guest, fromContact, 'high')).toEqual(notPermitted);
      expect(mayAnswerCall(guest, fromStranger, 'high')).toEqual(notPermitted);
    });
    it("answers contacts' calls once granted contacts", () =>
      expect(mayAnswerCall({ role: 'guest', overrides: { grant: ['contacts'] } }, fromContact, 'standard')).toEqual(allowed));
  });

  describe('a call that may be the emergency services calling back', () => {
    const callBack = { fromContact: false, sensitive: false, emergencyCallback: true };
    it('is answered by whoever may have dialled 911: a guest or a child too, not only those who answer strangers', () => {
      for (const role of ['guest', 'child', 'adult', 'owner'] as const) expect(mayAnswerCall({ role }, callBack, 'standard')).toEqual(allowed);
      expect(mayAnswerCall({ role: 'guest' }, fromStranger, 'standard')).toEqual(notPermitted);
      expect(mayAnswerCall({ role: 'child' }, fromStranger, 'standard')).toEqual(notPermitted);
    });
    it('keeps the sensitive-call rule: a bank calling within the window is still only for answer_sensitive, at high assurance', () => {
      const bankInWindow = { fromContact: false, sensitive: true, emergencyCallback: true };
      expect(mayAnswerCall({ role: 'guest' }, bankInWindow, 'high')).toEqual(notPermitted);
      expect(mayAnswerCall({ role: 'owner' }, bankInWindow, 'standard')).toEqual(insufficient);
      expect(mayAnswerCall({ role: 'owner' }, bankInWindow, 'high')).toEqual(allowed);
    });
  });
});
