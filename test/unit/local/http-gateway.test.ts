import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LocalFunctions } from '../../../local/functions';
import { applyCors, configureServer, httpGateway, RouteTable } from '../../../local/http-gateway';

const table = new RouteTable([
  { routeKey: '$default', functionId: 'NotFound' },
  { routeKey: 'GET /v1/keys', functionId: 'ListKeys' },
  { routeKey: 'GET /v1/keys/{id}', functionId: 'GetKey' },
  { routeKey: 'POST /v1/keys/{id}/roll', functionId: 'RollKey' },
  { routeKey: 'ANY /v1/api/{product}/{proxy+}', functionId: 'Gateway' },
  { routeKey: 'GET /v1/api/echo/status', functionId: 'Status' },
  { routeKey: 'ANY /v1/keys/{id}', functionId: 'AnyKey' },
]);

describe('RouteTable', () => {
  it.each([
    ['GET', '/v1/keys', 'ListKeys', undefined],
    ['GET', '/v1/keys/k1', 'GetKey', { id: 'k1' }],
    ['DELETE', '/v1/keys/k1', 'AnyKey', { id: 'k1' }],
    ['POST', '/v1/keys/k1/roll', 'RollKey', { id: 'k1' }],
    ['POST', '/v1/api/echo/a/b/c', 'Gateway', { product: 'echo', proxy: 'a/b/c' }],
    ['GET', '/v1/api/echo/status', 'Status', undefined],
    ['GET', '/v1/keys/a%20b', 'GetKey', { id: 'a b' }],
  ])('%s %s goes to %s', (method, path, functionId, params) => {
    const match = table.match(method, path)!;
    expect(match.route.functionId).toBe(functionId);
    expect(match.pathParameters).toEqual(params);
  });

  it('sends whatever matches no route to $default', () => {
    expect(table.match('GET', '/v1/nothing')!.route.functionId).toBe('NotFound');
    expect(table.match('POST', '/v1/keys')!.route.functionId).toBe('NotFound');
    // A greedy parameter needs at least one segment.
    expect(table.match('GET', '/v1/api/echo')!.route.functionId).toBe('NotFound');
  });
});

describe('local HTTP API server', () => {
  let server: http.Server;
  let port: number;
  const invoked: string[] = [];
  beforeAll(async () => {
    const functions = {
      invoke: async (functionId: string) => {
        invoked.push(functionId);
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
      },
    } as unknown as LocalFunctions;
    server = http.createServer(
      httpGateway(
        [
          { routeKey: 'GET /health', functionId: 'Health' },
          { routeKey: '$default', functionId: 'NotFound' },
        ],
        functions,
        () => undefined,
      ),
    );
    configureServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends raw bytes and returns the raw answer: what curl --path-as-is or a broken client would send. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  const health = () => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status);

  it.each([['GET // HTTP/1.1'], ['GET http://[/x HTTP/1.1'], ['GET * HTTP/1.1']])(
    'answers %s with a JSON 400 and keeps serving',
    async (line) => {
      const answer = await raw(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
      expect(answer).toMatch(/x-content-type-options: nosniff/i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 'bad_request', message: expect.any(String) },
      });
      expect(await health()).toBe(200);
    },
  );

  it('never answers a malformed pipelined request before the request ahead of it: that one is answered, then the connection closes', async () => {
    // A valid request and, in the same packet, one HTTP cannot parse: the first is still being handled when the parser fails.
    const answer = await raw('GET /health HTTP/1.1\r\nHost: x\r\n\r\nBLAH\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200']);
    expect(answer.endsWith('{"ok":true}')).toBe(true);
    expect(await health()).toBe(200);
  });

  it('answers a request line HTTP cannot parse with a JSON 400', async () => {
    const answer = await raw('BLAH\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/"code":"bad_request"/);
    expect(await health()).toBe(200);
  });

  it('answers oversized headers with a JSON 431', async () => {
    const answer = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(answer).toMatch(/"code":"headers_too_large"/);
  });

  it('keeps an idle kept-alive connection open longer than clients do (Node fetch: 4 s, many SDKs: 5 s)', async () => {
    expect(server.keepAliveTimeout).toBeGreaterThanOrEqual(60_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/health', agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, socket: request.socket }));
        });
        request.on('error', reject);
      });
    const first = await get();
    await new Promise((r) => setTimeout(r, 5_500));
    const second = await get();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.socket).toBe(first.socket);
    agent.destroy();
  }, 15_000);
});

