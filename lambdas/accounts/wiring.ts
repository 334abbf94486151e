import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { ConfigError } from '../shared/errors';
import {
  DynamoDbAccountStore,
  DynamoDbKeyStore,
  DynamoDbSecurityLog,
  DynamoDbSessionStore,
  DynamoDbTokenStore,
} from './adapters/dynamodb-stores';
import { ScryptHasher } from './adapters/scrypt-hasher';
import { AccountService } from './domain/accounts';
import { KeyService } from './domain/keys';
import { systemClock } from './domain/ports';

/**
 * Each accounts function is bound (by its CDK construct) to only the tables and settings it needs.
 * What it was not given is a stand-in that fails on first use, naming the missing variable.
 */
function bound<T extends object>(variable: string, make: (value: string) => T): T {
  const value = process.env[variable];
  if (value) return make(value);
  return new Proxy({} as T, {
    get: () => () => Promise.reject(new ConfigError(`${variable} is not set: this function is not bound to it`)),
  });
}

const accounts = bound('TABLE_ACCOUNTS', (t) => new DynamoDbAccountStore(dynamo, t));
const sessions = bound('TABLE_SESSIONS', (t) => new DynamoDbSessionStore(dynamo, t));
const tokens = bound('TABLE_TOKENS', (t) => new DynamoDbTokenStore(dynamo, t));
const keys = bound('TABLE_API_KEYS', (t) => new DynamoDbKeyStore(dynamo, t));
const securityLog = bound('TABLE_SECURITY_EVENTS', (t) => new DynamoDbSecurityLog(dynamo, t));
const mailer = bound('MAIL_FROM', (from) => new SesMailer(ses, from));

/** Built once per container, at cold start. */
export const accountService = new AccountService({
  accounts,
  sessions,
  tokens,
  securityLog,
  failures: securityLog,
  hasher: new ScryptHasher(),
  mailer,
  clock: systemClock,
  publicUrl: process.env.PUBLIC_URL ?? '',
});

export const keyService = new KeyService({ keys, accounts, securityLog, clock: systemClock });
