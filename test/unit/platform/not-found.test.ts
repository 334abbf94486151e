import fc from 'fast-check';
import { handler, methodsOf } from '../../../lambdas/platform/handlers/not-found';
import { ROUTE_MANIFESTS } from '../../../lib/routes';
import { httpEvent, lambdaContext } from '../../helpers/http-events';

const call = (method: string, path: string) => handler(httpEvent({ method, path }), lambdaContext);
const routes = Object.values(ROUTE_MANIFESTS).flatMap((manifest) => Object.values(manifest));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'];

describe('the $default route', () => {
  it('answers a method a path of the API does not take with 405 and the methods it takes', async () => {
    const response = await call('PUT', '/v1/keys');
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
    expect(JSON.parse(response.body!)).toEqual({
      error: { code: 'method_not_allowed', message: 'PUT is not a method /v1/keys takes; use GET, POST' },
    });
    expect((await call('POST', '/v1/keys/key_0123456789abcdef01234567')).headers.allow).toBe('DELETE');
  });

  it('answers a path no route has with 404', async () => {
    const response = await call('POST', '/v1/definitely/not/here');
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body!).error).toEqual({ code: 'not_found', message: 'No route for POST /v1/definitely/not/here' });
  });

  it("gives every route's path, any parameters filled, exactly the manifests' methods for that path", async () => {
    const filled = fc.record({
      route: fc.constantFrom(...routes.filter((r) => r.method !== 'ANY')),
      segment: fc.stringMatching(/^[A-Za-z0-9_~-]{1,30}$/),
      method: fc.constantFrom(...METHODS),
    });
    await fc.assert(
      fc.asyncProperty(filled, async ({ route, segment, method }) => {
        const path = route.path.replace(/\{[^}]+\}/g, segment);
        const takes = routes.filter((r) => new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path)).map((r) => r.method);
        expect(methodsOf(path).sort()).toEqual([...new Set(takes)].sort());
        const response = await call(method, path);
        expect(response.statusCode).toBe(takes.includes(method as never) ? 404 : 405);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
