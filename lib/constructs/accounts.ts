import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { accountRoutes } from '../../lambdas/accounts/routes';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import type { FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { type HandlerFunctionSpec, routeFunctions } from './shared/route-functions';

export interface AccountsProps {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  /** Verified SES identity that verification and notice mail is sent from. */
  readonly mailFrom: string;
  /** Base URL of links in mail. */
  readonly publicUrl: string;
}

/** Functions that run scrypt get more memory, which also buys CPU, and more time. */
const HASHES_PASSWORDS = { memorySize: 1024, timeout: Duration.seconds(15) };

/**
 * Sign-up, sign-in, sessions, self-service account routes and API keys: one function per handler of
 * the accounts route manifest, each granted only the tables it touches.
 */
export class Accounts extends Construct {
  public readonly functions: Record<string, OmnApiFunction>;

  constructor(scope: Construct, id: string, props: AccountsProps) {
    super(scope, id);
    const links = { PUBLIC_URL: props.publicUrl };
    const handlers: Record<string, HandlerFunctionSpec> = {
      'auth-signup': {
        description: 'Creates an unverified account and mails the verification link (again, on request)',
        tables: { accounts: 'readWrite', tokens: 'write', securityEvents: 'readWrite' },
        sendsMail: true,
        environment: links,
        ...HASHES_PASSWORDS,
      },
      'auth-password-reset': {
        description: 'Mails password-reset links and sets a new password from one, signing every session out',
        tables: { accounts: 'readWrite', sessions: 'readWrite', tokens: 'readWrite', securityEvents: 'readWrite' },
        sendsMail: true,
        environment: links,
        ...HASHES_PASSWORDS,
      },
      'auth-verify': {
        description: 'Follows single-use links from verification, email-change and "was this you?" mail',
        tables: { accounts: 'readWrite', tokens: 'readWrite', securityEvents: 'write' },
        sendsMail: true,
      },
      'auth-login': {
        description: 'Checks a password, throttles failures, mails the "was this you?" link and opens a session',
        // readWrite: a sign-in remembers its address (guesses from elsewhere never pause sign-in from it).
        tables: { accounts: 'readWrite', sessions: 'write', tokens: 'write', securityEvents: 'readWrite' },
        sendsMail: true,
        environment: links,
        ...HASHES_PASSWORDS,
      },
      'auth-logout': { description: 'Ends the calling session', tables: { sessions: 'readWrite', securityEvents: 'write' } },
      account: {
        description: "Shows and corrects the caller's account (a new email with the current password)",
        tables: { sessions: 'read', accounts: 'readWrite', tokens: 'write', securityEvents: 'write' },
        sendsMail: true,
        environment: links,
        ...HASHES_PASSWORDS,
      },
      'account-password': {
        description: 'Changes the password and signs out other sessions',
        tables: { sessions: 'readWrite', accounts: 'readWrite', securityEvents: 'write' },
        sendsMail: true,
        ...HASHES_PASSWORDS,
      },
      'account-preferences': {
        description: 'Reads and sets processing objections and mail preferences',
        tables: { sessions: 'read', accounts: 'readWrite' },
      },
      'account-sessions': {
        description: "Lists and revokes the caller's sessions",
        tables: { sessions: 'readWrite', securityEvents: 'write' },
      },
      'account-security-events': {
        description: "Lists the caller's security events and audit trail",
        tables: { sessions: 'read', securityEvents: 'read', auditEvents: 'read' },
      },
      keys: {
        description:
          "Creates, lists (with each key's last use, from the call logs), revokes and rolls the caller's API keys (an older session's creation with the password)",
        tables: { sessions: 'read', apiKeys: 'readWrite', accounts: 'read', securityEvents: 'write', usageLogs: 'read' },
        ...HASHES_PASSWORDS,
      },
    };
    this.functions = routeFunctions(this, {
      defaults: props.defaults,
      api: props.api,
      context: 'accounts',
      manifest: accountRoutes,
      handlers,
      tables: props.tables,
      mailFrom: props.mailFrom,
    });
  }
}
