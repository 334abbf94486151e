import { Preferences } from '../../../lambdas/accounts/schemas';
import { ROUTE_MANIFESTS } from '../../../lib/routes';
import type { AuditTrail } from '../../../lambdas/shared/audit';
import { authenticator } from '../../../lambdas/shared/auth/authenticator';
import { json } from '../../../lambdas/shared/http';
import { httpRoutes, route } from '../../../lambdas/shared/middleware/http-handler';
import type { RouteSpec } from '../../../lambdas/shared/routes';
import { httpEvent, lambdaContext } from '../../helpers/http-events';

/**
 * Wrong inputs sent to every route of every manifest, through the stack `route()` builds (a stand-in
 * caller; the logic is never reached): each is a 400 in the JSON error shape that names the field.
 */
const routes = Object.values(ROUTE_MANIFESTS).flatMap((manifest) => Object.values(manifest) as RouteSpec[]);
const handled = routes.filter((spec) => spec.auth === 'public' || spec.auth === 'session');
const concretePath = (path: string) => path.replace(/\{(\w+)\+?\}/g, 'x');
const trail = { record: async () => ({}) } as unknown as AuditTrail;
/** The fields of a route's query schema (an object, or one piped into a transform). */
const queryFields = (spec: RouteSpec) => {
  const query = spec.query as { shape?: object; in?: { shape?: object } } | undefined;
  return Object.keys(query?.shape ?? query?.in?.shape ?? {});
};

function handlerOf(spec: RouteSpec) {
  const authenticate =
    spec.auth === 'session' ? authenticator('session', async () => ({ accountId: 'acc_1', sessionId: 'ses_1' })) : undefined;
  return httpRoutes(route(spec, async () => json(200, { reached: true }), { authenticate: authenticate as never, auditTrail: trail }));
}

async function send(spec: RouteSpec, options: { body?: string; query?: Record<string, string> }) {
  const method = spec.method === 'ANY' ? 'POST' : spec.method;
  const response = await handlerOf(spec)(
    httpEvent({ method, path: concretePath(spec.path), body: options.body, queryStringParameters: options.query }),
    lambdaContext,
  );
  return { status: response.statusCode, error: JSON.parse(response.body || '{}').error as { code: string; message: string } | undefined };
}

describe('wrong inputs on every route', () => {
  const withBody = handled.filter((spec) => spec.body);
  const withLimit = handled.filter((spec) => queryFields(spec).includes('limit'));

  it('covers the JSON routes and the paged ones', () => {
    expect(withBody.length).toBeGreaterThan(10);
    expect(withLimit.map((spec) => spec.path).sort()).toEqual(
      ['/v1/account/audit', '/v1/account/security-events', '/v1/billing/ledger', '/v1/usage/logs'].sort(),
    );
  });

  it.each(withBody.map((spec) => [`${spec.method} ${spec.path}`, spec] as const))(
    '%s refuses an object naming a key twice, at the top or nested, with 400 duplicate_key naming it',
    async (_, spec) => {
      const top = await send(spec, { body: '{"name":"a","name":"b"}' });
      expect(top).toEqual({
        status: 400,
        error: expect.objectContaining({ code: 'duplicate_key', message: expect.stringMatching(/^body\.name: /) }),
      });
      const nested = await send(spec, { body: '{"profile":{"company":"a","company":"b"}}' });
      expect([nested.status, nested.error?.code, nested.error?.message]).toEqual([
        400,
        'duplicate_key',
        expect.stringMatching(/^body\.profile\.company: /),
      ]);
    },
  );

  it.each(withBody.map((spec) => [`${spec.method} ${spec.path}`, spec] as const))(
    '%s says a missing field is required, not that it "received undefined"',
    async (_, spec) => {
      const { status, error } = await send(spec, { body: '{}' });
      expect(status).toBeLessThan(500);
      if (status === 400) expect(error!.message).not.toMatch(/undefined/);
    },
  );

  const loose = ['0x10', '1e2', ' 10', '10abc', '-0', '1.0', '+10', '99999999999999999999'];
  it.each(withLimit.flatMap((spec) => loose.map((limit) => [`${spec.path}?limit=${JSON.stringify(limit)}`, spec, limit] as const)))(
    '%s is refused with 400 naming query.limit',
    async (_, spec, limit) => {
      const { status, error } = await send(spec, { query: { limit } });
      expect([status, error?.code, error?.message]).toEqual([
        400,
        'validation_failed',
        expect.stringMatching(/^query\.limit: Must be a whole number/),
      ]);
    },
  );

  it('asks for the low-balance threshold as a JSON string, the form it takes, whether a number or a bad string was sent', async () => {
    const spec = ROUTE_MANIFESTS.accounts!.setPreferences!;
    for (const sent of ['10', '"-1"']) {
      const { error } = await send(spec, { body: `{"productUpdates":true,"analytics":true,"lowBalanceCredits":${sent}}` });
      expect(error?.message).toBe(
        'body.lowBalanceCredits: A credit amount as a JSON string, e.g. "10" or "2.5" (at most 6 decimals), or null for off',
      );
    }
  });

  it('refuses a low-balance threshold of 0 in any spelling: the balance never falls below it, so it would be on and never mail', async () => {
    const spec = ROUTE_MANIFESTS.accounts!.setPreferences!;
    for (const sent of ['"0"', '"0.0"', '"000.000000"']) {
      const { status, error } = await send(spec, { body: `{"productUpdates":true,"analytics":true,"lowBalanceCredits":${sent}}` });
      expect([sent, status, error?.message]).toEqual([sent, 400, expect.stringMatching(/^body\.lowBalanceCredits: Must be more than 0/)]);
    }
    for (const credits of ['0.000001', '10', '000.5', null])
      expect(Preferences.safeParse({ productUpdates: true, analytics: true, lowBalanceCredits: credits }).success).toBe(true);
  });

  const withTimes = handled.filter((spec) => queryFields(spec).includes('from'));
  it.each(
    withTimes.flatMap((spec) =>
      ['2026-01-31', '2026-01-31T00:00:00', 'yesterday'].map((from) => [`${spec.path}?from=${from}`, spec, from] as const),
    ),
  )('%s says a time needs its time of day and zone, with an example', async (_, spec, from) => {
    const { status, error } = await send(spec, { query: { from } });
    expect([status, error?.message]).toEqual([
      400,
      expect.stringMatching(/^query\.from: A date and time with its zone \(ISO 8601\), e\.g\. /),
    ]);
  });

  it.each(withLimit.map((spec) => [spec.path, spec] as const))('%s takes limit=10', async (_, spec) => {
    expect((await send(spec, { query: { limit: '10' } })).status).toBe(200);
  });
});
