import { voiceAssertionSchema } from './voice-assertion';

const assertion = {
  deviceId: 'kitchen', purpose: 'place-call', subject: 'Mom', nonce: 'nonce-0001', issuedAt: '2026-11-27T10:00:00.000Z',
  liveness: 0.9, embedding: [0.6, 0.8], signature: 'c2lnbmF0dXJl',
};
/** A body as it arrives: JSON text, parsed. */
const arriving = (json: string) => voiceAssertionSchema.safeParse({ ...assertion, ...JSON.parse(json) }).success;

describe('the numbers of a voice assertion, as they arrive in JSON (issue 11, finding 4)', () => {
  it('cannot be NaN: JSON has no NaN, and one serialised from a program arrives as null, which is refused', () => {
    expect(() => JSON.parse('{"liveness": NaN}')).toThrow(SyntaxError);
    expect(JSON.stringify({ liveness: NaN })).toBe('{"liveness":null}');
    expect(arriving(JSON.stringify({ liveness: NaN }))).toBe(false);
    expect(arriving(JSON.stringify({ embedding: [NaN, 1] }))).toBe(false);
  });

  it('cannot be infinite: 1e999 parses to Infinity, which is refused', () => {
    expect(arriving('{"liveness": 1e999}')).toBe(false);
    expect(arriving('{"embedding": [1e999, 0]}')).toBe(false);
  });

  it('has a liveness in [0, 1]', () => {
    expect(arriving('{"liveness": 1}')).toBe(true);
    expect(arriving('{"liveness": 1.01}')).toBe(false);
    expect(arriving('{"liveness": -0.01}')).toBe(false);
  });

  it('may carry a finite but huge component: identity refuses it when it scores (voiceVectorProblem), not the contract', () => {
    expect(arriving('{"embedding": [1e308, 1e308]}')).toBe(true);
  });
});

describe('the time a voice assertion was issued', () => {
  it('is an instant PostgreSQL can store: identity burns the nonce under it, and a refused insert would stall its partition', () => {
    expect(arriving('{"issuedAt": "2026-11-27T10:00:00+14:00"}')).toBe(true);
    expect(arriving('{"issuedAt": "2026-11-27T10:00:00-14:00"}')).toBe(true);
    expect(arriving('{"issuedAt": "2026-11-27T10:00:00+16:00"}')).toBe(false);
    expect(arriving('{"issuedAt": "2026-11-27T10:00:00-23:59"}')).toBe(false);
    expect(arriving('{"issuedAt": "0000-01-01T00:00:00Z"}')).toBe(false);
    expect(arriving('{"issuedAt": "0001-01-01T00:30:00+01:00"}')).toBe(false); // the year 0 in UTC
    expect(arriving('{"issuedAt": "0001-01-01T00:00:00Z"}')).toBe(true);
    expect(arriving('{"issuedAt": "9999-12-31T23:59:59.9999995Z"}')).toBe(false); // PostgreSQL rounds it into the year 10000
  });
});
