import { platformEnv } from '@homeline/platform';
import { z } from 'zod';

/** Everything the identity service reads from its environment, validated once at start. */
export const identityConfigSchema = platformEnv({ httpPort: 3002 });

export type IdentityConfig = z.infer<typeof identityConfigSchema>;
