import { DynamoDbAuditTrail } from '../shared/adapters/dynamodb-audit';
import { DynamoDbUsageLogs } from '../shared/adapters/dynamodb-usage-logs';
import { ScryptHasher, scryptCostOf } from '../shared/adapters/scrypt-hasher';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { lazily } from '../shared/config';
import {
  DynamoDbAccountStore,
  DynamoDbKeyStore,
  DynamoDbSecurityLog,
  DynamoDbSessionStore,
  DynamoDbTokenStore,
} from './adapters/dynamodb-stores';
import { LogKeyUsage } from './adapters/log-key-usage';
import {
  activityConfig,
  keysConfig,
  passwordConfig,
  preferencesConfig,
  sessionsConfig,
  signInConfig,
  signupConfig,
  verifyConfig,
} from './config';
import { AccountService } from './domain/accounts';
import { KeyService } from './domain/keys';
import { realTime } from './domain/pacing';
import { systemClock } from './domain/ports';

// Each port from the variable its construct binds; an account service holds only those of its function.
const accounts = (c: { TABLE_ACCOUNTS: string }) => ({ accounts: new DynamoDbAccountStore(dynamo, c.TABLE_ACCOUNTS) });
const sessions = (c: { TABLE_SESSIONS: string }) => ({ sessions: new DynamoDbSessionStore(dynamo, c.TABLE_SESSIONS) });
const tokens = (c: { TABLE_TOKENS: string }) => ({ tokens: new DynamoDbTokenStore(dynamo, c.TABLE_TOKENS) });
const mailer = (c: { MAIL_FROM: string }) => ({ mailer: new SesMailer(ses, c.MAIL_FROM) });
/** The security log, which also holds the failure counters, with the clock that stamps its events. */
const securityLog = (c: { TABLE_SECURITY_EVENTS: string }) => {
  const log = new DynamoDbSecurityLog(dynamo, c.TABLE_SECURITY_EVENTS);
  return { securityLog: log, failures: log, clock: systemClock };
};
/** What checks a password: the account, the hasher, and the log and counters that record and limit the attempts. */
const credentials = (c: { TABLE_ACCOUNTS: string; TABLE_SECURITY_EVENTS: string }) => ({
  ...accounts(c),
  ...securityLog(c),
  hasher: new ScryptHasher(scryptCostOf()),
});
/** What mails a single-use link: the tokens it stores, the mailer and the links' base URL. */
const mailedLinks = (c: { TABLE_TOKENS: string; MAIL_FROM: string; PUBLIC_URL: string }) => ({
  ...tokens(c),
  ...mailer(c),
  publicUrl: c.PUBLIC_URL,
});

/** `POST /v1/auth/login`, the password reset and `GET|PATCH /v1/account`: every port. */
export const signInWiring = lazily(() => {
  const c = signInConfig();
  return { accountService: new AccountService({ ...credentials(c), ...sessions(c), ...mailedLinks(c), pacing: realTime }) };
});

/** Sign-up and the resent verification. */
export const signupWiring = lazily(() => {
  const c = signupConfig();
  return { accountService: new AccountService({ ...credentials(c), ...mailedLinks(c), pacing: realTime }) };
});

/** The mailed links' landing: it mails notices, no links. */
export const verifyWiring = lazily(() => {
  const c = verifyConfig();
  return { accountService: new AccountService({ ...accounts(c), ...tokens(c), ...mailer(c), ...securityLog(c) }) };
});

/** The password change. */
export const passwordWiring = lazily(() => {
  const c = passwordConfig();
  return { accountService: new AccountService({ ...credentials(c), ...sessions(c), ...mailer(c) }) };
});

/** The preferences. */
export const preferencesWiring = lazily(() => ({
  accountService: new AccountService({ ...accounts(preferencesConfig()), clock: systemClock }),
}));

/** Sessions and sign-out. */
export const sessionsWiring = lazily(() => {
  const c = sessionsConfig();
  return { accountService: new AccountService({ ...sessions(c), ...securityLog(c) }) };
});

/** The security events and the holder's audit stream. */
export const activityWiring = lazily(() => {
  const c = activityConfig();
  return { accountService: new AccountService({ ...securityLog(c) }), audit: new DynamoDbAuditTrail(dynamo, c.TABLE_AUDIT_EVENTS) };
});

/** API keys, and the password check an older session makes before creating one. */
export const keysWiring = lazily(() => {
  const c = keysConfig();
  const ports = credentials(c);
  return {
    accountService: new AccountService(ports),
    keyService: new KeyService({
      keys: new DynamoDbKeyStore(dynamo, c.TABLE_API_KEYS),
      accounts: ports.accounts,
      securityLog: ports.securityLog,
      clock: systemClock,
      usage: new LogKeyUsage(new DynamoDbUsageLogs(dynamo, c.TABLE_USAGE_LOGS), () => systemClock.now()),
    }),
  };
});
