import { z } from 'zod';
import { boundName, loadConfig, publicUrl, requireEnv } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { type Catalog, parseCatalog } from './catalog';

/** The log message of a usage event that could not be queued; `npm run ops -- replay-unqueued` reads it. */
export const UNQUEUED_USAGE_MESSAGE = 'Usage event not queued';

/** The gateway's settings, without zod (see `requireEnv`); the catalog was validated by zod at synth. */
export function gatewayConfig(): {
  keysTable: string;
  ledgerTable: string;
  usageQueueUrl: string;
  catalog: Catalog;
  builtinEchoUrl: string;
  keyCacheSeconds: number;
} {
  const env = requireEnv(['TABLE_API_KEYS', 'TABLE_LEDGER', 'QUEUE_USAGE_URL', 'CATALOG', 'BUILTIN_ECHO_URL', 'KEY_CACHE_SECONDS']);
  return {
    keysTable: env.TABLE_API_KEYS,
    ledgerTable: env.TABLE_LEDGER,
    usageQueueUrl: env.QUEUE_USAGE_URL,
    catalog: parseCatalog(env.CATALOG),
    builtinEchoUrl: env.BUILTIN_ECHO_URL,
    keyCacheSeconds: Number(env.KEY_CACHE_SECONDS),
  };
}

/** The usage worker's settings. */
export function workerConfig() {
  const config = loadConfig({
    TABLE_USAGE_LOGS: boundName(),
    TABLE_USAGE_AGGREGATES: boundName(),
    TABLE_LEDGER: boundName(),
    TABLE_ACCOUNTS: boundName(),
    TABLE_SECURITY_EVENTS: boundName(),
    /** Only when the worker may suspend accounts (SUSPEND_ON_MANY_ADDRESSES). */
    TABLE_API_KEYS: boundName().optional(),
    MAIL_FROM: z.email(),
    PUBLIC_URL: publicUrl(),
    KEY_ADDRESSES_PER_HOUR: z.coerce.number().int().min(2),
    SUSPEND_ON_MANY_ADDRESSES: z.enum(['true', 'false']).transform((v) => v === 'true'),
  });
  if (config.SUSPEND_ON_MANY_ADDRESSES && !config.TABLE_API_KEYS)
    throw new ConfigError('Invalid function configuration: TABLE_API_KEYS is not set (SUSPEND_ON_MANY_ADDRESSES needs it)');
  return config;
}

/** The usage API's settings. */
export const usageApiConfig = () =>
  loadConfig({ TABLE_USAGE_LOGS: boundName(), TABLE_USAGE_AGGREGATES: boundName(), TABLE_SESSIONS: boundName() });

/** The usage sweep's settings: its tables and how often its schedule runs it. */
export const sweepConfig = () =>
  loadConfig({
    TABLE_USAGE_LOGS: boundName(),
    TABLE_USAGE_AGGREGATES: boundName(),
    SWEEP_EVERY_MINUTES: z.coerce.number().int().min(1).max(60),
  });
