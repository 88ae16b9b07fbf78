import { loadConfig } from '@homeline/platform';
import { identityConfigSchema, speakerVerificationConfig } from './config';

const required = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/identity',
  INTEGRATION_TOKEN: 'a-token-long-enough-to-count',
  VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('the identity configuration', () => {
  it('defaults to stricter thresholds for risky actions than for ordinary calls', () => {
    const thresholds = speakerVerificationConfig(loadConfig(identityConfigSchema, required));
    expect(thresholds.high.score).toBeGreaterThan(thresholds.standard.score);
    expect(thresholds.high.margin).toBeGreaterThan(thresholds.standard.margin);
    expect(thresholds.high.liveness).toBeGreaterThan(thresholds.standard.liveness);
    expect(thresholds.maxAgeSeconds).toBe(30);
  });

  it('embeddings have 192 dimensions unless configured', () => {
    expect(loadConfig(identityConfigSchema, required).VOICEPRINT_DIMENSIONS).toBe(192);
    expect(loadConfig(identityConfigSchema, { ...required, VOICEPRINT_DIMENSIONS: '256' }).VOICEPRINT_DIMENSIONS).toBe(256);
  });

  it('refuses a voiceprint key that is not 32 bytes, naming the variable', () => {
    expect(() => loadConfig(identityConfigSchema, { ...required, VOICEPRINT_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/VOICEPRINT_KEY/);
    expect(() => loadConfig(identityConfigSchema, { ...required, VOICEPRINT_KEY: undefined })).toThrow(/VOICEPRINT_KEY: is required/);
  });

  it('keeps nonces an hour, Idempotency-Keys a day and five voiceprints a member unless configured', () => {
    const config = loadConfig(identityConfigSchema, required);
    expect(config).toMatchObject({ NONCE_RETENTION_SECONDS: 3600, IDEMPOTENCY_KEY_TTL_HOURS: 24, VOICEPRINTS_PER_MEMBER_MAX: 5 });
    expect(speakerVerificationConfig(config).rememberNoncesSeconds).toBe(3600 - 60);
  });

  it('refuses to forget nonces before their assertions stop being fresh', () => {
    expect(() => loadConfig(identityConfigSchema, { ...required, NONCE_RETENTION_SECONDS: '60' })).toThrow(/NONCE_RETENTION_SECONDS: must be at least/);
    expect(loadConfig(identityConfigSchema, { ...required, NONCE_RETENTION_SECONDS: '95' }).NONCE_RETENTION_SECONDS).toBe(95);
  });

  it("refuses a recovery token that is the integration's: the integration could then remove every approver", () => {
    expect(() => loadConfig(identityConfigSchema, { ...required, RECOVERY_TOKEN: required.INTEGRATION_TOKEN })).toThrow(/RECOVERY_TOKEN: must differ from INTEGRATION_TOKEN/);
    expect(loadConfig(identityConfigSchema, { ...required, RECOVERY_TOKEN: 'another-token-long-enough' }).RECOVERY_TOKEN).toBe('another-token-long-enough');
    expect(loadConfig(identityConfigSchema, required).RECOVERY_TOKEN).toBeUndefined();
  });

  it('refuses risky-action thresholds laxer than the ordinary ones', () => {
    expect(() => loadConfig(identityConfigSchema, { ...required, SPEAKER_SCORE_THRESHOLD: '0.9' })).toThrow(/SPEAKER_HIGH_SCORE_THRESHOLD: must be at least/);
  });
});
