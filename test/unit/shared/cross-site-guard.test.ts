import { ROUTE_MANIFESTS } from '../../../lib/routes';
import { json } from '../../../lambdas/shared/http';
import { httpRoutes, route } from '../../../lambdas/shared/middleware/http-handler';
import type { RouteSpec } from '../../../lambdas/shared/routes';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { authenticator } from '../../../lambdas/shared/auth/authenticator';

/** Every session route of every manifest that changes something. */
const sessionWrites = Object.values(ROUTE_MANIFESTS)
  .flatMap((manifest) => Object.values(manifest as Record<string, RouteSpec>))
  .filter((spec) => spec.auth === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(spec.method));

/** The route as `route` builds it, with logic and authentication that record whether they ran. */
function bound(spec: RouteSpec) {
  const reached = { authenticate: 0, logic: 0 };
  const handler = httpRoutes(
    route(spec, async () => ((reached.logic += 1), json(200, { ok: true })), {
      authenticate: authenticator('session', async () => ((reached.authenticate += 1), { accountId: 'acc_1' })),
    }),
  );
  return { handler, reached };
}

const pathOf = (spec: RouteSpec) => spec.path.replace(/\{(\w+)\+?\}/g, 'x');
const request = (spec: RouteSpec, headers: Record<string, string | undefined>, cookie = true) =>
  httpEvent({
    method: spec.method,
    path: pathOf(spec),
    headers: Object.fromEntries(
      Object.entries({ host: 'api.omnapi.test', 'user-agent': 'browser', ...headers }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>,
    cookies: cookie ? ['omn_session=omn_sess_stolen'] : undefined,
    body: '{}',
    requestContext: {
      ...httpEvent().requestContext,
      domainName: 'api.omnapi.test',
      http: { ...httpEvent().requestContext.http, method: spec.method, path: pathOf(spec) },
    },
  });

describe('cookie-authenticated writes from other sites', () => {
  it('covers the session writes of every manifest', () => {
    expect(sessionWrites.length).toBeGreaterThanOrEqual(10);
  });

  it.each(sessionWrites.map((spec) => [`${spec.method} ${spec.path}`, spec] as const))(
    '%s: 403 for a hostile Origin, before the session is looked up',
    async (_name, spec) => {
      const { handler, reached } = bound(spec);
      const response = await handler(
        request(spec, { 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
        lambdaContext,
      );
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body!).error.code).toBe('cross_site_request');
      expect(reached).toEqual({ authenticate: 0, logic: 0 });
    },
  );

  it.each(sessionWrites.map((spec) => [`${spec.method} ${spec.path}`, spec] as const))(
    '%s: 415 for a "simple" request with no Content-Type and no Origin',
    async (_name, spec) => {
      const { handler, reached } = bound(spec);
      const response = await handler(request(spec, { 'content-type': undefined, 'sec-fetch-site': 'same-origin' }), lambdaContext);
      expect(response.statusCode).toBe(415);
      expect(reached.logic).toBe(0);
    },
  );

  it('refuses a cross-site Sec-Fetch-Site without an Origin, and a sandboxed page\'s "null" origin', async () => {
    const [spec] = sessionWrites;
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }]) {
      const response = await bound(spec!).handler(request(spec!, { 'content-type': 'application/json', ...headers }), lambdaContext);
      expect({ headers, status: response.statusCode }).toEqual({ headers, status: 403 });
    }
  });

  it("lets the API's own pages, and bearer-token callers from anywhere, through", async () => {
    const spec = sessionWrites.find((s) => s.path === '/v1/keys')!;
    const own = await bound(spec).handler(
      request(spec, { 'content-type': 'application/json', origin: 'https://api.omnapi.test', 'sec-fetch-site': 'same-origin' }),
      lambdaContext,
    );
    expect(own.statusCode).not.toBe(403);
    expect(own.statusCode).not.toBe(415);
    const bearer = await bound(spec).handler(
      request(spec, { 'content-type': 'application/json', origin: 'https://evil.example', authorization: 'Bearer omn_sess_x' }, false),
      lambdaContext,
    );
    expect(bearer.statusCode).not.toBe(403);
  });

  it("lets an allowed origin from the stage's corsOrigins through", async () => {
    jest.resetModules();
    process.env.CORS_ORIGINS = 'https://console.omnapi.test';
    try {
      const fresh =
        require('../../../lambdas/shared/middleware/http-handler') as typeof import('../../../lambdas/shared/middleware/http-handler');
      const spec = sessionWrites.find((s) => s.path === '/v1/keys')!;
      const handler = fresh.httpRoutes(
        fresh.route(spec, async () => json(200, {}), { authenticate: authenticator('session', async () => ({})) }),
      );
      const response = await handler(
        request(spec, { 'content-type': 'application/json', origin: 'https://console.omnapi.test', 'sec-fetch-site': 'same-site' }),
        lambdaContext,
      );
      expect(response.statusCode).not.toBe(403);
    } finally {
      delete process.env.CORS_ORIGINS;
    }
  });
});
