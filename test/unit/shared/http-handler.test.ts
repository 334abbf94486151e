import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { z } from 'zod';
import { ConflictError, TooManyRequestsError } from '../../../lambdas/shared/errors';
import { html, json } from '../../../lambdas/shared/http';
import { httpRoutes, type RouteLogic, route } from '../../../lambdas/shared/middleware/http-handler';
import { httpHandler } from '../../../lambdas/shared/middleware/http-stack';
import type { RouteSpec } from '../../../lambdas/shared/routes';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { authenticator } from '../../../lambdas/shared/auth/authenticator';

const Body = z.object({ name: z.string().min(1).max(50), count: z.number().int().nonnegative() });
const spec = {
  method: 'POST',
  path: '/echo',
  handler: 'echo',
  auth: 'public',
  summary: 'test',
  body: Body,
  responses: {},
  errors: [400],
} satisfies RouteSpec;
const publicRoute = {
  method: 'GET',
  path: '/x',
  handler: 'x',
  auth: 'public',
  summary: 'test',
  responses: {},
  errors: [],
} satisfies RouteSpec;
/** A route's deployed handler, as `route` builds it from a manifest entry. */
const publicHandler = (logic: RouteLogic<typeof publicRoute, undefined>) => httpRoutes(route(publicRoute, logic));
const echo = httpRoutes(route(spec, async (event) => json(200, event.input.body), { maxBodyBytes: 1024 }));
const call = (
  body: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  isBase64Encoded = false,
) => echo(httpEvent({ method: 'POST', path: '/echo', body, headers, isBase64Encoded }), lambdaContext);
const errorOf = (response: { body?: string }) => JSON.parse(response.body!).error;

