import { ERASED, isSealed, openPersonalData, sealPersonalData, type SealedValue } from './personal-data';

/** A stand-in seal that records what was sealed, so the policy is tested without cryptography. */
const sealed: Record<string, unknown> = {};
const seal = (path: string, value: unknown): SealedValue => {
  sealed[path] = value;
  return { $sealed: path };
};
const digest = (embedding: unknown) => ({ dimensions: (embedding as unknown[]).length });

describe('personal data in an event', () => {
  it('seals numbers, names and the address of an opened account, and keeps ids, time zone and codes in the clear', () => {
    const data = sealPersonalData({
      accountId: 'a1', msisdn: '+15551230001', displayName: 'The Rivera home', timezone: 'America/New_York',
      address: { line1: '12 Elm Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    }, seal, digest);
    expect(data).toEqual({ accountId: 'a1', timezone: 'America/New_York', msisdn: { $sealed: 'data.msisdn' }, displayName: { $sealed: 'data.displayName' }, address: { $sealed: 'data.address' } });
    expect(sealed['data.address']).toMatchObject({ line1: '12 Elm Street' });
  });

  it('seals the dial target, the voice subject and keeps only a digest of the embedding, sealed', () => {
    const data = sealPersonalData({ callId: 'c1', deviceId: 'd1', target: 'Mom', voice: { subject: 'Mom', nonce: 'n', liveness: 0.93, embedding: [0.1, 0.2], issuedAt: '2026-01-01T00:00:00Z' } }, seal, digest);
    expect(data).toEqual({ callId: 'c1', deviceId: 'd1', target: { $sealed: 'data.target' }, voice: { subject: { $sealed: 'data.voice.subject' }, nonce: 'n', liveness: 0.93, embedding: { $sealed: 'data.voice.embedding' }, issuedAt: '2026-01-01T00:00:00Z' } });
    expect(sealed['data.voice.embedding']).toEqual({ dimensions: 2 });
  });

  it('seals text under a key it does not know (default deny), but not numbers or flags', () => {
    expect(sealPersonalData({ nickname: 'Grandma', sipCode: 486, sensitive: true, grants: ['premium'] }, seal, digest)).toEqual({
      nickname: { $sealed: 'data.nickname' }, sipCode: 486, sensitive: true, grants: ['premium'],
    });
  });

  it("keeps a reason code in the clear, but seals the carrier desk's own record of why it closed an account", () => {
    expect(sealPersonalData({ callId: 'c1', reason: 'rate_limited' }, seal, digest)).toEqual({ callId: 'c1', reason: 'rate_limited' });
    const closed = sealPersonalData({ accountId: 'a1', msisdn: '+15551230001', reason: 'ported out for Jane Doe, ticket 7731' }, seal, digest);
    expect(closed).toEqual({ accountId: 'a1', msisdn: { $sealed: 'data.msisdn' }, reason: { $sealed: 'data.reason' } });
    expect(sealed['data.reason']).toBe('ported out for Jane Doe, ticket 7731');
  });

  it('seals contact names nested in other objects and in lists', () => {
    expect(sealPersonalData({ viaContact: { contactId: 'k1', name: 'Mom', household: false }, aliases: ['Mother'] }, seal, digest)).toEqual({
      viaContact: { contactId: 'k1', name: { $sealed: 'data.viaContact.name' }, household: false }, aliases: { $sealed: 'data.aliases' },
    });
  });

  it('opens every sealed value, or shows "[erased]" where its key is gone', () => {
    const data = { e164: { $sealed: 'x' }, nested: [{ name: { $sealed: 'y' } }], class: 'domestic' };
    expect(openPersonalData(data, (path) => (path === 'data.e164' ? '+15550100001' : ERASED))).toEqual({ e164: '+15550100001', nested: [{ name: '[erased]' }], class: 'domestic' });
    expect(isSealed({ $sealed: 'x', other: 1 })).toBe(false);
  });
});
