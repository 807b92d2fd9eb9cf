import { type ZodRawShape, z } from 'zod';

/** Thrown when the environment is invalid. Its message is one line naming every bad variable. */
export class ConfigError extends Error {
  readonly variables: string[];
  constructor(issues: Array<{ variable: string; message: string }>) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variables = issues.map((i) => i.variable);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses `env` against a shape of variable schemas. Empty strings count as unset, so
 * `PORT=` in a .env file means "use the default" rather than "invalid".
 */
export function parseEnv<S extends ZodRawShape>(shape: S, env: Env): z.infer<z.ZodObject<S>> {
  const cleaned: Env = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(env)'),
        message: issue.message === 'Invalid input' ? 'is required' : issue.message,
      })),
    );
  }
  return result.data;
}
