import { env, platformEnv, retentionEnv } from '@homeline/platform';
import { z } from 'zod';

/** Everything the calls service reads from its environment, validated once at start. */
export const callsConfigSchema = platformEnv({ httpPort: 3001 }).extend({
  /** How long each waiting step of a call may take before it fails with `timeout`. */
  CALL_VERIFICATION_TIMEOUT_MS: env.milliseconds(5_000),
  CALL_ROUTING_TIMEOUT_MS: env.milliseconds(5_000),
  CALL_RINGING_TIMEOUT_MS: env.milliseconds(10_000),
  CALL_ANSWER_TIMEOUT_MS: env.milliseconds(45_000),
  /** An emergency call waits this long for its answer: a call-taker queue must not lose the caller (30 min). */
  CALL_EMERGENCY_ANSWER_TIMEOUT_MS: env.milliseconds(1_800_000),
  /**
   * How long a call that may be an emergency one waits for routing's decision, and an emergency
   * call for its carrier leg to ring, instead of CALL_ROUTING_TIMEOUT_MS and CALL_RINGING_TIMEOUT_MS:
   * a slow or throttling carrier is tried again, not given up on after 10 s (2 min).
   */
  CALL_EMERGENCY_SETUP_TIMEOUT_MS: env.milliseconds(120_000),
  /**
   * How long an answer waits for calls to have read the offer it answers: devices ring off routing's
   * topic, one hop before calls opens the call, so a quick "Alexa, answer" may come first. After
   * this, an unknown call is 404 call_not_found.
   */
  CALL_ANSWER_OFFER_WAIT_MS: env.milliseconds(2_000),
  /** How long an inbound call rings in the home before it fails with `no_answer` (docs/architecture.md section 6.1). */
  CALL_RING_TIMEOUT_MS: env.milliseconds(30_000),
  /**
   * The longest the deadline scheduler sleeps: it wakes at the next deadline this process set, and
   * at least this often for those other replicas set.
   */
  CALL_DEADLINE_POLL_MS: env.milliseconds(1_000),
  /** How old (or how far in the future) an emergency request's assertion may be for calls to route it without identity. */
  ASSERTION_MAX_AGE_SECONDS: env.seconds(30),
  ASSERTION_FUTURE_SKEW_SECONDS: env.seconds(5),
  /** How long a POST /v1/calls Idempotency-Key is remembered. */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number({ error: 'expected a number of hours' }).int().min(1).default(24),
  /** How often expired Idempotency-Keys, emergency nonces and inbox rows are forgotten. */
  EXPIRY_SWEEP_INTERVAL_MS: env.milliseconds(60_000),
  ...retentionEnv,
});

export type CallsConfig = z.infer<typeof callsConfigSchema>;

export const callTimeouts = (config: CallsConfig) => ({
  verificationMs: config.CALL_VERIFICATION_TIMEOUT_MS,
  routingMs: config.CALL_ROUTING_TIMEOUT_MS,
  ringingMs: config.CALL_RINGING_TIMEOUT_MS,
  answerMs: config.CALL_ANSWER_TIMEOUT_MS,
  emergencyAnswerMs: config.CALL_EMERGENCY_ANSWER_TIMEOUT_MS,
  emergencySetupMs: config.CALL_EMERGENCY_SETUP_TIMEOUT_MS,
  ringMs: config.CALL_RING_TIMEOUT_MS,
});
