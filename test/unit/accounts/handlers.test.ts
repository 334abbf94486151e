import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { LambdaHttpHandler } from '../../../lambdas/shared/middleware/http-stack';
import { httpEvent, lambdaContext } from '../../helpers/http-events';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

/** Handlers read their bindings at cold start, so the environment is set before they load. */
function load(file: string): LambdaHttpHandler {
  Object.assign(process.env, {
    TABLE_ACCOUNTS: 'accounts',
    TABLE_SESSIONS: 'sessions',
    TABLE_TOKENS: 'tokens',
    TABLE_API_KEYS: 'apiKeys',
    TABLE_SECURITY_EVENTS: 'securityEvents',
    TABLE_USAGE_LOGS: 'usageLogs',
    MAIL_FROM: 'no-reply@omnapi.test',
    PUBLIC_URL: 'https://api.omnapi.test',
  });
  return require(`../../../lambdas/accounts/handlers/${file}`).handler;
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  httpEvent({ method: 'POST', path, body, headers: { 'content-type': 'application/json', ...headers } });

const bodies = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({
      name: fc.string(),
      email: fc.oneof(fc.emailAddress(), fc.string()),
      password: fc.string({ maxLength: 40 }),
      profile: fc.anything(),
    })
    .map((v) => JSON.stringify(v)),
  fc.constant('x'.repeat(70_000)),
  // Plausible bodies that pass validation and reach the domain and the (mocked) tables.
  fc
    .record({
      name: fc.string({ minLength: 1, maxLength: 20 }),
      email: fc.constantFrom('ann@example.org', 'BOB@Example.com ', 'c.d+tag@sub.example.net'),
      password: fc.string({ minLength: 12, maxLength: 40 }),
    })
    .map((v) => JSON.stringify(v)),
);

/** No input makes a handler answer 5xx or leak internals; every refusal has the JSON error shape. */
async function expectOnlyClientErrors(handler: LambdaHttpHandler, event: (body: string) => ReturnType<typeof httpEvent>) {
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const response = await handler(event(body), lambdaContext);
      expect(response.statusCode).toBeLessThan(500);
      if (response.statusCode >= 400) {
        const parsed = JSON.parse(response.body!);
        expect(Object.keys(parsed.error).sort()).toEqual(expect.arrayContaining(['code', 'message']));
        expect(response.body).not.toMatch(/at .*\.ts:\d+|stack/i);
      }
    }),
    { numRuns: 60 },
  );
}

describe('accounts handlers under arbitrary input', () => {
  beforeEach(() => {
    dynamo.reset();
    ses.reset();
    dynamo.onAnyCommand().resolves({});
    ses.onAnyCommand().resolves({ MessageId: 'm' });
  });

  // Sign-up and login hash every plausible password with the deployed scrypt cost (128 MiB, by design slow):
  // sixty of them need minutes on a machine busy with other test files, not the default minute.
  const SCRYPT_BOUND_MS = 300_000;

  it(
    'signup answers 201 or a 4xx, never more',
    async () => {
      await expectOnlyClientErrors(load('auth-signup'), (body) => post('/v1/auth/signup', body));
    },
    SCRYPT_BOUND_MS,
  );

  it(
    'login answers 401/4xx for anything but real credentials',
    async () => {
      await expectOnlyClientErrors(load('auth-login'), (body) => post('/v1/auth/login', body));
    },
    SCRYPT_BOUND_MS,
  );

  it('key creation refuses every unauthenticated body with 401 before reading it', async () => {
    const handler = load('keys');
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const response = await handler({ ...post('/v1/keys', body), routeKey: 'POST /v1/keys' }, lambdaContext);
        expect(response.statusCode).toBe(401);
      }),
      { numRuns: 50 },
    );
  });

  it('answers 404 JSON for a route key the function does not serve', async () => {
    const response = await load('keys')({ ...httpEvent({ method: 'PUT', path: '/v1/keys' }), routeKey: 'PUT /v1/keys' }, lambdaContext);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body!).error.code).toBe('not_found');
  });
});

describe('session transport', () => {
  it('reads the session from the cookie or the bearer header', () => {
    const { sessionTokenOf } = require('../../../lambdas/shared/auth/session');
    expect(sessionTokenOf(httpEvent({ cookies: ['theme=dark', 'omn_session=omn_sess_abc'] }))).toBe('omn_sess_abc');
    // Header names arrive lower-cased (http-header-normalizer; the shared stack's test sends `Authorization`).
    expect(sessionTokenOf(httpEvent({ headers: { authorization: 'Bearer omn_sess_xyz' } }))).toBe('omn_sess_xyz');
    expect(sessionTokenOf(httpEvent({ headers: {} }))).toBeUndefined();
  });

  it('sets the cookie HttpOnly, Secure, SameSite=Strict on the whole site', () => {
    const { sessionCookie } = require('../../../lambdas/accounts/http');
    expect(sessionCookie('omn_sess_abc', 60)).toBe('omn_session=omn_sess_abc; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=60');
  });
});
