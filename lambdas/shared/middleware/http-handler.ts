import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { NotFoundError } from '../errors';
import { type HttpEvent, type HttpResponse, standardHeaders } from '../http';
import { logger } from '../logger';
import { httpErrorHandler, toErrorResponse } from './http-error-handler';
import { type ValidateRequestOptions, type ValidatedEvent, validateRequest } from './validate-request';

/** A handler's plain logic: validated input in, response out. Exported separately for unit tests. */
export type HttpRoute<B, Q, P, A> = (event: ValidatedEvent<B, Q, P, A>, context: Context) => Promise<HttpResponse>;

export interface HttpHandlerOptions<B, Q, P, A> extends ValidateRequestOptions<B, Q, P> {
  /** Resolves the caller before anything else is looked at; throws 401 to refuse. */
  authenticate?: (event: HttpEvent) => Promise<A>;
}

export type LambdaHttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/**
 * Wraps plain route logic into the deployed Lambda handler: Powertools logging context, the JSON
 * error shape, authentication, request validation and the standard response headers, in that order.
 */
export function httpHandler<B = undefined, Q = undefined, P = undefined, A = undefined>(
  route: HttpRoute<B, Q, P, A>,
  options: HttpHandlerOptions<B, Q, P, A> = {},
) {
  const { authenticate, ...schemas } = options;
  const handler = middy<HttpEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrorHandler({ logger }));
  if (authenticate) {
    handler.use({
      before: async (request) => {
        (request.event as ValidatedEvent<B, Q, P, A>).principal = await authenticate(request.event);
      },
    });
  }
  return handler.use(validateRequest(schemas)).handler(async (event, context) => {
    const response = await route(event as ValidatedEvent<B, Q, P, A>, context);
    response.headers = { ...standardHeaders(event), ...response.headers };
    return response;
  });
}

/** One function serving several routes: dispatches on the route key API Gateway matched. */
export function httpRoutes(routes: Record<string, LambdaHttpHandler>): LambdaHttpHandler {
  return async (event, context) => {
    const route = routes[event.routeKey];
    if (route) return route(event, context);
    const response = toErrorResponse(new NotFoundError(`No route for ${event.requestContext.http.method} ${event.rawPath}`));
    response.headers = { ...standardHeaders(event), ...response.headers };
    return response;
  };
}
