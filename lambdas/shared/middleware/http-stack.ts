import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Context } from 'aws-lambda';
import { NotFoundError } from '../errors';
import type { HttpEvent, HttpResponse } from '../http';
import { logger } from '../logger';
import { httpErrors } from './http-error-handler';
import { behindEdge, OriginGuard } from './origin-guard';

/**
 * middy's security headers as the platform sends them: its defaults (nosniff, no framing, no referrer,
 * same-origin resource and opener policies, no browser features), HSTS for two years without the
 * preload commitment, and no Content-Security-Policy: the middleware overwrites the answer's own
 * headers, and the HTML pages of mailed links need their own policy (see `standardHeaders`).
 */
const SECURITY_HEADER_OPTIONS = {
  contentSecurityPolicy: false,
  strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
} as const;

/** The policy of every answer that brings none: nothing may load, nothing may frame it. */
const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * middy middleware, outside the security headers: every answer's header names in lower case (as
 * HTTP/2 sends them; middy writes `Content-Type`, our code `content-type`), and where the answer does
 * not say otherwise no caching of account data, the default CSP and the request id.
 */
function standardHeaders(): MiddlewareObj<HttpEvent, HttpResponse> {
  const standardHeadersMiddlewareAfter = (request: Request<HttpEvent, HttpResponse>) => {
    if (!request.response) return;
    const headers: Record<string, string> = {
      'cache-control': 'no-store',
      'content-security-policy': DEFAULT_CSP,
      ...(request.event?.requestContext?.requestId ? { 'x-request-id': request.event.requestContext.requestId } : {}),
    };
    for (const [name, value] of Object.entries(request.response.headers ?? {})) headers[name.toLowerCase()] = value;
    request.response.headers = headers;
  };
  return { after: standardHeadersMiddlewareAfter, onError: standardHeadersMiddlewareAfter };
}

/** A deployed HTTP function's handler. */
export type LambdaHttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

export interface HttpHandlerOptions {
  /**
   * Refuses what did not come through the edge, before anything else looks at the request.
   * @default the guard the environment names (`OriginGuard.fromEnv`), none without one
   */
  guard?: OriginGuard;
  /** Middlewares outside all others, e.g. tracing (the metered gateway keeps X-Ray out). @default none */
  outermost?: MiddlewareObj<HttpEvent, HttpResponse>[];
}

/**
 * The platform's one HTTP stack around a handler, on middy's maintained middlewares: Powertools'
 * logging context, our standard headers and `http-security-headers` on every answer (errors
 * included), `http-error-handler` answering every error with the JSON error shape, then per request
 * `http-header-normalizer` (lower-case names, so code reads `event.headers['content-type']`) and the
 * edge's origin check.
 */
export function httpHandler(
  handler: LambdaHttpHandler,
  { guard = OriginGuard.fromEnv(), outermost = [] }: HttpHandlerOptions = {},
): LambdaHttpHandler {
  const stack = middy<HttpEvent, HttpResponse>()
    .use(outermost)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(standardHeaders())
    .use(httpSecurityHeaders(SECURITY_HEADER_OPTIONS) as MiddlewareObj<HttpEvent, HttpResponse>)
    .use(httpErrors({ logger }))
    .use(httpHeaderNormalizer() as MiddlewareObj<HttpEvent, HttpResponse>);
  if (guard) stack.use(behindEdge(guard));
  return stack.handler(handler);
}

/** A request no route takes: the JSON 404 naming it (the router's answer, and the `$default` function's). */
export function noRoute({ method, path }: { method: string; path: string }): never {
  throw new NotFoundError(`No route for ${method} ${path}`);
}
