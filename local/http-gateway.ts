import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errorBody } from '../lambdas/shared/http';
import type { LocalCors, LocalRoute } from './assembly';
import type { LocalFunctions } from './functions';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './intrinsics';

/** Lambda's synchronous payload limit: API Gateway refuses larger requests to a Lambda integration. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|x-www-form-urlencoded|javascript))/i;

interface CompiledRoute {
  route: LocalRoute;
  method: string;
  segments: string[];
}

export interface RouteMatch {
  route: LocalRoute;
  pathParameters?: Record<string, string>;
}

/** API Gateway HTTP API route selection: the most specific path wins, then a named method over ANY. */
export class RouteTable {
  private readonly compiled: CompiledRoute[];
  private readonly fallback?: LocalRoute;

  constructor(routes: LocalRoute[]) {
    this.fallback = routes.find((r) => r.routeKey === '$default');
    this.compiled = routes
      .filter((r) => r.routeKey !== '$default')
      .map((route) => {
        const [method, routePath] = route.routeKey.split(' ') as [string, string];
        return { route, method: method.toUpperCase(), segments: routePath.split('/').filter(Boolean) };
      });
  }

  match(method: string, path: string): RouteMatch | undefined {
    const segments = path.split('/').filter(Boolean);
    let best: { match: RouteMatch; score: number[] } | undefined;
    for (const candidate of this.compiled) {
      if (candidate.method !== 'ANY' && candidate.method !== method.toUpperCase()) continue;
      const params = matchSegments(candidate.segments, segments);
      if (!params) continue;
      const score = [
        ...candidate.segments.map((s) => (s.endsWith('+}') ? 1 : s.startsWith('{') ? 2 : 3)),
        candidate.method === 'ANY' ? 0 : 1,
      ];
      if (!best || compareScores(score, best.score) > 0) {
        best = { match: { route: candidate.route, pathParameters: Object.keys(params).length ? params : undefined }, score };
      }
    }
    return best?.match ?? (this.fallback ? { route: this.fallback } : undefined);
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!;
    if (part.startsWith('{') && part.endsWith('+}')) {
      if (i !== pattern.length - 1 || actual.length <= i) return undefined;
      params[part.slice(1, -2)] = actual.slice(i).map(decodeSegment).join('/');
      return params;
    }
    const value = actual[i];
    if (value === undefined) return undefined;
    if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = decodeSegment(value);
    else if (part !== value) return undefined;
  }
  return pattern.length === actual.length ? params : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * A header value as API Gateway hands it to a function: its bytes read as UTF-8, any sequence that is
 * not UTF-8 as U+FFFD (events from AWS carry the characters UTF-8 header bytes encode, and U+FFFD
 * where they were not UTF-8; see docs/architecture.md). Node's parser reads header bytes as Latin-1,
 * one character a byte, so the bytes are exactly recovered first: "Ωmega" sent as UTF-8 had reached
 * the functions (and the usage logs) as "Î©mega".
 */
export function asApiGatewayText(latin1: string): string {
  return /[^\x00-\x7f]/.test(latin1) ? UTF8.decode(Buffer.from(latin1, 'latin1')) : latin1;
}
const UTF8 = new TextDecoder('utf-8');

/** Builds the payload-format-2.0 event API Gateway sends to a Lambda integration. */
export function toApiGatewayEvent(
  request: http.IncomingMessage,
  body: Buffer,
  match: RouteMatch,
  requestId: string,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'cookie' || value === undefined) continue;
    headers[name] = asApiGatewayText(Array.isArray(value) ? value.join(',') : value);
  }
  const cookies = (request.headers.cookie === undefined ? undefined : asApiGatewayText(request.headers.cookie))
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const method = (request.method ?? 'GET').toUpperCase();

  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: cookies?.length ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: match.pathParameters,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // Bytes that are not UTF-8 cannot travel as text: they are passed base64-encoded, so the function sees them as sent.
    body: body.length ? (isText && isUtf8(body) ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !(isText && isUtf8(body)),
  };
}

/** Writes a Lambda proxy result to the HTTP response, as API Gateway interprets payload format 2.0. */
export function writeLambdaResult(response: http.ServerResponse, result: unknown): void {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in (result as object)
      ? (result as {
          statusCode: number;
          headers?: Record<string, string | number | boolean>;
          cookies?: string[];
          body?: string;
          isBase64Encoded?: boolean;
        })
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: typeof result === 'string' ? result : JSON.stringify(result),
        };
  for (const [name, value] of Object.entries(structured.headers ?? {})) response.setHeader(name, String(value));
  if (structured.cookies?.length) response.setHeader('set-cookie', structured.cookies);
  const body = structured.body ?? '';
  response.statusCode = structured.statusCode;
  response.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/**
 * What the runtime's own answers carry (API Gateway's own carry less): a JSON error that is neither
 * sniffed nor cached. Not the functions' full set, which middy adds: the runtime runs without middy,
 * whose packages load only as ES modules.
 */
const EDGE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** The JSON error body, as a complete answer the gateway itself gives (413, 400, 404, 500). */
export function errorAnswer(
  status: number,
  code: string,
  message: string,
): { status: number; headers: Record<string, string>; body: string } {
  return { status, headers: { ...EDGE_HEADERS }, body: JSON.stringify(errorBody(code, message)) };
}

