import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { Api, RouteKey } from './api';
import type { TableName } from './data';
import { type FunctionDefaults, OmnApiFunction, type TableAccess } from './omnapi-function';

export interface AccountsProps {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  /** Verified SES identity that verification and notice mail is sent from. */
  readonly mailFrom: string;
  /** Base URL of links in mail. */
  readonly publicUrl: string;
}

interface RouteFunction {
  entry: string;
  description: string;
  routes: RouteKey[];
  tables: Partial<Record<TableName, TableAccess>>;
  sendsMail?: boolean;
  /** Functions that run scrypt get more memory, which also buys CPU. */
  hashesPasswords?: boolean;
}

/**
 * Sign-up, sign-in, sessions, self-service account routes and API keys. One function per concern,
 * each granted only the tables it touches.
 */
export class Accounts extends Construct {
  public readonly functions: Record<string, OmnApiFunction> = {};

  constructor(scope: Construct, id: string, props: AccountsProps) {
    super(scope, id);
    const session = { sessions: 'read' } as const;
    const specs: Record<string, RouteFunction> = {
      Signup: {
        entry: 'auth-signup',
        description: 'Creates an unverified account and mails the verification link',
        routes: ['POST /v1/auth/signup'],
        tables: { accounts: 'readWrite', tokens: 'write', securityEvents: 'readWrite' },
        sendsMail: true,
        hashesPasswords: true,
      },
      Verify: {
        entry: 'auth-verify',
        description: 'Follows single-use links from verification and email-change mail',
        routes: ['GET /v1/auth/verify'],
        tables: { accounts: 'readWrite', tokens: 'readWrite', securityEvents: 'write' },
        sendsMail: true,
      },
      Login: {
        entry: 'auth-login',
        description: 'Checks a password, throttles failures and opens a session',
        routes: ['POST /v1/auth/login'],
        tables: { accounts: 'read', sessions: 'write', securityEvents: 'readWrite' },
        hashesPasswords: true,
      },
      Logout: {
        entry: 'auth-logout',
        description: 'Ends the calling session',
        routes: ['POST /v1/auth/logout'],
        tables: { sessions: 'readWrite', securityEvents: 'write' },
      },
      Account: {
        entry: 'account',
        description: 'Shows and corrects the caller\'s account',
        routes: ['GET /v1/account', 'PATCH /v1/account'],
        tables: { ...session, accounts: 'readWrite', tokens: 'write', securityEvents: 'write' },
        sendsMail: true,
      },
      Password: {
        entry: 'account-password',
        description: 'Changes the password and signs out other sessions',
        routes: ['POST /v1/account/password'],
        tables: { sessions: 'readWrite', accounts: 'readWrite', securityEvents: 'write' },
        sendsMail: true,
        hashesPasswords: true,
      },
      Preferences: {
        entry: 'account-preferences',
        description: 'Reads and sets processing objections and mail preferences',
        routes: ['GET /v1/account/preferences', 'PUT /v1/account/preferences'],
        tables: { ...session, accounts: 'readWrite' },
      },
      Sessions: {
        entry: 'account-sessions',
        description: 'Lists and revokes the caller\'s sessions',
        routes: ['GET /v1/account/sessions', 'DELETE /v1/account/sessions/{id}'],
        tables: { sessions: 'readWrite', securityEvents: 'write' },
      },
      SecurityEvents: {
        entry: 'account-security-events',
        description: 'Lists the caller\'s security events',
        routes: ['GET /v1/account/security-events'],
        tables: { ...session, securityEvents: 'read' },
      },
      Keys: {
        entry: 'keys',
        description: 'Creates, lists, revokes and rolls the caller\'s API keys',
        routes: ['POST /v1/keys', 'GET /v1/keys', 'DELETE /v1/keys/{id}', 'POST /v1/keys/{id}/roll'],
        tables: { ...session, apiKeys: 'readWrite', accounts: 'read', securityEvents: 'write' },
      },
    };

    for (const [name, spec] of Object.entries(specs)) {
      const fn = new OmnApiFunction(this, name, {
        ...props.defaults,
        entry: `lambdas/accounts/handlers/${spec.entry}.ts`,
        description: spec.description,
        serviceName: 'accounts',
        memorySize: spec.hashesPasswords ? 1024 : 512,
        timeout: spec.hashesPasswords ? Duration.seconds(15) : Duration.seconds(10),
        environment: { PUBLIC_URL: props.publicUrl },
      });
      for (const [table, access] of Object.entries(spec.tables) as [TableName, TableAccess][]) {
        fn.bindTable(table, props.tables[table], access);
      }
      if (spec.sendsMail) fn.bindMailSender(props.mailFrom);
      for (const route of spec.routes) props.api.addRoute(route, fn);
      this.functions[name] = fn;
    }
  }
}
