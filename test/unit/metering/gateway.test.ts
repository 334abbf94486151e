import { CatalogSchema } from '../../../lambdas/metering/catalog-schema';
import { Gateway, type GatewayRequest } from '../../../lambdas/metering/domain/gateway';
import type { MeterDecision, UsageEvent } from '../../../lambdas/metering/domain/model';
import type { Meter, Upstream, UpstreamRequest, UpstreamResult } from '../../../lambdas/metering/domain/ports';

const catalog = CatalogSchema.parse({
  products: { echo: { upstream: 'https://echo.example', priceMicroCredits: 1_500_000, timeoutMs: 1000 } },
  plans: { free: { requestsPerMinute: 10 }, pro: { requestsPerMinute: 1000 } },
});
const SECRET = `omn_live_${'a'.repeat(43)}`;
const SUSPENDED = `omn_live_${'s'.repeat(43)}`;

/** A meter over an in-memory balance, with the same rules as the DynamoDB one. */
class MemoryMeter implements Meter {
  private seq = 0;
  constructor(
    public balance: number,
    public used = 0,
  ) {}
  async admit({ priceMicro, limitPerMinute, now }: { priceMicro: number; limitPerMinute: number; now: Date }): Promise<MeterDecision> {
    const resetAt = (Math.floor(now.getTime() / 60_000) + 1) * 60;
    if (this.balance < priceMicro)
      return { admitted: false, reason: 'insufficient_credit', balanceMicro: this.balance, used: this.used, resetAt };
    if (this.used >= limitPerMinute)
      return { admitted: false, reason: 'rate_limited', balanceMicro: this.balance, used: this.used, resetAt };
    this.balance -= priceMicro;
    this.used += 1;
    return { admitted: true, balanceMicro: this.balance, used: this.used, resetAt, seq: ++this.seq };
  }
}

function setup(options: { balance?: number; used?: number; upstream?: (r: UpstreamRequest) => UpstreamResult; queueDown?: boolean } = {}) {
  const events: UsageEvent[] = [];
  const unqueued: UsageEvent[] = [];
  const forwarded: UpstreamRequest[] = [];
  const meter = new MemoryMeter(options.balance ?? 10_000_000, options.used ?? 0);
  const upstream: Upstream = {
    forward: async (request) => {
      forwarded.push(request);
      return (
        options.upstream?.(request) ?? {
          kind: 'response',
          status: 200,
          headers: { 'content-type': 'application/json', 'set-cookie': 'x=1', server: 'secret' },
          body: Buffer.from('{"ok":true}'),
        }
      );
    },
  };
  const gateway = new Gateway({
    keys: {
      resolve: async (s) =>
        s === SECRET
          ? { accountId: 'acc_1', keyId: 'key_1', plan: 'free', status: 'active' }
          : s === SUSPENDED
            ? { accountId: 'acc_2', keyId: 'key_2', plan: 'free', status: 'active', suspended: true }
            : undefined,
    },
    meter,
    upstream,
    usage: {
      publish: async (e) => {
        if (options.queueDown) throw new Error('SQS unavailable');
        events.push(e);
      },
    },
    onUnqueuedEvent: (e) => unqueued.push(e),
    catalog,
    upstreamBase: () => 'https://echo.example/base/',
    now: () => new Date('2026-03-01T10:00:30Z'),
  });
  return { gateway, events, forwarded, meter, unqueued };
}

const request = (overrides: Partial<GatewayRequest> = {}): GatewayRequest => ({
  requestId: 'req-1',
  secret: SECRET,
  product: 'echo',
  path: 'a/b c',
  method: 'POST',
  rawQuery: 'q=1',
  headers: {
    'content-type': 'application/json',
    authorization: `Bearer ${SECRET}`,
    cookie: 'session=1',
    'x-api-key': SECRET,
    accept: '*/*',
  },
  body: Buffer.from('{"x":1}'),
  ip: '203.0.113.5',
  userAgent: 'curl',
  receivedAt: new Date('2026-03-01T10:00:30Z'),
  ...overrides,
});

