import { env, platformEnv } from '@homeline/platform';
import { parseSignerKey, parseVerifierKey } from '@homeline/tlog';
import { z } from 'zod';

const signingKey = z.string({ error: 'expected a signer key PRIVATE+KEY+<name>+<hex id>+<base64>' }).transform((text, ctx) => {
  try {
    return parseSignerKey(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const previousVerifierKeys = z
  .string({ error: 'expected verifier keys <name>+<hex id>+<base64>, separated by commas' })
  .transform((text, ctx) => {
    try {
      return text.split(',').map((key) => key.trim()).filter(Boolean).map(parseVerifierKey);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const keyEncryptionKey = z.string({ error: 'expected 32 bytes, base64' }).transform((text, ctx) => {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text) {
    ctx.addIssue({ code: 'custom', message: 'expected 32 bytes, base64' });
    return z.NEVER;
  }
  return key;
});

/** Everything the audit service reads from its environment, validated once at start. */
export const auditConfigSchema = platformEnv({ httpPort: 3004 }).extend({
  /** Bearer token of the compliance team's queries (GET /v1/audit/...). */
  COMPLIANCE_TOKEN: env.secret(),
  /** Ed25519 checkpoint signing key, in the signed-note signer format; its key name is the log's origin unless AUDIT_ORIGIN says otherwise. */
  AUDIT_SIGNING_KEY: signingKey,
  /**
   * The verifier keys of earlier signing keys, after a rotation (comma-separated): the self-check
   * verifies the checkpoints they signed. A checkpoint no key verifies is a problem it reports.
   */
  AUDIT_PREVIOUS_VERIFIER_KEYS: previousVerifierKeys.default([]),
  /** Key-encryption key (32 bytes, base64) wrapping every account's data key. */
  AUDIT_KEK: keyEncryptionKey,
  /** The checkpoint origin line; defaults to the signing key's name. */
  AUDIT_ORIGIN: z.string().regex(/^[^\s+]+$/, 'expected a schema-less URL without spaces or "+", e.g. homeline.example/audit').optional(),
  /** Safety-net poll for leaves staged by a replica that died before integrating them. */
  AUDIT_INTEGRATE_POLL_MS: env.milliseconds(250),
  /** How long the integrator gathers entries after a wake-up before it integrates (a checkpoint per batch). */
  AUDIT_INTEGRATE_DELAY_MS: z.coerce.number().int().min(0).max(500).default(100),
  /**
   * How long a Kafka fetch of the audit's consumer waits for more to arrive (fetch.max.wait.ms, with a
   * fetch.min.bytes it does not reach under a call rate): events come to it in batches, not one
   * fetch and one write each. Added to AUDIT_INTEGRATE_DELAY_MS, still well within a second.
   */
  AUDIT_FETCH_WAIT_MS: z.coerce.number().int().min(0).max(400).default(100),
  /** Most leaves sequenced per transaction. */
  AUDIT_BATCH_MAX: z.coerce.number().int().min(1).max(50_000).default(5000),
  /** Period of the self-check (0: only on request). */
  AUDIT_SELF_CHECK_INTERVAL_MS: env.milliseconds(600_000),
}).superRefine((config, context) => {
  // The compliance team's token must not be the integration's: every integration could then read the log's personal data and erase accounts.
  if (config.COMPLIANCE_TOKEN === config.INTEGRATION_TOKEN) {
    context.addIssue({ code: 'custom', path: ['COMPLIANCE_TOKEN'], message: 'must differ from INTEGRATION_TOKEN' });
  }
});

export type AuditConfig = z.infer<typeof auditConfigSchema>;

export const originOf = (config: AuditConfig): string => config.AUDIT_ORIGIN ?? config.AUDIT_SIGNING_KEY.name;
