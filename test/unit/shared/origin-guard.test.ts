import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { FetchUpstream } from '../../../lambdas/metering/adapters/fetch-upstream';
import { NEVER_FORWARDED } from '../../../lambdas/metering/catalog';
import { httpRoutes, route } from '../../../lambdas/shared/middleware/http-handler';
import { httpHandler } from '../../../lambdas/shared/middleware/http-stack';
import { EDGE_CLIENT_IP_HEADER, ORIGIN_SECRET_HEADER, OriginGuard } from '../../../lambdas/shared/middleware/origin-guard';
import { json } from '../../../lambdas/shared/http';
import type { RouteSpec } from '../../../lambdas/shared/routes';
import { httpEvent, lambdaContext } from '../../helpers/http-events';

const SECRET = 'edge-secret-0123456789abcdef';
const fromEdge = (extra: Record<string, string> = {}, path = '/') =>
  httpEvent({ path, headers: { [ORIGIN_SECRET_HEADER]: SECRET, ...extra } });

/** A handler in the platform's HTTP stack behind `guard`, recording the caller each request it reaches saw. */
function guarded(guard: OriginGuard) {
  const seen: string[] = [];
  const handler = httpHandler(
    async (event) => {
      seen.push(event.requestContext.http.sourceIp);
      return json(200, { ok: true });
    },
    { guard },
  );
  return { handler, seen };
}

