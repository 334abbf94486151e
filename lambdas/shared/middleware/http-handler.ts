import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { NotFoundError } from '../errors';
import { type HttpEvent, type HttpResponse, standardHeaders } from '../http';
import { logger } from '../logger';
import { tracer } from '../tracer';
import { type InputOf, routeKeyOf, type RouteSpec } from '../routes';
import { httpErrorHandler, toErrorResponse } from './http-error-handler';
import { auditTrailFromEnv } from '../adapters/dynamodb-audit';
import type { AuditTrail } from '../audit';
import { dynamo } from '../clients/dynamodb';
import { auditTrail } from './audit-trail';
import { crossSiteGuard } from './cross-site-guard';
import { behindEdge } from './origin-guard';
import type { Authenticator } from '../auth/authenticator';
import { dynamoDbSessionLookup, type Principal, sessionAuthenticator } from '../auth/session';
import { type ValidatedEvent, validateRequest } from './validate-request';

/** A route's plain logic: validated input and the caller in, response out. */
export type RouteLogic<R extends RouteSpec, A> = (
  event: ValidatedEvent<InputOf<R['body']>, InputOf<R['query']>, InputOf<R['params']>, A>,
  context: Context,
) => Promise<HttpResponse>;

export interface RouteOptions<A> {
  /**
   * Resolves the caller before anything else is looked at; throws 401 (or 400 for a malformed proof)
   * to refuse. Its scheme must be the one the manifest's `auth` names. Session routes get the
   * sessions table's authenticator by default (TABLE_SESSIONS); a `stripeSignature` route must be
   * given Stripe's; a public route takes none.
   */
  authenticate?: Authenticator<A>;
  /** Largest accepted JSON body in bytes. @default 65536 */
  maxBodyBytes?: number;
  /** Where the route's audit events go. @default the table bound as TABLE_AUDIT_EVENTS */
  auditTrail?: AuditTrail;
  /** Metrics the logic adds, flushed by Powertools' logMetrics after each call. @default none */
  metrics?: Metrics;
}

export type LambdaHttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** A route's deployed handler, with the route key it answers. */
export interface BoundRoute {
  routeKey: string;
  spec: RouteSpec;
  handler: LambdaHttpHandler;
}

/** Who a route's logic sees as its caller when it names no authenticator: the session's holder on session routes. */
export type DefaultPrincipal<R extends RouteSpec> = R['auth'] extends 'session' ? Principal : undefined;

/** The sessions table's authenticator, for session routes that bring none (the function must be bound to TABLE_SESSIONS). */
function defaultSessionAuthenticator(spec: RouteSpec): Authenticator<Principal> {
  const table = process.env.TABLE_SESSIONS;
  if (!table) throw new Error(`${routeKeyOf(spec)} is a session route: bind TABLE_SESSIONS or pass authenticate`);
  return sessionAuthenticator(dynamoDbSessionLookup(dynamo, table));
}

/**
 * Binds a manifest route to its logic: an X-Ray subsegment (no response recorded), Powertools logging context, the JSON error shape,
 * the audit event of a successful state change, the cross-site check of session routes' writes, authentication, validation with the manifest's schemas and the standard headers, in that order.
 * A route whose manifest asks for a caller must be given a way to authenticate one.
 */
export function route<R extends RouteSpec, A = DefaultPrincipal<R>>(
  spec: R,
  logic: RouteLogic<R, A>,
  options: RouteOptions<A> = {},
): BoundRoute {
  const authenticate =
    options.authenticate ?? (spec.auth === 'session' ? (defaultSessionAuthenticator(spec) as Authenticator<A>) : undefined);
  if (spec.auth === 'public' && authenticate) throw new Error(`${routeKeyOf(spec)} is public: it takes no authenticator`);
  if (spec.auth === 'apiKey')
    throw new Error(`${routeKeyOf(spec)} is an apiKey route: the metered gateway authenticates keys on its hot path, not route()`);
  if (spec.auth !== 'public' && authenticate?.scheme !== spec.auth) {
    throw new Error(
      `${routeKeyOf(spec)} is a ${spec.auth} route: pass its authenticator${authenticate ? ` (got a ${authenticate.scheme} one)` : ''}`,
    );
  }
  const trail = spec.audit ? (options.auditTrail ?? auditTrailFromEnv(dynamo)) : undefined;
  if (spec.audit && !trail) throw new Error(`${routeKeyOf(spec)} writes ${spec.audit.action} audit events: bind TABLE_AUDIT_EVENTS`);
  const handler = middy<HttpEvent, HttpResponse>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrorHandler({ logger }));
  if (options.metrics) handler.use(logMetrics(options.metrics));
  // After the answer is made (so only a success is recorded), before the error handler could see it.
  if (spec.audit) handler.use(auditTrail({ trail: trail!, action: spec.audit.action, target: spec.audit.target }));
  // A session route's writes come from its own pages only: checked before the session is even looked up.
  if (spec.auth === 'session') handler.use(crossSiteGuard());
  if (authenticate) {
    handler.use({
      before: async (request) => {
        (request.event as ValidatedEvent<unknown, unknown, unknown, A>).principal = await authenticate(request.event);
      },
    });
  }
  const validated = handler
    .use(validateRequest({ body: spec.body, query: spec.query, path: spec.params, maxBodyBytes: options.maxBodyBytes }))
    .handler(async (event, context) => {
      const response = await logic(event as Parameters<RouteLogic<R, A>>[0], context);
      response.headers = { ...standardHeaders(event), ...response.headers };
      return response;
    });
  return { routeKey: routeKeyOf(spec), spec, handler: validated };
}

/**
 * One function serving its routes: dispatches on the route key API Gateway matched, behind the edge's
 * origin check when one is configured.
 */
export function httpRoutes(...routes: BoundRoute[]): LambdaHttpHandler {
  const byKey = new Map(routes.map((r) => [r.routeKey, r.handler]));
  return behindEdge<HttpEvent, HttpResponse>(async (event, context) => {
    const handler = byKey.get(event.routeKey);
    if (handler) return handler(event, context);
    const response = toErrorResponse(new NotFoundError(`No route for ${event.requestContext.http.method} ${event.rawPath}`));
    response.headers = { ...standardHeaders(event), ...response.headers };
    return response;
  });
}
