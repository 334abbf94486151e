import { z } from 'zod';
import { ConfigError } from './errors';
import { envName } from './env-names';
import type { TableName } from './tables';

/** Every problem at once, in one error: `A is not set; B: must be a URL`. */
function configError(problems: string[]): ConfigError {
  return new ConfigError(`Invalid function configuration: ${problems.join('; ')}`);
}

/**
 * Reads and validates settings with zod, throwing one error that names every missing or malformed
 * variable. Functions read theirs through their context's config.ts (`loadSettings`), once, from their wiring.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    throw configError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return env[name] === undefined || env[name] === '' ? `${name} is not set` : `${name}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}

/**
 * `loadConfig` for the metered hot path, which keeps zod out of its bundle (half its size and cold
 * start): required, non-empty strings only, with the same error. Its structured values were validated
 * by zod at synth.
 */
export function requireEnv<K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length) throw configError(missing.map((n) => `${n} is not set`));
  return Object.fromEntries(names.map((name) => [name, env[name]!])) as Record<K, string>;
}

/**
 * `loadConfig` over the named entries of a context's settings (config.ts): each function reads exactly
 * the variables its construct binds, and each variable has one validator in its context.
 */
export function loadSettings<S extends z.ZodRawShape, K extends keyof S & string>(
  settings: S,
  names: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Pick<S, K>>> {
  return loadConfig(Object.fromEntries(names.map((name) => [name, settings[name]])) as Pick<S, K>, env) as z.infer<z.ZodObject<Pick<S, K>>>;
}

/**
 * A function's dependency set, built on its first use and kept for the container's life: importing a
 * handler reads no environment and creates nothing, and a failed build (a missing variable) is tried
 * again on the next call rather than cached.
 */
export function lazily<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/**
 * The tables of a validated config by their data-map names (`{ usageLogs: config.TABLE_USAGE_LOGS, … }`),
 * for adapters that reach many tables: the names follow `envName`, as the construct that binds them.
 */
export function boundTables<N extends TableName>(config: { [K in N as TableSetting<K>]: string }, names: readonly N[]): Record<N, string> {
  const values = config as Record<string, string>;
  return Object.fromEntries(names.map((name) => [name, values[envName('TABLE', name)]])) as Record<N, string>;
}

// Schema factories rather than schema constants, so a bundle that only uses requireEnv drops zod entirely.
/** A resource name bound by the CDK construct (table, bucket, queue URL): non-empty. */
export const boundName = () => z.string().min(1);
/** `usageLogs` → `USAGE_LOGS`, as `envName` spells it at run time. */
type Screaming<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? Uppercase<H> : `_${H}`}${Screaming<T>}`
  : S;
/** The variable a construct binds a table to: `TABLE_USAGE_LOGS` for `usageLogs`. */
export type TableSetting<N extends TableName> = `TABLE_${Screaming<N>}`;
/** The settings of the named tables (`TABLE_<NAME>`, each a bound name), named by the same rule as the construct that binds them. */
export function tableSettings<N extends TableName>(...names: N[]): { [K in N as TableSetting<K>]: ReturnType<typeof boundName> } {
  return Object.fromEntries(names.map((name) => [envName('TABLE', name), boundName()])) as {
    [K in N as TableSetting<K>]: ReturnType<typeof boundName>;
  };
}
/** A setting holding JSON, parsed and then validated by `schema` (which the construct's value also passed at synth). */
export const jsonSetting = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
/** A base URL that goes into mail: required, absolute, no empty-string default. */
export const publicUrl = () => z.url({ protocol: /^https?$/ });
/** The settings several contexts share, each with its one validator: the sender address, the mail domain, the links' base URL. */
export const mailSettings = () => ({ MAIL_FROM: z.email(), MAIL_DOMAIN: z.string().min(3), PUBLIC_URL: publicUrl() });
