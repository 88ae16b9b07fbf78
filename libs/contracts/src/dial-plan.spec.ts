import { classifyDestination, emergencyNumberFor } from './dial-plan';

describe('classifying what was dialled', () => {
  describe('from a US account', () => {
    it.each(['911', '112'])('treats %s as an emergency number', (dialled) =>
      expect(classifyDestination(dialled, 'US')).toEqual({ ok: true, class: 'emergency', e164: dialled }),
    );

    it.each(['411', '311', '988'])('treats the N11 / short number %s as a short code', (dialled) =>
      expect(classifyDestination(dialled, 'US')).toEqual({ ok: true, class: 'short_code', e164: dialled }),
    );

    it('treats a US number as domestic, in E.164 however it was written', () => {
      expect(classifyDestination('(212) 555-0123', 'US')).toEqual({
        ok: true,
        class: 'domestic',
        e164: '+12125550123',
      });
      expect(classifyDestination('2125550123', 'US')).toEqual({ ok: true, class: 'domestic', e164: '+12125550123' });
    });

    it('treats a 900 number as premium rate', () =>
      expect(classifyDestination('+1 900 555 0123', 'US')).toEqual({
        ok: true,
        class: 'premium',
        e164: '+19005550123',
      }));

    it('treats a UK number as international', () =>
      expect(classifyDestination('+44 20 7946 0958', 'US')).toEqual({
        ok: true,
        class: 'international',
        e164: '+442079460958',
      }));

    it('treats a Canadian number as international, though it shares +1', () =>
      expect(classifyDestination('+1 416 555 0123', 'US')).toMatchObject({ class: 'international' }));

    it('treats a Caribbean +1 number as international even where the metadata does not know its range', () => {
      // +1 876 is Jamaica, +1 284 the British Virgin Islands: not "valid" for libphonenumber, yet not the US.
      for (const number of ['+1 876 200 1234', '+1 284 555 1234', '+1 473 555 1234', '+1 649 555 1234', '+1 868 555 1234']) {
        expect(classifyDestination(number, 'US')).toMatchObject({ class: 'international' });
      }
      expect(classifyDestination('+1 876 200 1234', 'JM')).toMatchObject({ class: 'domestic' });
    });

    it.each(['+1 456 555 1234', '+1 700 555 1234', '+1 880 555 1234', '+1 881 555 1234', '+1 999 555 1234'])(
      'treats %s, an area code no country has (carriers may route it abroad), as international',
      (number) => expect(classifyDestination(number, 'US')).toMatchObject({ ok: true, class: 'international' }),
    );

    it('treats the fictional +1 555 range (possible, not assigned) as domestic', () =>
      expect(classifyDestination('+1 555 010 9999', 'US')).toEqual({
        ok: true,
        class: 'domestic',
        e164: '+15550109999',
      }));

    it('refuses what is not a number', () => {
      expect(classifyDestination('Mom', 'US')).toEqual({ ok: false, reason: 'invalid_destination' });
      expect(classifyDestination('1', 'US')).toEqual({ ok: false, reason: 'invalid_destination' });
      expect(classifyDestination('+999 12345', 'US')).toEqual({ ok: false, reason: 'invalid_destination' });
    });
  });

  describe("by the account's country", () => {
    it('knows 999 and 112 as emergency numbers in the UK', () => {
      expect(classifyDestination('999', 'GB')).toMatchObject({ class: 'emergency' });
      expect(classifyDestination('112', 'GB')).toMatchObject({ class: 'emergency' });
    });

    it('knows 000 as the emergency number in Australia', () =>
      expect(classifyDestination('000', 'AU')).toMatchObject({ class: 'emergency' }));

    it.each([
      ['GB', '999', '112'],
      ['JP', '110', '110'],
      ['AU', '000', '112'],
      ['NZ', '111', '111'],
    ])('takes 911 and 112 for emergency numbers in %s too, as every mobile network does (3GPP TS 22.101), handing the carrier the country\'s own', (country, for911, for112) => {
      expect(classifyDestination('911', country)).toEqual({ ok: true, class: 'emergency', e164: for911 });
      expect(classifyDestination('112', country)).toEqual({ ok: true, class: 'emergency', e164: for112 });
    });

    it('classes a short number billed at a premium rate as premium, not as a short code', () => {
      expect(classifyDestination('3611', 'FR')).toEqual({ ok: true, class: 'premium', e164: '3611' });
      expect(classifyDestination('118712', 'FR')).toEqual({ ok: true, class: 'premium', e164: '118712' });
      expect(classifyDestination('1200', 'IT')).toEqual({ ok: true, class: 'premium', e164: '1200' });
      expect(classifyDestination('611', 'US')).toEqual({ ok: true, class: 'short_code', e164: '611' }); // toll free
    });

    it('classes directory enquiries that put calls through at their own rate as premium, though the metadata leaves their cost unknown', () => {
      for (const [number, country] of [['118118', 'GB'], ['118500', 'GB'], ['118212', 'GB'], ['11833', 'DE'], ['11811', 'IE'], ['118811', 'AT']]) {
        expect(classifyDestination(number, country)).toEqual({ ok: true, class: 'premium', e164: number });
      }
      // Other short numbers of unknown cost stay short codes: the police's and the NHS's non-emergency lines, relay for the deaf.
      expect(classifyDestination('101', 'GB')).toEqual({ ok: true, class: 'short_code', e164: '101' });
      expect(classifyDestination('111', 'GB')).toEqual({ ok: true, class: 'short_code', e164: '111' });
      expect(classifyDestination('711', 'US')).toEqual({ ok: true, class: 'short_code', e164: '711' });
    });

    it.each(['1010', '123456', '0000', '900', '976'])('refuses %s, a short number the US plan does not have', (number) =>
      expect(classifyDestination(number, 'US')).toEqual({ ok: false, reason: 'invalid_destination' }));

    it('treats a UK premium number as premium for a UK account', () =>
      expect(classifyDestination('+44 909 879 0000', 'GB')).toMatchObject({ class: 'premium' }));

    it('treats a premium-rate number abroad as premium, not international: the stricter grant and budget', () => {
      expect(classifyDestination('+44 909 879 0000', 'US')).toMatchObject({ class: 'premium' });
      expect(classifyDestination('+1 900 212 3456', 'CA')).toMatchObject({ class: 'premium' });
      expect(classifyDestination('+1 900 555 0199', 'CA')).toMatchObject({ class: 'premium' });
      expect(classifyDestination('+1 900 555 0199', 'JM')).toMatchObject({ class: 'premium' });
    });

    it('marks a premium-rate number abroad as abroad, and one at home not', () => {
      expect(classifyDestination('+44 909 879 0000', 'US')).toMatchObject({ class: 'premium', abroad: true });
      expect(classifyDestination('+1 900 212 3456', 'CA')).toMatchObject({ class: 'premium', abroad: true });
      expect(classifyDestination('+44 909 879 0000', 'GB')).not.toHaveProperty('abroad');
      expect(classifyDestination('+1 900 212 3456', 'US')).not.toHaveProperty('abroad');
    });

    it('treats the toll-free numbers every +1 country shares as domestic from any of them, and others abroad as international', () => {
      expect(classifyDestination('+1 800 275 2273', 'CA')).toMatchObject({ class: 'domestic' });
      expect(classifyDestination('+1 800 275 2273', 'US')).toMatchObject({ class: 'domestic' });
      expect(classifyDestination('+1 800 275 2273', 'GB')).toMatchObject({ class: 'international' });
      expect(classifyDestination('+44 800 068 3117', 'US')).toMatchObject({ class: 'international' });
    });

    it('treats a US number as international for a UK account', () =>
      expect(classifyDestination('+1 212 555 0123', 'GB')).toMatchObject({ class: 'international' }));
  });
});

