import { env, platformEnv, retentionEnv } from '@homeline/platform';
import { z } from 'zod';
import type { SpeakerVerificationConfig } from './domain/speaker-thresholds';
import { defaultSpeakerVerificationConfig as defaults } from './domain/speaker-thresholds';

const unitInterval = (fallback: number) =>
  z.coerce.number({ error: 'expected a number' }).min(-1, 'expected a number in [-1, 1]').max(1, 'expected a number in [-1, 1]').default(fallback);
const seconds = (fallback: number) => z.coerce.number({ error: 'expected a number of seconds' }).int().min(0).default(fallback);

/** Base64 of exactly 32 random bytes: the AES-256-GCM key that seals voiceprints at rest. */
const voiceprintKey = z
  .string({ error: 'expected base64 of 32 bytes (e.g. `openssl rand -base64 32`)' })
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32, {
    message: 'expected base64 of 32 bytes (e.g. `openssl rand -base64 32`)',
  });

/**
 * After a rotation of VOICEPRINT_KEY, the keys it replaced (comma-separated): prints sealed under
 * them still open, and each process's first expiry sweep seals them again under VOICEPRINT_KEY; once
 * a process started after every replica ran with this VOICEPRINT_KEY says it sealed 0, they can be
 * removed from here and destroyed.
 */
const previousVoiceprintKeys = z
  .string()
  .transform((value) => value.split(',').map((key) => key.trim()).filter((key) => key !== ''))
  .pipe(z.array(voiceprintKey))
  .default([]);

/**
 * The sweep deletes nonces by PostgreSQL's clock, verification judges by identity's: an assertion
 * is refused as stale this much before its nonce could be swept, so a clock difference below it
 * cannot open a window for a replay.
 */
export const nonceClockGuardSeconds = 60;

/** Everything the identity service reads from its environment, validated once at start. */
export const identityConfigSchema = platformEnv({ httpPort: 3002 })
  .extend({
    VOICEPRINT_KEY: voiceprintKey,
    VOICEPRINT_PREVIOUS_KEYS: previousVoiceprintKeys,
    /**
     * The bearer token of the carrier's account recovery (POST .../approvers/recovery), held by the
     * process that verifies an account holder out of band, not by the integration. Unset: no
     * recovery (the route answers 401).
     */
    RECOVERY_TOKEN: env.secret().optional(),
    /** Length of the embeddings enrolment accepts (the speaker model's output size). */
    VOICEPRINT_DIMENSIONS: z.coerce.number({ error: 'expected a number' }).int().min(16).max(4096).default(192),
    /** Thresholds for an ordinary call. */
    SPEAKER_SCORE_THRESHOLD: unitInterval(defaults.standard.score),
    SPEAKER_MARGIN: unitInterval(defaults.standard.margin),
    SPEAKER_LIVENESS_THRESHOLD: unitInterval(defaults.standard.liveness),
    /** Thresholds for risky actions (premium and international destinations, answering a sensitive call); must be at least as strict. */
    SPEAKER_HIGH_SCORE_THRESHOLD: unitInterval(defaults.high.score),
    SPEAKER_HIGH_MARGIN: unitInterval(defaults.high.margin),
    SPEAKER_HIGH_LIVENESS_THRESHOLD: unitInterval(defaults.high.liveness),
    ASSERTION_MAX_AGE_SECONDS: seconds(defaults.maxAgeSeconds),
    ASSERTION_FUTURE_SKEW_SECONDS: seconds(defaults.futureSkewSeconds),
    VERIFICATION_CONSUMER_GROUP: z.string().min(1).default('homeline-identity'),
    /** Voiceprints one member may have: each is another voice the member answers to. */
    VOICEPRINTS_PER_MEMBER_MAX: z.coerce.number({ error: 'expected a number' }).int().min(1).max(100).default(5),
    /**
     * How long a burnt nonce is kept. An assertion issued longer ago than this is refused as stale
     * whenever its request reaches identity (its nonce may be forgotten), so this is also the
     * longest backlog a genuine request survives. At least the assertion window plus a minute.
     */
    NONCE_RETENTION_SECONDS: seconds(3600),
    /** After this an Idempotency-Key is forgotten: the same key then runs its request again. */
    IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number({ error: 'expected a number of hours' }).int().min(1).default(24),
    /** How long an action held for an owner's approval waits for the answer (docs/architecture.md section 6.2). */
    APPROVAL_TTL_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(1).default(600),
    /** How old an approver's signed decision may be when it arrives. */
    APPROVAL_SIGNATURE_MAX_AGE_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(1).default(300),
    /** How often expired approvals, nonces, Idempotency-Keys and inbox rows are swept. */
    EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number({ error: 'expected a number of milliseconds' }).int().min(50).default(5000),
    ...retentionEnv,
  })
  .superRefine((config, context) => {
    // The recovery desk's token must not be the integration's: the integration could then remove every approver.
    if (config.RECOVERY_TOKEN !== undefined && config.RECOVERY_TOKEN === config.INTEGRATION_TOKEN) {
      context.addIssue({ code: 'custom', path: ['RECOVERY_TOKEN'], message: 'must differ from INTEGRATION_TOKEN' });
    }
    const pairs = [
      ['SPEAKER_HIGH_SCORE_THRESHOLD', 'SPEAKER_SCORE_THRESHOLD'],
      ['SPEAKER_HIGH_MARGIN', 'SPEAKER_MARGIN'],
      ['SPEAKER_HIGH_LIVENESS_THRESHOLD', 'SPEAKER_LIVENESS_THRESHOLD'],
    ] as const;
    for (const [high, standard] of pairs) {
      if (config[high] < config[standard]) {
        context.addIssue({ code: 'custom', path: [high], message: `must be at least ${standard} (${config[standard]})` });
      }
    }
    const window = config.ASSERTION_MAX_AGE_SECONDS + config.ASSERTION_FUTURE_SKEW_SECONDS + nonceClockGuardSeconds;
    if (config.NONCE_RETENTION_SECONDS < window) {
      context.addIssue({ code: 'custom', path: ['NONCE_RETENTION_SECONDS'], message: `must be at least the assertion window plus ${nonceClockGuardSeconds} s (${window})` });
    }
  });

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

/** The verification thresholds as the domain reads them. */
export const speakerVerificationConfig = (config: IdentityConfig): SpeakerVerificationConfig => ({
  standard: { score: config.SPEAKER_SCORE_THRESHOLD, margin: config.SPEAKER_MARGIN, liveness: config.SPEAKER_LIVENESS_THRESHOLD },
  high: { score: config.SPEAKER_HIGH_SCORE_THRESHOLD, margin: config.SPEAKER_HIGH_MARGIN, liveness: config.SPEAKER_HIGH_LIVENESS_THRESHOLD },
  maxAgeSeconds: config.ASSERTION_MAX_AGE_SECONDS,
  futureSkewSeconds: config.ASSERTION_FUTURE_SKEW_SECONDS,
  rememberNoncesSeconds: config.NONCE_RETENTION_SECONDS - nonceClockGuardSeconds,
});
