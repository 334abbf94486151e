import { DynamoDbAuditTrail } from '../shared/adapters/dynamodb-audit';
import { DynamoDbUsageLogs } from '../shared/adapters/dynamodb-usage-logs';
import { ScryptHasher } from '../shared/adapters/scrypt-hasher';
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
const hasher = () => ({ hasher: new ScryptHasher() });

/** `POST /v1/auth/login`, the password reset and `GET|PATCH /v1/account`: every port. */
export const signInWiring = lazily(() => {
  const c = signInConfig();
  return {
    accountService: new AccountService({
      ...accounts(c),
      ...sessions(c),
      ...tokens(c),
      ...mailer(c),
      ...securityLog(c),
      ...hasher(),
      publicUrl: c.PUBLIC_URL,
    }),
  };
});

/** Sign-up and the resent verification. */
export const signupWiring = lazily(() => {
  const c = signupConfig();
  return {
    accountService: new AccountService({
      ...accounts(c),
      ...tokens(c),
      ...mailer(c),
      ...securityLog(c),
      ...hasher(),
      publicUrl: c.PUBLIC_URL,
    }),
  };
});

/** The mailed links' landing. */
export const verifyWiring = lazily(() => {
  const c = verifyConfig();
  return { accountService: new AccountService({ ...accounts(c), ...tokens(c), ...mailer(c), ...securityLog(c) }) };
});

/** The password change. */
export const passwordWiring = lazily(() => {
  const c = passwordConfig();
  return { accountService: new AccountService({ ...accounts(c), ...sessions(c), ...mailer(c), ...securityLog(c), ...hasher() }) };
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
  const { keyStore, ...ports } = { keyStore: new DynamoDbKeyStore(dynamo, c.TABLE_API_KEYS), ...accounts(c), ...securityLog(c) };
  return {
    accountService: new AccountService({ ...ports, ...hasher() }),
    keyService: new KeyService({
      keys: keyStore,
      accounts: ports.accounts,
      securityLog: ports.securityLog,
      clock: systemClock,
      usage: new LogKeyUsage(new DynamoDbUsageLogs(dynamo, c.TABLE_USAGE_LOGS), () => systemClock.now()),
    }),
  };
});
