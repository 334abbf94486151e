import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { type HttpEvent, type HttpResponse, standardHeaders } from '../http';
import { logger } from '../logger';
import { httpErrorHandler } from './http-error-handler';
import { type ValidateRequestOptions, type ValidatedEvent, validateRequest } from './validate-request';

/** A handler's plain logic: validated input in, response out. Exported separately for unit tests. */
export type HttpRoute<B, Q, P> = (event: ValidatedEvent<B, Q, P>, context: Context) => Promise<HttpResponse>;

/**
 * Wraps plain route logic into the deployed Lambda handler: Powertools logging context, the JSON
 * error shape, request validation and the standard response headers, in that order.
 */
export function httpHandler<B = undefined, Q = undefined, P = undefined>(
  route: HttpRoute<B, Q, P>,
  schemas: ValidateRequestOptions<B, Q, P> = {},
) {
  return middy<HttpEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrorHandler({ logger }))
    .use(validateRequest(schemas))
    .handler(async (event, context) => {
      const response = await route(event as ValidatedEvent<B, Q, P>, context);
      response.headers = { ...standardHeaders(event), ...response.headers };
      return response;
    });
}