const errorOf = (body: Buffer) => JSON.parse(body.toString()).error;

describe('Gateway', () => {
  it('admits, forwards and answers with the limit, credit and request-id headers', async () => {
    const { gateway, events, forwarded } = setup();
    const response = await gateway.handle(request());
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '9',
      'x-ratelimit-reset': String(Date.parse('2026-03-01T10:01:00Z') / 1000),
      'x-credits-remaining': '8.5',
      'x-request-id': 'req-1',
      'content-type': 'application/json',
    });
    expect(response.headers).not.toHaveProperty('set-cookie');
    expect(response.headers).not.toHaveProperty('server');
    expect(forwarded[0]!.url).toBe('https://echo.example/base/a/b%20c?q=1');
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'ok', status: 200, priceMicroCredits: 1_500_000, path: '/a/b c', accountId: 'acc_1' }),
    ]);
  });

  it.each(['TRACE', 'CONNECT', 'OPTIONS', 'PROPFIND'])(
    'answers 405 with Allow to %s before the key is looked up: nothing admitted, charged or forwarded',
    async (method) => {
      const { gateway, events, forwarded, meter } = setup();
      const admit = jest.spyOn(meter, 'admit');
      const response = await gateway.handle(request({ method }));
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
      expect(errorOf(response.body).code).toBe('method_not_allowed');
      expect(admit).not.toHaveBeenCalled();
      expect(forwarded).toEqual([]);
      expect(events).toEqual([]);
    },
  );

  it('never forwards credentials or cookies upstream, nor logs them', async () => {
    const { gateway, events, forwarded } = setup();
    await gateway.handle(request());
    expect(Object.keys(forwarded[0]!.headers).sort()).toEqual(['accept', 'content-type', 'x-request-id']);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(JSON.stringify(events)).not.toContain('session=1');
  });

  it('logs a user agent as API Gateway hands it, and cuts a long one at 512 without splitting a character', async () => {
    const { gateway, events } = setup();
    await gateway.handle(request({ userAgent: 'Mozilla/5.0 (Ωmega; 東京) 🦊' }));
    const long = `${'x'.repeat(511)}🦊 and more`;
    await gateway.handle(request({ requestId: 'req-2', userAgent: long }));
    expect(events.map((e) => e.userAgent)).toEqual(['Mozilla/5.0 (Ωmega; 東京) 🦊', 'x'.repeat(511)]);
    // What the usage queue carries survives UTF-8 whole: no lone surrogate becomes U+FFFD on the way.
    expect(Buffer.from(events[1]!.userAgent, 'utf8').toString('utf8')).toBe(events[1]!.userAgent);
  });

  it.each([
    [undefined, 'unauthorized'],
    ['omn_live_unknown', 'invalid_key'],
  ])('answers 401 for key %s without metering or logging', async (secret, code) => {
    const { gateway, events, meter } = setup();
    const response = await gateway.handle(request({ secret }));
    expect(response.status).toBe(401);
    expect(errorOf(response.body).code).toBe(code);
    expect(meter.used).toBe(0);
    expect(events).toHaveLength(0);
  });

  it('answers 404 for a product that is not sold', async () => {
    const { gateway, meter } = setup();
    const response = await gateway.handle(request({ product: 'nope' }));
    expect(response.status).toBe(404);
    expect(meter.used).toBe(0);
  });

  it('answers 402 when the balance is short, consuming neither credit nor rate budget', async () => {
    const { gateway, events, meter, forwarded } = setup({ balance: 1_000_000 });
    const response = await gateway.handle(request());
    expect(response.status).toBe(402);
    expect(errorOf(response.body)).toMatchObject({ code: 'insufficient_credit' });
    expect(response.headers['x-credits-remaining']).toBe('1');
    expect([meter.balance, meter.used, forwarded.length]).toEqual([1_000_000, 0, 0]);
    expect(events[0]).toMatchObject({ outcome: 'rejected', status: 402 });
  });

  it('answers 429 with Retry-After until the minute ends when over the limit', async () => {
    const { gateway, meter } = setup({ used: 10 });
    const response = await gateway.handle(request());
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.headers['x-ratelimit-remaining']).toBe('0');
    expect(meter.balance).toBe(10_000_000);
  });

  it.each([
    [{ kind: 'response', status: 503, headers: {}, body: Buffer.from('down') } as UpstreamResult, 502, 'upstream_error'],
    [{ kind: 'unreachable', reason: 'ECONNREFUSED' } as UpstreamResult, 502, 'upstream_error'],
    [{ kind: 'timeout' } as UpstreamResult, 504, 'upstream_timeout'],
  ])('answers an upstream failure with %#: %s, refunded', async (result, status, code) => {
    const { gateway, events } = setup({ upstream: () => result });
    const response = await gateway.handle(request());
    expect(response.status).toBe(status);
    expect(errorOf(response.body).code).toBe(code);
    expect(response.headers['x-credits-remaining']).toBe('10');
    expect(events[0]).toMatchObject({ outcome: 'refunded', status });
  });

  it('still answers a paid call when the queue is down, handing the event to the durable fallback', async () => {
    const { gateway, unqueued } = setup({ queueDown: true });
    const response = await gateway.handle(request());
    expect(response.status).toBe(200);
    expect(unqueued).toEqual([expect.objectContaining({ requestId: 'req-1', outcome: 'ok', status: 200 })]);
  });

  it('passes upstream 4xx answers through and charges them', async () => {
    const { gateway, events } = setup({
      upstream: () => ({ kind: 'response', status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('no') }),
    });
    const response = await gateway.handle(request());
    expect([response.status, response.body.toString()]).toEqual([404, 'no']);
    expect(events[0]!.outcome).toBe('ok');
  });
});

