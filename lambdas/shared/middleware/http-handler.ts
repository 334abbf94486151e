import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type { Context } from 'aws-lambda';
import { auditTrailFromEnv } from '../adapters/dynamodb-audit';
import type { AuditTrail } from '../audit';
import type { Authenticator } from '../auth/authenticator';
import { dynamoDbSessionLookup, type Principal, sessionAuthenticator } from '../auth/session';
import { dynamo } from '../clients/dynamodb';
import type { HttpEvent, HttpResponse } from '../http';
import { type InputOf, routeKeyOf, type RouteSpec } from '../routes';
import { tracer } from '../tracer';
import { auditTrail } from './audit-trail';
import { crossSiteGuard } from './cross-site-guard';
import { httpHandler, type LambdaHttpHandler, noRoute } from './http-stack';
import { jsonBody, optionalJsonBody, type ValidatedEvent, validateRequest } from './validate-request';

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

/** A manifest route bound to its logic: an `@middy/http-router` route (method, path, handler). */
export type BoundRoute = Route<HttpEvent, HttpResponse>;

/** Who a route's logic sees as its caller when it names no authenticator: the session's holder on session routes. */
export type DefaultPrincipal<R extends RouteSpec> = R['auth'] extends 'session' ? Principal : undefined;

/** The sessions table's authenticator, for session routes that bring none (the function must be bound to TABLE_SESSIONS). */
function defaultSessionAuthenticator(spec: RouteSpec): Authenticator<Principal> {
  const table = process.env.TABLE_SESSIONS;
  if (!table) throw new Error(`${routeKeyOf(spec)} is a session route: bind TABLE_SESSIONS or pass authenticate`);
  return sessionAuthenticator(dynamoDbSessionLookup(dynamo, table));
}

/**
 * Binds a manifest route to its logic, as middy's router runs it inside the function's HTTP stack
 * (`httpRoutes`): metrics, the audit event of a successful state change, the cross-site check of
 * session routes' writes, authentication, the JSON body (when the manifest declares one) and
 * validation with the manifest's schemas, in that order. A route whose manifest asks for a caller
 * must be given a way to authenticate one.
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
  const handler = middy<HttpEvent, HttpResponse>();
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
  if (spec.body) handler.use((spec.bodyOptional ? optionalJsonBody : jsonBody)({ maxBodyBytes: options.maxBodyBytes }));
  handler
    .use(validateRequest({ body: spec.body, query: spec.query, path: spec.params }))
    .handler((event, context) => logic(event as Parameters<RouteLogic<R, A>>[0], context));
  return { method: spec.method, path: spec.path, handler };
}

/**
 * One function serving its routes: middy's router picks the route by method and path (as API
 * Gateway did), inside the platform's HTTP stack (`httpHandler`), traced. A request no route takes
 * is a JSON 404.
 */
export function httpRoutes(...routes: BoundRoute[]): LambdaHttpHandler {
  const router = httpRouterHandler<HttpEvent, HttpResponse>({
    routes,
    notFoundResponse: noRoute,
  });
  return httpHandler(router, { outermost: [captureLambdaHandler(tracer, { captureResponse: false })] });
}
