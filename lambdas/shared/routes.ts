import { z } from 'zod';
import type { AuditAction } from './audit';

/** Methods a route may name; `ANY` routes (proxies) take every one of them. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Who may call a route:
 * - `public`: anyone (sign-up, login, health, pages behind mailed links);
 * - `session`: a signed-in account holder (session cookie or `Bearer omn_sess_…`);
 * - `apiKey`: a metered call with an API key;
 * - `stripeSignature`: Stripe, proven by the `Stripe-Signature` header over the raw body.
 */
export type RouteAuth = 'public' | 'session' | 'apiKey' | 'stripeSignature';

/** Error statuses a route documents; each answers with the JSON error body. */
export type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503;

export interface RouteResponse {
  description: string;
  /** JSON body; absent for empty answers (204, redirects). */
  schema?: z.ZodType;
  /** When not JSON, e.g. `text/html` or `application/octet-stream`. */
  contentType?: string;
  /** The same answer in JSON, for a request whose `Accept` asks for `application/json` (the console's pages). */
  json?: z.ZodType;
}

/**
 * One route, declared once: the CDK construct adds it to the HTTP API, the handler validates with its
 * schemas, the route tests check the template against it and `docs/openapi.json` is generated from it.
 */
export interface RouteSpec {
  method: HttpMethod | 'ANY';
  /** API Gateway path, e.g. `/v1/keys/{id}` or `/v1/api/{product}/{proxy+}`. */
  path: `/${string}`;
  /** Handler file under `lambdas/<context>/handlers/`, without `.ts`: one Lambda function per file. */
  handler: string;
  auth: RouteAuth;
  summary: string;
  description?: string;
  body?: z.ZodType;
  /** The JSON body may be left out altogether: no body reads as `{}` (a body sent is read as any other). */
  bodyOptional?: true;
  query?: z.ZodType;
  params?: z.ZodType;
  /** A body read as bytes rather than JSON (webhooks, proxied calls), for the documentation. */
  rawBody?: { contentType: string; description: string };
  responses: Partial<Record<200 | 201 | 202 | 204 | 302 | 303, RouteResponse>>;
  errors: ErrorStatus[];
  /**
   * The audit event a successful call writes (a state-changing session route must name one): the
   * action, and the kind of thing its `{id}` path parameter names, if any.
   */
  audit?: { action: AuditAction; target?: string };
  /**
   * Why a route that is not a plain read writes no audit event (it changes nothing an audit needs, or
   * another record is the account of it). A test fails on a route with neither this nor `audit`.
   */
  unaudited?: string;
}

/** A context's routes by name; `defineRoutes` keeps each schema's exact type for its handler. */
export type RouteManifest = Record<string, RouteSpec>;

/** Declares a context's route manifest (identity at run time, exact types at compile time). */
export function defineRoutes<const T extends RouteManifest>(routes: T): T {
  return routes;
}

/** `GET /v1/keys/{id}`: how API Gateway spells a route key. */
export function routeKeyOf(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** The parsed input a route's schemas give its handler. */
export type InputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The JSON error body, as documented on every error response. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, snake_case code to branch on', example: 'validation_failed' }),
      message: z.string().meta({ description: 'What went wrong, for people' }),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'One entry per invalid field' }),
    }),
  })
  .meta({ id: 'Error' });

/** `{id}` path parameters: the platform's `abc_<24 hex>` ids. */
export const IdPath = z.object({ id: z.string().regex(/^[a-z]{3}_[0-9a-f]{24}$/, 'Not a valid id') });