function sendError(response: http.ServerResponse, status: number, code: string, message: string): void {
  const answer = errorAnswer(status, code, message);
  if (response.headersSent) return void response.end();
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

/** The request target's path, or undefined when it is not a URL path (`//`, `http://[/x`, `*`). */
export function pathOf(target: string | undefined): string | undefined {
  if (!target?.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/**
 * Answers what Node's HTTP parser refuses before any listener sees it (malformed request line,
 * headers over the limit) with the JSON error shape instead of a bare status line.
 */
export function answerClientError(error: NodeJS.ErrnoException & { code?: string }, socket: import('node:net').Socket): void {
  if (!socket.writable) return void socket.destroy();
  // A request ahead of the malformed one on this kept-alive connection is still being answered: writing
  // now would put this answer in front of that one (the client reads it as that request's, then gets
  // "data after Connection: close"). That answer goes out whole, then the connection closes, as
  // Node's own parser error handling does once a connection has carried an answer.
  const inFlight = answering.get(socket);
  if (inFlight) {
    inFlight.once('close', () => socket.destroySoon());
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'Request headers are too large']
      : [400, 'bad_request', 'The request could not be parsed as HTTP'];
  const answer = errorAnswer(status, code, message);
  const head = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`,
    ...Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${Buffer.byteLength(answer.body)}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${answer.body}`);
}

/** Seconds an idle kept-alive connection stays open: longer than common clients and load balancers keep theirs. */
export const KEEP_ALIVE_SECONDS = 65;

/** The answer each connection is sending, until it is sent: a parser error on that connection waits for it. */
const answering = new WeakMap<import('node:net').Socket, http.ServerResponse>();

/** Applies the HTTP API's connection behaviour to a local server: generous keep-alive, JSON parse errors. */
export function configureServer(server: http.Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_SECONDS * 1000;
  // Must exceed keepAliveTimeout, or Node closes a reused connection before the client's next request.
  server.headersTimeout = (KEEP_ALIVE_SECONDS + 1) * 1000;
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    answering.set(request.socket, response);
    response.once('close', () => {
      if (answering.get(request.socket) === response) answering.delete(request.socket);
    });
  });
  server.on('clientError', answerClientError);
}

/**
 * What API Gateway's CORS configuration does: answers an allowed origin's preflight itself, and adds
 * the allow headers to that origin's answers. Other origins get no CORS headers (the browser refuses).
 */
export function applyCors(cors: LocalCors | undefined, request: http.IncomingMessage, response: http.ServerResponse): 'preflight' | 'none' {
  const origin = request.headers.origin;
  if (!cors || !origin) return 'none';
  const allowed = (cors.AllowOrigins ?? []).some((o) => o === '*' || o === origin);
  response.setHeader('vary', 'origin');
  if (!allowed) return 'none';
  response.setHeader('access-control-allow-origin', origin);
  if (cors.AllowCredentials) response.setHeader('access-control-allow-credentials', 'true');
  if (cors.ExposeHeaders?.length) response.setHeader('access-control-expose-headers', cors.ExposeHeaders.join(','));
  if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return 'none';
  response.setHeader('access-control-allow-methods', (cors.AllowMethods ?? ['*']).join(','));
  response.setHeader('access-control-allow-headers', (cors.AllowHeaders ?? []).join(','));
  if (cors.MaxAge !== undefined) response.setHeader('access-control-max-age', String(cors.MaxAge));
  return 'preflight';
}

/** The HTTP API's request listener: same routes, same events, same integration behaviour. */
export function httpGateway(
  routes: LocalRoute[],
  functions: LocalFunctions,
  log: (line: string) => void,
  cors?: LocalCors,
  apiId = 'local',
): http.RequestListener {
  const table = new RouteTable(routes);
  return (request, response) => {
    const started = Date.now();
    const requestId = randomBytes(12).toString('base64url');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('error', () => request.destroy());
    // Nothing a client sends may end the process: every failure below becomes a JSON answer.
    request.on('end', async () => {
      try {
        response.setHeader('apigw-requestid', requestId);
        if (applyCors(cors, request, response) === 'preflight') {
          response.writeHead(204, { 'content-length': 0 });
          return void response.end();
        }
        if (tooLarge) return sendError(response, 413, 'payload_too_large', 'Request body exceeds 6 MB');
        const path = pathOf(request.url);
        if (path === undefined) return sendError(response, 400, 'bad_request', 'The request target is not a valid path');
        const match = table.match(request.method ?? 'GET', path);
        if (!match) return sendError(response, 404, 'not_found', 'Not Found');
        const event = toApiGatewayEvent(request, Buffer.concat(chunks), match, requestId);
        // API Gateway invokes as itself, for this route: the function's Lambda permission must allow it.
        const [routeMethod, routePath] = match.route.routeKey === '$default' ? ['$default', ''] : match.route.routeKey.split(' ');
        const method = routeMethod === 'ANY' ? (request.method ?? 'GET').toUpperCase() : routeMethod;
        const sourceArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${apiId}/$default/${method}${routePath}`;
        writeLambdaResult(
          response,
          await functions.invoke(match.route.functionId, event, { principal: 'apigateway.amazonaws.com', sourceArn }),
        );
      } catch (error) {
        // What API Gateway does when the integration itself fails.
        log(`integration error on ${request.method} ${pathOf(request.url) ?? '?'}: ${(error as Error).stack ?? error}`);
        sendError(response, 500, 'internal_error', 'Internal Server Error');
      } finally {
        // The path only: query strings can carry tokens.
        log(`${request.method} ${pathOf(request.url) ?? '(invalid target)'} ${response.statusCode} ${Date.now() - started}ms`);
      }
    });
  };
}
