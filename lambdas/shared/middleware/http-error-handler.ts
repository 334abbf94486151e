import type { MiddlewareObj, Request } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { OmnApiError, ValidationError } from '../errors';
import { type ErrorBody, type HttpEvent, type HttpResponse, json, standardHeaders } from '../http';

export interface HttpErrorHandlerOptions {
  /** Where 5xx errors are logged, with their stack; 4xx are logged at info without one. */
  logger?: Pick<Logger, 'error' | 'info'>;
  /** Message shown for every 5xx: internals never leave the function. */
  fallbackMessage?: string;
}

const defaults: Required<Omit<HttpErrorHandlerOptions, 'logger'>> & HttpErrorHandlerOptions = {
  logger: undefined,
  fallbackMessage: 'Something went wrong on our side; it has been logged.',
};

/** Maps any error to the JSON error shape. Messages are exposed only for deliberate 4xx errors. */
export function toErrorResponse(error: unknown, fallbackMessage = defaults.fallbackMessage): HttpResponse {
  if (error instanceof OmnApiError && error.status < 500) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error instanceof ValidationError && error.details.length > 0) body.error.details = error.details;
    return json(error.status, body, error.headers);
  }
  return json(500, { error: { code: 'internal_error', message: fallbackMessage } } satisfies ErrorBody);
}

/** middy middleware: every thrown error becomes `{ error: { code, message } }` with the right status. */
export function httpErrorHandler(opts: HttpErrorHandlerOptions = {}): MiddlewareObj<HttpEvent, HttpResponse> {
  const options = { ...defaults, ...opts };

  const httpErrorHandlerMiddlewareOnError = async (request: Request<HttpEvent, HttpResponse>) => {
    const response = toErrorResponse(request.error, options.fallbackMessage);
    if (response.statusCode >= 500) {
      options.logger?.error('Unhandled error', request.error as Error);
    } else {
      options.logger?.info('Request rejected', { status: response.statusCode, code: (request.error as OmnApiError).code });
    }
    response.headers = { ...standardHeaders(request.event), ...response.headers };
    request.response = response;
  };

  return { onError: httpErrorHandlerMiddlewareOnError };
}