describe("local CORS, as API Gateway applies the API's configuration", () => {
  const cors = {
    AllowOrigins: ['https://app.omnapi.test'],
    AllowMethods: ['*'],
    AllowHeaders: ['authorization', 'content-type'],
    AllowCredentials: true,
    MaxAge: 3600,
  };
  const exchange = (method: string, headers: Record<string, string>) => {
    const set: Record<string, string> = {};
    const response = { setHeader: (name: string, value: string) => (set[name] = value) } as unknown as http.ServerResponse;
    const outcome = applyCors(cors, { method, headers } as unknown as http.IncomingMessage, response);
    return { outcome, set };
  };

  it("answers an allowed origin's preflight", () => {
    const { outcome, set } = exchange('OPTIONS', { origin: 'https://app.omnapi.test', 'access-control-request-method': 'POST' });
    expect(outcome).toBe('preflight');
    expect(set).toMatchObject({
      'access-control-allow-origin': 'https://app.omnapi.test',
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '3600',
    });
  });

  it('gives other origins no CORS headers, and same-origin requests nothing to do', () => {
    expect(exchange('OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'POST' })).toEqual({
      outcome: 'none',
      set: { vary: 'origin' },
    });
    expect(exchange('GET', {})).toEqual({ outcome: 'none', set: {} });
  });
});

/**
 * API Gateway hands a function its request's header values as UTF-8 text: non-ASCII bytes read as
 * UTF-8, a byte sequence that is not UTF-8 as U+FFFD (Lambda events carry "ī" from UTF-8 header bytes,
 * and U+FFFD where the bytes were not UTF-8). Node's parser reads header bytes as Latin-1.
 */
describe('local HTTP API header values, as API Gateway decodes them', () => {
  let server: http.Server;
  let port: number;
  const events: { headers: Record<string, string>; cookies?: string[]; requestContext: { http: { userAgent: string } } }[] = [];
  beforeAll(async () => {
    const functions = {
      invoke: async (_functionId: string, event: (typeof events)[number]) => {
        events.push(event);
        return { statusCode: 204 };
      },
    } as unknown as LocalFunctions;
    server = http.createServer(httpGateway([{ routeKey: 'GET /health', functionId: 'Health' }], functions, () => undefined));
    configureServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends a request whose header lines are exactly these bytes. */
  const send = (headerLines: Buffer) =>
    new Promise<(typeof events)[number]>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.end(
          Buffer.concat([Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'), headerLines, Buffer.from('\r\n')]),
        ),
      );
      socket.on('data', () => undefined);
      socket.on('end', () => resolve(events.at(-1)!));
      socket.on('error', reject);
    });

  it('reads UTF-8 bytes of a user agent as the characters they encode, in the headers and the request context', async () => {
    const event = await send(Buffer.from('User-Agent: Mozilla/5.0 (Ωmega; 東京) 🦊\r\nX-City: Srīperumbūdūr\r\n', 'utf8'));
    expect(event.headers['user-agent']).toBe('Mozilla/5.0 (Ωmega; 東京) 🦊');
    expect(event.requestContext.http.userAgent).toBe('Mozilla/5.0 (Ωmega; 東京) 🦊');
    expect(event.headers['x-city']).toBe('Srīperumbūdūr');
  });

  it('reads bytes that are not UTF-8 (Latin-1 "Benoît") as U+FFFD, and ASCII as it is', async () => {
    const event = await send(
      Buffer.concat([Buffer.from('User-Agent: Beno'), Buffer.from([0xee]), Buffer.from("t's agent\r\nCookie: a=é\r\n", 'utf8')]),
    );
    expect(event.headers['user-agent']).toBe("Beno\uFFFDt's agent");
    expect(event.cookies).toEqual(['a=é']);
    expect(event.headers.host).toBe('x');
  });
});
