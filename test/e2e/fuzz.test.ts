import fc from 'fast-check';
import { synthesizeTemplate } from '../../local/assembly';
import { type LocalProcess, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { API_PATH_PATTERNS } from '../../lib/constructs/console';
import { pathPattern } from '../../local/console';

/** Requests per run; `FUZZ_RUNS=20000 npx jest test/e2e/fuzz` is the longer run before a release. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);
/** Requests of the parallel phase, sent `CONCURRENCY` at a time. */
const PARALLEL_RUNS = Number(process.env.FUZZ_PARALLEL_RUNS ?? 1000);
const CONCURRENCY = 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

/** Routes that answer with an HTML page (a person clicked a link): their 404/410 pages are HTML by design. */
const HTML_ROUTES = ['/v1/privacy/confirm', '/v1/billing/checkout/'];

/**
 * A bounded, seeded, property-based fuzz of every route the synthesized app serves, against the
 * local runtime: random methods, path parameters, queries, headers and bodies, with and without
 * credentials. No answer may be a 5xx, an error without the JSON error shape, or a stack trace, and
 * the platform must still answer /health afterwards.
 */
describe('fuzzing every route of the app', () => {
  let local: LocalProcess;
  const routes = Object.values(synthesizeTemplate().Resources)
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => String(r.Properties!.RouteKey))
    .filter((key) => key !== '$default');

  beforeAll(async () => {
    local = await startLocalProcess();
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await local?.stop();
  });

  const segment = fc.oneof(
    fc.constantFrom(
      'acc_000000000000000000000000',
      'key_0123456789abcdef01234567',
      'prq_0123456789abcdef01234567',
      'x',
      '..',
      '%2e%2e',
      '%2f',
      'a%00b',
      '%ff',
      'echo',
      '0',
    ),
    fc.string({ minLength: 1, maxLength: 12 }).map((s) => encodeURIComponent(s)),
  );
  const body = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      '{',
      '[]',
      'null',
      '{"type":"access"}',
      '{"email":"a@b.c","password":"x"}',
      `{"pack":"starter"}`,
      '['.repeat(5000) + ']'.repeat(5000),
      'x'.repeat(70_000),
    ),
    // Bytes that are not UTF-8, and UTF-16.
    fc.constantFrom(
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      Buffer.from('{"name":"x"}', 'utf16le'),
      Buffer.from([0xff, 0xfe, 0x00]),
    ),
  );
  const request = fc.record({
    route: fc.constantFrom(...routes),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'),
    params: fc.array(segment, { minLength: 1, maxLength: 3 }),
    query: fc.dictionary(
      fc.constantFrom('limit', 'cursor', 'from', 'to', 'token', 'request', 'granularity', 'product'),
      fc.string({ maxLength: 30 }),
      { maxKeys: 3 },
    ),
    auth: fc.constantFrom(undefined, 'Bearer omn_sess_invalid', `Bearer omn_live_${'a'.repeat(43)}`, 'Bearer', 'Basic x'),
    contentType: fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
    ),
    // A hostile page's request with a (stale) session cookie.
    crossSite: fc.boolean(),
    // User agents as the world sends them: UTF-8 bytes (fetch writes a header's characters one byte each), bytes that are not UTF-8.
    userAgent: fc.constantFrom(
      undefined,
      Buffer.from('Mozilla/5.0 (Ωmega; 東京) 🦊', 'utf8').toString('latin1'),
      Buffer.from([0x42, 0x65, 0x6e, 0x6f, 0xee, 0x74]).toString('latin1'),
      `${'x'.repeat(511)}${Buffer.from('🦊', 'utf8').toString('latin1')}`,
    ),
    body,
  });
  const API_PATTERNS = API_PATH_PATTERNS.map(pathPattern);
  type Probe = typeof request extends fc.Arbitrary<infer T> ? T : never;

  const failures: string[] = [];
  const statuses = new Map<number, number>();

  /** Sends one generated request and records every way its answer is wrong. */
  async function probe({ route, method, params, query, auth, contentType, crossSite, userAgent, body: payload }: Probe): Promise<void> {
    const [routeMethod, template] = route.split(' ') as [string, string];
    let i = 0;
    const path = template.replace(/\{[^}]+\}/g, () => params[i++ % params.length]!);
    const qs = new URLSearchParams(query).toString();
    const verb = routeMethod === 'ANY' ? method : routeMethod;
    const response = await fetch(`${local.api}${path}${qs ? `?${qs}` : ''}`, {
      method: verb,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(userAgent ? { 'user-agent': userAgent } : {}),
        ...(crossSite ? { cookie: 'omn_session=omn_sess_stolen', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } : {}),
      },
      body: verb === 'GET' || verb === 'DELETE' || verb === 'OPTIONS' ? undefined : payload,
      redirect: 'manual',
    });
    const text = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const where = `${verb} ${path} → ${response.status}`;
    if (response.status >= 500) failures.push(`${where}: ${text.slice(0, 200)}`);
    if (/at .+\.(ts|js):\d+|node_modules/.test(text)) failures.push(`${where}: stack trace`);
    const html =
      HTML_ROUTES.some((prefix) => path.startsWith(prefix)) && (response.headers.get('content-type') ?? '').startsWith('text/html');
    // `..` segments can resolve outside the API: those paths are the console's (CloudFront and S3 answers, not the API's).
    const reachesApi = API_PATTERNS.some((pattern) => pattern.test(new URL(response.url).pathname));
    if (response.status >= 400 && !html && reachesApi) {
      try {
        const parsed = JSON.parse(text);
        if (typeof parsed?.error?.code !== 'string' || typeof parsed?.error?.message !== 'string')
          failures.push(`${where}: not the error shape: ${text.slice(0, 120)}`);
      } catch {
        failures.push(`${where}: not JSON: ${text.slice(0, 120)}`);
      }
    }
    if (response.headers.get('x-content-type-options') !== 'nosniff') failures.push(`${where}: no nosniff`);
  }

  it(`answers ${RUNS} random requests one at a time, then ${PARALLEL_RUNS} ${CONCURRENCY} at a time, without a 5xx, a bare error or a stack trace`, async () => {
    await fc.assert(fc.asyncProperty(request, probe), { numRuns: RUNS, seed: SEED, endOnFailure: true });
    // The same kinds of request at once: the runtime's concurrency, not just its parsing.
    const parallel = fc.sample(request, { numRuns: PARALLEL_RUNS, seed: SEED + 1 });
    for (let start = 0; start < parallel.length; start += CONCURRENCY)
      await Promise.all(parallel.slice(start, start + CONCURRENCY).map(probe));
    expect(failures.slice(0, 20)).toEqual([]);
    // The fuzz reached the handlers, not just the router: successes, validation, auth and not-found answers.
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS + PARALLEL_RUNS);
    for (const status of [200, 400, 401, 403, 404, 405, 415])
      expect({ status, seen: (statuses.get(status) ?? 0) > 0 }).toEqual({ status, seen: true });
    expect((await fetch(`${local.api}/health`)).status).toBe(200);
    expect(local.output()).not.toMatch(/a function crashed|unhandled rejection/);
  }, 600_000);
});
