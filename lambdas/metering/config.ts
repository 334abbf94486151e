import { z } from 'zod';
import { boundName, loadSettings, mailSettings, requireEnv, tableSettings } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { type Catalog, parseCatalog } from './catalog';

/** The log message of a usage event that could not be queued; `npm run ops -- replay-unqueued` reads it. */
export const UNQUEUED_USAGE_MESSAGE = 'Usage event not queued';

/** Every variable a metering function but the gateway can be bound to, each with its one validator. */
const SETTINGS = () => ({
  ...mailSettings(),
  ...tableSettings('usageLogs', 'usageAggregates', 'ledger', 'accounts', 'securityEvents'),
  /** Only when the worker may suspend accounts (SUSPEND_ON_MANY_ADDRESSES). */
  TABLE_API_KEYS: boundName().optional(),
  KEY_ADDRESSES_PER_HOUR: z.coerce.number().int().min(2),
  SUSPEND_ON_MANY_ADDRESSES: z.enum(['true', 'false']).transform((v) => v === 'true'),
  SWEEP_EVERY_MINUTES: z.coerce.number().int().min(1).max(60),
  /** The usage queue the drain receives from. */
  QUEUE_USAGE_URL: boundName(),
  /** Events the drain records together. */
  DRAIN_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000),
});
type Setting = keyof ReturnType<typeof SETTINGS>;
const settings = <K extends Setting>(...names: K[]) => loadSettings(SETTINGS(), names);

/**
 * The gateway's settings, without zod (see `requireEnv`): the hot path keeps zod out of its bundle.
 * The catalog was validated by zod at synth (`CatalogSchema`).
 */
export function gatewayConfig(): {
  keysTable: string;
  ledgerTable: string;
  /** Lone calls: the gateway records them in the usage logs, with the account's settings. */
  usageLogsTable: string;
  accountsTable: string;
  usageQueueUrl: string;
  catalog: Catalog;
  builtinEchoUrl: string;
  keyCacheSeconds: number;
} {
  const env = requireEnv([
    'TABLE_API_KEYS',
    'TABLE_LEDGER',
    'TABLE_USAGE_LOGS',
    'TABLE_ACCOUNTS',
    'QUEUE_USAGE_URL',
    'CATALOG',
    'BUILTIN_ECHO_URL',
    'KEY_CACHE_SECONDS',
  ]);
  return {
    keysTable: env.TABLE_API_KEYS,
    ledgerTable: env.TABLE_LEDGER,
    usageLogsTable: env.TABLE_USAGE_LOGS,
    accountsTable: env.TABLE_ACCOUNTS,
    usageQueueUrl: env.QUEUE_USAGE_URL,
    catalog: parseCatalog(env.CATALOG),
    builtinEchoUrl: env.BUILTIN_ECHO_URL,
    keyCacheSeconds: Number(env.KEY_CACHE_SECONDS),
  };
}

/** The usage worker. */
export function workerConfig() {
  const config = settings(
    'TABLE_USAGE_LOGS',
    'TABLE_USAGE_AGGREGATES',
    'TABLE_LEDGER',
    'TABLE_ACCOUNTS',
    'TABLE_SECURITY_EVENTS',
    'TABLE_API_KEYS',
    'MAIL_FROM',
    'PUBLIC_URL',
    'KEY_ADDRESSES_PER_HOUR',
    'SUSPEND_ON_MANY_ADDRESSES',
  );
  if (config.SUSPEND_ON_MANY_ADDRESSES && !config.TABLE_API_KEYS)
    throw new ConfigError('Invalid function configuration: TABLE_API_KEYS is not set (SUSPEND_ON_MANY_ADDRESSES needs it)');
  return config;
}

/** The usage drain: the worker's settings, the queue it receives from and its batch size. */
export const drainConfig = () => ({ ...workerConfig(), ...settings('QUEUE_USAGE_URL', 'DRAIN_BATCH_SIZE') });

/** The usage API. */
export const usageApiConfig = () => settings('TABLE_USAGE_LOGS', 'TABLE_USAGE_AGGREGATES');

/** The usage sweep: its tables and how often its schedule runs it. */
export const sweepConfig = () => settings('TABLE_USAGE_LOGS', 'TABLE_USAGE_AGGREGATES', 'SWEEP_EVERY_MINUTES');
