import { ConfigError } from './errors';

/**
 * Reads required environment variables once, naming every missing one. For hot-path functions that
 * keep zod out of their bundle; others use `loadConfig` (config.ts) and its zod schemas.
 */
export function requireEnv<K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length) throw new ConfigError(`Invalid function configuration: ${missing.map((n) => `${n} is not set`).join('; ')}`);
  return Object.fromEntries(names.map((name) => [name, env[name]!])) as Record<K, string>;
}
