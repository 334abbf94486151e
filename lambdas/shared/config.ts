import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Reads and validates environment variables once (call it at module scope, i.e. at cold start).
 * Throws one error naming every missing or malformed variable.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return env[name] === undefined ? `${name} is not set` : `${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid function configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