describe('the origin guard', () => {
  it('answers a request without the secret 403 with the JSON error shape and security headers, running nothing', async () => {
    const { handler, seen } = guarded(new OriginGuard({ load: async () => SECRET }));
    const response = await handler(httpEvent(), lambdaContext);
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body!)).toEqual({
      error: { code: 'direct_access_forbidden', message: expect.stringContaining('public address') },
    });
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'content-type': expect.stringContaining('application/json'),
    });
    expect(seen).toEqual([]);
  });

  it('refuses a wrong or truncated secret', async () => {
    const { handler, seen } = guarded(new OriginGuard({ load: async () => SECRET }));
    for (const wrong of ['x', SECRET.slice(0, -1), `${SECRET}x`, '']) {
      expect((await handler(httpEvent({ headers: { [ORIGIN_SECRET_HEADER]: wrong } }), lambdaContext)).statusCode).toBe(403);
    }
    expect(seen).toEqual([]);
  });

  it('admits the secret and then trusts CF-Connecting-IP as the caller, ignoring a value that is no address', async () => {
    const { handler, seen } = guarded(new OriginGuard({ load: async () => SECRET }));
    expect((await handler(fromEdge({ [EDGE_CLIENT_IP_HEADER]: '198.51.100.23' }), lambdaContext)).statusCode).toBe(200);
    expect((await handler(fromEdge({ [EDGE_CLIENT_IP_HEADER]: '2001:db8::1' }), lambdaContext)).statusCode).toBe(200);
    expect((await handler(fromEdge({ [EDGE_CLIENT_IP_HEADER]: 'evil, 1.2.3.4' }), lambdaContext)).statusCode).toBe(200);
    expect(seen).toEqual(['198.51.100.23', '2001:db8::1', '203.0.113.7']);
  });

  it('never trusts CF-Connecting-IP on a request that did not prove its origin', async () => {
    const event = httpEvent({ headers: { [EDGE_CLIENT_IP_HEADER]: '198.51.100.23' } });
    await new OriginGuard({ load: async () => SECRET }).admits(event);
    expect(event.requestContext.http.sourceIp).toBe('203.0.113.7');
  });

  it('accepts every line of the secret, so a rotation holds the old and the new value at once', async () => {
    const guard = new OriginGuard({ load: async () => `new-value-0123456789\n${SECRET}\n` });
    expect(await guard.admits(fromEdge())).toBe(true);
    expect(await guard.admits(httpEvent({ headers: { [ORIGIN_SECRET_HEADER]: 'new-value-0123456789' } }))).toBe(true);
    expect(await guard.secret()).toBe('new-value-0123456789');
  });

  it('reads the secret again after its refresh time, and keeps the last good value when a refresh fails', async () => {
    let now = 0;
    const values = [SECRET, 'rotated-value-0123456789'];
    let reads = 0;
    const guard = new OriginGuard({
      now: () => now,
      refreshMs: 1000,
      load: async () => {
        reads++;
        if (reads === 3) throw new Error('throttled');
        return values[Math.min(reads - 1, 1)]!;
      },
    });
    expect(await guard.admits(fromEdge())).toBe(true);
    expect(await guard.admits(fromEdge())).toBe(true);
    expect(reads).toBe(1);
    now = 1500; // stale: answered from the old value while the new one is read
    expect(await guard.admits(fromEdge())).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(await guard.secret()).toBe('rotated-value-0123456789');
    now = 3000; // the third read fails: the rotated value stays
    expect(await guard.admits(httpEvent({ headers: { [ORIGIN_SECRET_HEADER]: 'rotated-value-0123456789' } }))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(reads).toBe(3);
    expect(await guard.secret()).toBe('rotated-value-0123456789');
  });

  it('answers 503 with the JSON shape when the secret cannot be read at all, and never admits', async () => {
    const { handler, seen } = guarded(new OriginGuard({ load: async () => Promise.reject(new Error('AccessDenied')) }));
    const response = await handler(fromEdge(), lambdaContext);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body!).error.code).toBe('service_unavailable');
    expect(seen).toEqual([]);
  });

  it('reads a deployed secret from Secrets Manager by the ARN in ORIGIN_SECRET_ARN, once', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:omnapi/origin-AbCdEf' })
      .resolves({ SecretString: SECRET });
    try {
      const guard = OriginGuard.fromEnv({ ORIGIN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:omnapi/origin-AbCdEf' })!;
      expect(await guard.admits(fromEdge())).toBe(true);
      expect(await guard.admits(httpEvent())).toBe(false);
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    } finally {
      secrets.restore();
    }
  });

  it('is off without a secret in the environment: every request reaches the handler', async () => {
    expect(OriginGuard.fromEnv({})).toBeUndefined();
    const handler = httpHandler(async () => json(200, {}));
    expect((await handler(httpEvent(), lambdaContext)).statusCode).toBe(200);
  });

  it('guards every manifest route and the unknown-route answer of a function built while ORIGIN_SECRET is set', async () => {
    const spec = {
      method: 'GET',
      path: '/v1/thing',
      handler: 'thing',
      auth: 'public',
      summary: 'test',
      responses: {},
      errors: [],
    } satisfies RouteSpec;
    process.env.ORIGIN_SECRET = SECRET;
    try {
      const handler = httpRoutes(route(spec, async () => json(200, { ok: true })));
      expect((await handler(httpEvent({ path: '/v1/thing' }), lambdaContext)).statusCode).toBe(403);
      expect((await handler(httpEvent({ path: '/v1/other' }), lambdaContext)).statusCode).toBe(403);
      expect((await handler(fromEdge({}, '/v1/thing'), lambdaContext)).statusCode).toBe(200);
      expect((await handler(fromEdge({}, '/v1/other'), lambdaContext)).statusCode).toBe(404);
    } finally {
      delete process.env.ORIGIN_SECRET;
    }
  });

  it('is never forwarded to a product upstream, nor the edge view of the caller', () => {
    expect(NEVER_FORWARDED).toEqual(expect.arrayContaining([ORIGIN_SECRET_HEADER, EDGE_CLIENT_IP_HEADER]));
  });

  it("is added by the gateway to its calls to the platform's own demo upstream only", async () => {
    const received: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      received.push(req.headers);
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const upstream = new FetchUpstream({ base: `${base}/v1/demo/echo`, headers: async () => ({ [ORIGIN_SECRET_HEADER]: SECRET }) });
      const call = (url: string) => upstream.forward({ url, method: 'GET', headers: {}, timeoutMs: 2000 });
      await call(`${base}/v1/demo/echo/hello`);
      await call(`${base}/v1/demo/echoes`);
      await call(`${base}/elsewhere`);
      expect(received.map((h) => h[ORIGIN_SECRET_HEADER])).toEqual([SECRET, undefined, undefined]);
    } finally {
      server.close();
    }
  });
});
