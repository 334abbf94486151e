import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { NotFoundError } from '../../shared/errors';
import type { HttpEvent, HttpResponse } from '../../shared/http';
import { logger } from '../../shared/logger';
import { httpErrorHandler } from '../../shared/middleware/http-error-handler';
import { behindEdge } from '../../shared/middleware/origin-guard';

/** The `$default` route: whatever matched no route is a JSON 404, never API Gateway's bare one. */
export const notFound = async (event: HttpEvent): Promise<never> => {
  throw new NotFoundError(`No route for ${event.requestContext.http.method} ${event.rawPath}`);
};

export const handler = behindEdge(
  middy<HttpEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrorHandler({ logger }))
    .handler(notFound),
);
