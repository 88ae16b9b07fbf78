import { env, platformEnv } from '@homeline/platform';
import { z } from 'zod';

/** Everything the audit service reads from its environment, validated once at start. */
export const auditConfigSchema = platformEnv({ httpPort: 3004 }).extend({
    /** Bearer token of the compliance team's queries (GET /v1/audit/...). */
    COMPLIANCE_TOKEN: env.secret(),
});

export type AuditConfig = z.infer<typeof auditConfigSchema>;
