import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../src';

/** RFC 8785 (JCS): sorted keys by UTF-16 code units, ECMAScript number form, minimal string escapes. */
describe('canonical JSON', () => {
  it('serialises the numbers of RFC 8785 section 3.2.2.3 in their ECMAScript form', () => {
    expect(canonicalJson({ numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001] })).toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
  });

  it('sorts keys by UTF-16 code units, as in RFC 8785 section 3.2.3', () => {
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const inTextOrder = [...canonicalJson(value).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(inTextOrder).toEqual([
      'Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('escapes only what JSON requires', () => {
    expect(canonicalJson({ s: '\u20ac$\u000f\nA\'B"\\\\"/' })).toBe('{"s":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('refuses values I-JSON forbids: lone surrogates, NaN, infinities', () => {
    expect(() => canonicalJson({ s: '\ud800' })).toThrow(/surrogate/);
    // An index-like key sends the value to the library, which escapes lone surrogates: refused all the same.
    expect(() => canonicalJson({ 0: 1, callId: '\ud800' })).toThrow(/surrogate/);
    expect(() => canonicalJson({ 7: { '\udc00': 1 } })).toThrow(/surrogate/);
    expect(() => canonicalJson({ n: NaN })).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
  });
});

describe('the fast path of canonical JSON', () => {
  it('produces exactly what the reference library produces, for any JSON value', () => {
    const reference = (v: unknown) => canonicalize(v);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const plain = JSON.parse(JSON.stringify(value)); // -0 and other non-JSON values out, as a leaf's entry would be
        expect(canonicalJson(plain)).toBe(reference(plain));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps a "__proto__" key a parsed event holds (found by the property above: the fast path dropped it)', () => {
    expect(canonicalJson(JSON.parse('{"b":{"__proto__":0},"a":1}'))).toBe('{"a":1,"b":{"__proto__":0}}');
  });

  it('defers to the library for integer-like keys, whose order JavaScript objects do not keep', () => {
    expect(canonicalJson({ b: 1, '10': 2, '9': 3, a: { '2': 0, '1': 1 } })).toBe('{"10":2,"9":3,"a":{"1":1,"2":0},"b":1}');
  });
});