describe('Gateway paths', () => {
  it.each([
    ['a dot-dot segment', { path: '../../../health', rawPath: '/v1/api/echo/%2e%2e%2f%2e%2e%2f%2e%2e%2fhealth' }],
    ['an encoded slash', { path: 'a/b', rawPath: '/v1/api/echo/a%2fb' }],
    ['an encoded sign-up path', { path: '../../v1/auth/signup', rawPath: '/v1/api/echo/..%2f..%2fv1%2fauth%2fsignup' }],
    ['a dot segment', { path: './x', rawPath: '/v1/api/echo/./x' }],
    ['a backslash', { path: 'a\\..\\b', rawPath: '/v1/api/echo/a%5c..%5cb' }],
    ['an encoded dot-dot', { path: 'x', rawPath: '/v1/api/echo/%2E%2E/x' }],
  ])('refuses %s with 400 before any key lookup or debit', async (_name, overrides) => {
    const { gateway, meter, forwarded, events } = setup();
    const response = await gateway.handle(request(overrides));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.code).toBe('invalid_path');
    expect(meter.balance).toBe(10_000_000);
    expect(forwarded).toEqual([]);
    expect(events).toEqual([]);
  });

  it('keeps every forwarded URL under the product base', async () => {
    const { gateway, forwarded } = setup();
    await gateway.handle(request({ path: 'a/..b/c%2F', rawPath: '/v1/api/echo/a/..b/c%252F' }));
    expect(forwarded[0]!.url).toBe('https://echo.example/base/a/..b/c%252F?q=1');
  });
});

describe('Gateway and suspended accounts', () => {
  it('answers 403 account_suspended, debiting and forwarding nothing', async () => {
    const { gateway, meter, forwarded } = setup();
    const response = await gateway.handle(request({ secret: SUSPENDED }));
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body.toString()).error.code).toBe('account_suspended');
    expect(meter.balance).toBe(10_000_000);
    expect(forwarded).toEqual([]);
  });
});
