import { z } from 'zod';

/** Thrown at start when the environment does not satisfy a service's schema. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment once, at start. Every bad variable is named in one error,
 * so an operator fixes them all in one go instead of one per restart.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => describe(issue, env)));
}

function describe(issue: z.core.$ZodIssue, env: Env): string {
  // Name the variable itself, even when the issue is inside its parsed value (a list item).
  const name = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
  const missing = issue.path.length === 1 && env[name] === undefined;
  return `${name}: ${missing && issue.code === 'invalid_type' ? 'is required' : issue.message}`;
}