describe('route handler', () => {
  it('passes a valid body to the route, parsed and typed', async () => {
    const response = await call(JSON.stringify({ name: 'a', count: 2, extra: true }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({ name: 'a', count: 2 });
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const response = await call('{"name": ');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toEqual({ code: 'invalid_json', message: 'The request body is not valid JSON' });
  });

  it('answers 400 naming the offending field when validation fails', async () => {
    const response = await call(JSON.stringify({ name: '', count: -1 }));
    expect(response.statusCode).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toMatch(/^body\.name: /);
    expect(error.details.map((d: { path: string }) => d.path)).toEqual(['body.name', 'body.count']);
  });

  it('answers 413 past 64 KiB when the route sets no limit of its own', async () => {
    // route() forwards its options: an unset maxBodyBytes must keep the default, not lift the limit.
    const unbounded = httpRoutes(route(spec, async (event) => json(200, event.input.body)));
    const send = (name: string) =>
      unbounded(
        httpEvent({
          method: 'POST',
          path: '/echo',
          body: JSON.stringify({ name, count: 1 }),
          headers: { 'content-type': 'application/json' },
        }),
        lambdaContext,
      );
    const over = await send('x'.repeat(64 * 1024));
    expect(over.statusCode).toBe(413);
    expect(errorOf(over).code).toBe('payload_too_large');
    expect((await send('x'.repeat(40))).statusCode).toBe(200);
  });

  it('answers 400 body_required when the body is missing', async () => {
    const response = await call(undefined);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('body_required');
  });

  it('answers 413 when the body is larger than allowed', async () => {
    const response = await call(JSON.stringify({ name: 'x'.repeat(2000), count: 1 }));
    expect(response.statusCode).toBe(413);
    expect(errorOf(response).code).toBe('payload_too_large');
  });

  it.each([
    ['no Content-Type', {}],
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=utf-16' }],
    ['a Latin-1 charset', { 'content-type': 'application/json;charset="iso-8859-1"' }],
  ])('answers 415 for a body with %s', async (_name, headers) => {
    const response = await call(JSON.stringify({ name: 'a', count: 1 }), headers as Record<string, string>);
    expect(response.statusCode).toBe(415);
    expect(errorOf(response).code).toBe('unsupported_media_type');
  });

  it('accepts an explicit UTF-8 charset', async () => {
    expect((await call(JSON.stringify({ name: 'é', count: 1 }), { 'content-type': 'application/json; charset=UTF-8' })).statusCode).toBe(
      200,
    );
  });

  it('answers 400 invalid_encoding for bytes that are not UTF-8, instead of storing U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","count":1}')]);
    const response = await call(bytes.toString('base64'), { 'content-type': 'application/json' }, true);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('invalid_encoding');
  });

  it('answers 400 invalid_encoding for half a surrogate pair escaped in a string or a key, and takes a whole pair', async () => {
    for (const body of ['{"name":"a\\ud800","count":1}', '{"name":"\\udc00b","count":1}', '{"name":"a","count":1,"\\ud83d":1}']) {
      const response = await call(body);
      expect({ body, status: response.statusCode, code: errorOf(response).code }).toEqual({ body, status: 400, code: 'invalid_encoding' });
    }
    const pair = await call('{"name":"\\ud83e\\udd8a","count":1}');
    expect(pair.statusCode).toBe(200);
    expect(JSON.parse(pair.body!).name).toBe('🦊');
  });

  it('refuses any string of UTF-16 code units that is not Unicode text, and passes on every one that is, unchanged', async () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
    const text = fc.oneof(
      fc.string({ unit: codeUnit, minLength: 1, maxLength: 20 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (name) => {
        const response = await call(JSON.stringify({ name, count: 1 }));
        if (/\p{Cs}/u.test(name)) {
          expect(response.statusCode).toBe(400);
          expect(errorOf(response).code).toBe('invalid_encoding');
        } else if (response.statusCode === 200) expect(JSON.parse(response.body!).name).toBe(name);
        else expect({ status: response.statusCode, code: errorOf(response).code }).toEqual({ status: 400, code: 'validation_failed' });
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('answers 415 for a compressed body, naming the encoding (API Gateway passes it on compressed)', async () => {
    const gzipped = gzipSync(JSON.stringify({ name: 'a', count: 1 })).toString('base64');
    const response = await call(gzipped, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, true);
    expect(response.statusCode).toBe(415);
    expect(errorOf(response)).toEqual({
      code: 'unsupported_media_type',
      message: 'Content-Encoding gzip is not accepted: send the body uncompressed',
    });
    expect(
      (await call(JSON.stringify({ name: 'a', count: 1 }), { 'content-type': 'application/json', 'content-encoding': 'identity' }))
        .statusCode,
    ).toBe(200);
  });

  it('answers 415 for a non-JSON content type', async () => {
    const response = await call('name=a', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.statusCode).toBe(415);
  });

  it('decodes base64 bodies as API Gateway sends binary content', async () => {
    const response = await call(Buffer.from(JSON.stringify({ name: 'b', count: 0 })).toString('base64'), undefined, true);
    expect(response.statusCode).toBe(200);
  });

  it('maps deliberate 4xx errors to their status, code and headers', async () => {
    const limited = publicHandler(async () => {
      throw new TooManyRequestsError('Slow down', 2.2);
    });
    const response = await limited(httpEvent({ path: '/x' }), lambdaContext);
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(errorOf(response)).toEqual({ code: 'rate_limited', message: 'Slow down' });

    const conflict = publicHandler(async () => {
      throw new ConflictError('Taken', 'email_taken');
    });
    expect(errorOf(await conflict(httpEvent({ path: '/x' }), lambdaContext)).code).toBe('email_taken');
  });

  it('hides the message and stack of unexpected errors behind a 500', async () => {
    const broken = publicHandler(async () => {
      throw new Error('connection string postgres://secret@db');
    });
    const response = await broken(httpEvent({ path: '/x' }), lambdaContext);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(errorOf(response).code).toBe('internal_error');
  });

  it.each([
    ['ProvisionedThroughputExceededException', {}],
    ['ThrottlingException', {}],
    ['RequestLimitExceeded', {}],
    ['TransactionConflictException', {}],
    ['TransactionCanceledException', { CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] }],
  ])('answers 503 service_busy with Retry-After, not 500, when DynamoDB is throttled past its retries (%s)', async (name, fields) => {
    const throttled = publicHandler(async () => {
      throw Object.assign(new Error('Throughput exceeds the current capacity of table arn:aws:dynamodb:us-east-1:123:table/ledger'), {
        name,
        ...fields,
      });
    });
    const response = await throttled(httpEvent({ path: '/x' }), lambdaContext);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(errorOf(response).code).toBe('service_busy');
    expect(response.body).not.toContain('arn:aws');
  });

  it('lets what lies outside the stack (tracing) see the error thrown, not its answer', async () => {
    const thrown = new Error('connection refused');
    const seen: unknown[] = [];
    const traced = httpHandler(
      async () => {
        throw thrown;
      },
      { outermost: [{ onError: (request) => void seen.push(request.error) }] },
    );
    expect((await traced(httpEvent(), lambdaContext)).statusCode).toBe(500);
    expect(seen).toEqual([thrown]);
  });

  it('hands the logic lower-case header names, whatever case the caller sent', async () => {
    const seen = httpRoutes(route(publicRoute, async (event) => json(200, event.headers)));
    const response = await seen(httpEvent({ path: '/x', headers: { Authorization: 'Bearer t', 'X-Api-Key': 'k' } }), lambdaContext);
    expect(JSON.parse(response.body!)).toEqual({ authorization: 'Bearer t', 'x-api-key': 'k' });
  });

  it('answers a path no route takes with the JSON 404', async () => {
    const response = await echo(httpEvent({ method: 'GET', path: '/echo' }), lambdaContext);
    expect(response.statusCode).toBe(404);
    expect(errorOf(response)).toEqual({ code: 'not_found', message: 'No route for GET /echo' });
  });

  it('refuses a body that smuggles a prototype key, as JSON the parser will not read', async () => {
    const response = await call('{"name":"a","count":1,"__proto__":{"admin":true}}');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toEqual({ code: 'invalid_json', message: 'The request body may not use the key __proto__' });
  });

  it('answers 400 duplicate_key for an object that names a key twice, at any depth, instead of letting the last one win', async () => {
    const top = await call('{"name":"a","count":1,"name":"admin"}');
    expect(top.statusCode).toBe(400);
    expect(errorOf(top)).toEqual({
      code: 'duplicate_key',
      message: 'body.name: the key "name" appears more than once in the same object; send each key once',
      details: [{ path: 'body.name', message: 'Duplicate key' }],
    });
    const nested = await call('{"name":"a","count":1,"extra":{"list":[{"x":1,"\\u0078":2}]}}');
    expect([nested.statusCode, errorOf(nested).code, errorOf(nested).details[0].path]).toEqual([
      400,
      'duplicate_key',
      'body.extra.list.0.x',
    ]);
  });

  it('takes a body whose strings only look like repeated keys', async () => {
    const response = await call('{"name":"\\"name\\": x","count":1}');
    expect(response.statusCode).toBe(200);
  });

  it('adds the standard and security headers to every answer', async () => {
    const response = await call('{');
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'x-request-id': 'req-1',
    });
    expect(Object.keys(response.headers).filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it("keeps what an answer says itself: an HTML page's own CSP, a public cache", async () => {
    const page = publicHandler(async () => ({
      ...html(200, '<p>hi</p>'),
      headers: { ...html(200, '').headers, 'Cache-Control': 'max-age=60' },
    }));
    const response = await page(httpEvent({ path: '/x' }), lambdaContext);
    expect(response.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
    expect(response.headers['cache-control']).toBe('max-age=60');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('installs the authenticator the manifest names, and refuses to build a route behind another one or none', () => {
    const saved = process.env.TABLE_SESSIONS;
    delete process.env.TABLE_SESSIONS;
    try {
      expect(() => route({ ...publicRoute, auth: 'session' }, async () => json(200, {}))).toThrow(/session route: bind TABLE_SESSIONS/);
      process.env.TABLE_SESSIONS = 'sessions';
      expect(route({ ...publicRoute, auth: 'session' }, async () => json(200, {}))).toMatchObject({ method: 'GET', path: '/x' });
    } finally {
      if (saved === undefined) delete process.env.TABLE_SESSIONS;
      else process.env.TABLE_SESSIONS = saved;
    }
    const signature = authenticator('stripeSignature', async () => ({ id: 'evt_1' }));
    const session = authenticator('session', async () => ({ accountId: 'acc_1' }));
    expect(() => route({ ...publicRoute, auth: 'stripeSignature' }, async () => json(200, {}))).toThrow(
      /stripeSignature route: pass its authenticator/,
    );
    expect(() => route({ ...publicRoute, auth: 'stripeSignature' }, async () => json(200, {}), { authenticate: session })).toThrow(
      /got a session one/,
    );
    expect(() => route({ ...publicRoute, auth: 'session' }, async () => json(200, {}), { authenticate: signature })).toThrow(
      /got a stripeSignature one/,
    );
    expect(() => route(publicRoute, async () => json(200, {}), { authenticate: session as never })).toThrow(
      /public: it takes no authenticator/,
    );
    expect(() => route({ ...publicRoute, auth: 'apiKey' }, async () => json(200, {}))).toThrow(/metered gateway/);
    expect(route({ ...publicRoute, auth: 'stripeSignature' }, async () => json(200, {}), { authenticate: signature })).toMatchObject({
      method: 'GET',
      path: '/x',
    });
  });

  it('never answers 5xx, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (body) => {
          const response = await call(body);
          expect(response.statusCode).toBeLessThan(500);
          expect(errorOf(response) ?? JSON.parse(response.body!)).toBeDefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});
