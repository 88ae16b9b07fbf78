import { platformEnv } from '@homeline/platform';
import { z } from 'zod';

/** Everything the calls service reads from its environment, validated once at start. */
export const callsConfigSchema = platformEnv({ httpPort: 3001 });

export type CallsConfig = z.infer<typeof callsConfigSchema>;
