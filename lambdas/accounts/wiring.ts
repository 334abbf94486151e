import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamoDbSessionLookup, sessionAuthenticator } from '../shared/auth/session';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { boundName, loadConfig, publicUrl } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { z } from 'zod';
import {
  DynamoDbAccountStore,
  DynamoDbKeyStore,
  DynamoDbSecurityLog,
  DynamoDbSessionStore,
  DynamoDbTokenStore,
} from './adapters/dynamodb-stores';
import { ScryptHasher } from '../shared/adapters/scrypt-hasher';
import { DynamoDbUsageLogs } from '../shared/adapters/dynamodb-usage-logs';
import { LogKeyUsage } from './adapters/log-key-usage';
import { AccountService } from './domain/accounts';
import { KeyService } from './domain/keys';
import { systemClock } from './domain/ports';

/** Every setting an accounts function can be bound to by its construct. */
const SETTINGS = {
  TABLE_ACCOUNTS: boundName(),
  TABLE_SESSIONS: boundName(),
  TABLE_TOKENS: boundName(),
  TABLE_API_KEYS: boundName(),
  TABLE_SECURITY_EVENTS: boundName(),
  TABLE_USAGE_LOGS: boundName(),
  MAIL_FROM: z.email(),
  PUBLIC_URL: publicUrl(),
};
export type AccountsSetting = keyof typeof SETTINGS;

/** A port this function was not bound to: its construct gave it no grant, so it must never be used. */
function notBound<T extends object>(setting: AccountsSetting): T {
  return new Proxy({} as T, {
    get: () => () => Promise.reject(new ConfigError(`This function is not bound to ${setting}`)),
  });
}

/**
 * Builds an accounts function's services from exactly the settings it names, read and validated once
 * at cold start (every missing one named). Call it at module scope in the handler.
 */
export function accountsWiring<K extends AccountsSetting>(...settings: K[]) {
  const config = loadConfig(Object.fromEntries(settings.map((s) => [s, SETTINGS[s]])) as Pick<typeof SETTINGS, K>) as Partial<
    Record<AccountsSetting, string>
  >;
  const bound = <T extends object>(setting: AccountsSetting, make: (value: string) => T): T => {
    const value = config[setting];
    return value ? make(value) : notBound<T>(setting);
  };
  const accounts = bound('TABLE_ACCOUNTS', (t) => new DynamoDbAccountStore(dynamo, t));
  const sessions = bound('TABLE_SESSIONS', (t) => new DynamoDbSessionStore(dynamo, t));
  const tokens = bound('TABLE_TOKENS', (t) => new DynamoDbTokenStore(dynamo, t));
  const keys = bound('TABLE_API_KEYS', (t) => new DynamoDbKeyStore(dynamo, t));
  const securityLog = bound('TABLE_SECURITY_EVENTS', (t) => new DynamoDbSecurityLog(dynamo, t));
  const mailer = bound('MAIL_FROM', (from) => new SesMailer(ses, from));
  return {
    accountService: new AccountService({
      accounts,
      sessions,
      tokens,
      securityLog,
      failures: securityLog,
      hasher: new ScryptHasher(),
      mailer,
      clock: systemClock,
      publicUrl: config.PUBLIC_URL,
    }),
    keyService: new KeyService({
      keys,
      accounts,
      securityLog,
      clock: systemClock,
      ...(config.TABLE_USAGE_LOGS
        ? { usage: new LogKeyUsage(new DynamoDbUsageLogs(dynamo, config.TABLE_USAGE_LOGS), () => systemClock.now()) }
        : {}),
    }),
    authenticate: sessionAuthenticator(bound('TABLE_SESSIONS', (t) => dynamoDbSessionLookup(dynamo, t))),
  };
}
