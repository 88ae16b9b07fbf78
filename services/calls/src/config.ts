import { env, platformEnv } from '@homeline/platform';
import { z } from 'zod';

/** Everything the calls service reads from its environment, validated once at start. */
export const callsConfigSchema = platformEnv({ httpPort: 3001 }).extend({
  /** How long each waiting step of a call may take before it fails with `timeout`. */
  CALL_VERIFICATION_TIMEOUT_MS: env.milliseconds(5_000),
  CALL_ROUTING_TIMEOUT_MS: env.milliseconds(5_000),
  CALL_RINGING_TIMEOUT_MS: env.milliseconds(10_000),
  CALL_ANSWER_TIMEOUT_MS: env.milliseconds(45_000),
  /** How often the deadline scheduler looks for expired steps. */
  CALL_DEADLINE_POLL_MS: env.milliseconds(200),
});

export type CallsConfig = z.infer<typeof callsConfigSchema>;

export const callTimeouts = (config: CallsConfig) => ({
  verificationMs: config.CALL_VERIFICATION_TIMEOUT_MS,
  routingMs: config.CALL_ROUTING_TIMEOUT_MS,
  ringingMs: config.CALL_RINGING_TIMEOUT_MS,
  answerMs: config.CALL_ANSWER_TIMEOUT_MS,
});