describe('recognising an emergency call however it was asked for', () => {
  it.each(['911', '９１１', '911#', ' 9-1-1 ', 'nine one one', 'Nine-One-One', 'emergency', 'Police'])('knows "%s" as 911 in the US', (target) =>
    expect(emergencyNumberFor(target, 'US')).toBe('911'));

  it('answers "emergency" with the country\'s own number', () => {
    expect(emergencyNumberFor('emergency', 'GB')).toBe('999');
    expect(emergencyNumberFor('nine nine nine', 'GB')).toBe('999');
  });

  it.each([
    ['٩١١', 'US', '911'], // Arabic-Indic digits
    ['۱۱۰', 'IR', '110'], // Persian
    ['१००', 'IN', '100'], // Devanagari
    ['١٢٢', 'EG', '122'],
  ])('knows "%s" in %s as %s, whatever script its digits are in', (target, country, number) => {
    expect(emergencyNumberFor(target, country)).toBe(number);
    expect(classifyDestination(target, country)).toEqual({ ok: true, class: 'emergency', e164: number });
  });

  it.each([
    ['LRE…PDF', '\u202A911\u202C'],
    ['FSI…PDI', '\u2068911\u2069'],
    ['RLM and Arabic-Indic digits', '\u200F٩١١'],
    ['ALM and Arabic-Indic digits', '\u061C٩١١'],
    ['a zero-width space', '911\u200B'],
    ['a soft hyphen', '9\u00AD1\u00AD1'],
  ])('knows 911 wrapped in %s (right-to-left locales and keyboards add them) as 911', (_what, target) => {
    expect(emergencyNumberFor(target, 'US')).toBe('911');
    expect(classifyDestination(target, 'US')).toEqual({ ok: true, class: 'emergency', e164: '911' });
  });

  it('answers a word with the country\'s general number where it has one, and with the service it names where a country has none', () => {
    expect(['police', 'ambulance', 'fire'].map((w) => emergencyNumberFor(w, 'CN'))).toEqual(['110', '120', '119']);
    expect(['police', 'ambulance', 'fire'].map((w) => emergencyNumberFor(w, 'JP'))).toEqual(['110', '119', '119']);
    // Turkey's 110 is the fire brigade, Belgium's 100 the ambulance: a general number is never second-guessed.
    for (const country of ['DE', 'TR', 'BE']) expect(['police', 'ambulance', 'emergency'].map((w) => emergencyNumberFor(w, country))).toEqual(['112', '112', '112']);
    expect(emergencyNumberFor('emergency', 'NZ')).toBe('111');
    expect(emergencyNumberFor('emergency', 'TH')).toBe('191');
  });

  it.each(['Mom', '411', 'nine one two', '+1 911 555 0100'])('does not take "%s" for an emergency call', (target) =>
    expect(emergencyNumberFor(target, 'US')).toBeNull());

  it('classifies fullwidth and #-terminated dial strings as the digits they are', () => {
    expect(classifyDestination('９１１', 'US')).toEqual({ ok: true, class: 'emergency', e164: '911' });
    expect(classifyDestination('911#', 'US')).toEqual({ ok: true, class: 'emergency', e164: '911' });
  });
});

describe('pay-per-call numbers', () => {
  it('treats the 976 exchange as premium though the metadata calls it a plain line', () =>
    expect(classifyDestination('+1 212 976 1234', 'US')).toEqual({ ok: true, class: 'premium', e164: '+12129761234' }));

  it('leaves 976 elsewhere in a number alone', () =>
    expect(classifyDestination('+1 212 555 0976', 'US')).toEqual({ ok: true, class: 'domestic', e164: '+12125550976' }));
});

describe('what cannot be classified', () => {
  it('refuses rather than throws: "00" in the UK, any number for an unknown country', () => {
    expect(classifyDestination('00', 'GB')).toEqual({ ok: false, reason: 'invalid_destination' });
    expect(classifyDestination('+1 212 555 0123', 'ZZ')).toEqual({ ok: false, reason: 'invalid_destination' });
    expect(emergencyNumberFor('911', 'ZZ')).toBeNull();
  });
});
