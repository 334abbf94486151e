import type { MiddlewareObj, Request } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type ErrorKind, OmnApiError, ValidationError } from '../errors';
import { errorBody, type HttpEvent, type HttpResponse, json, standardHeaders } from '../http';

export interface HttpErrorHandlerOptions {
  /** Where 5xx errors are logged, with their stack; 4xx are logged at info without one. */
  logger?: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** Message shown for every 500: internals never leave the function. */
  fallbackMessage?: string;
}

const defaults: Required<Omit<HttpErrorHandlerOptions, 'logger'>> & HttpErrorHandlerOptions = {
  logger: undefined,
  fallbackMessage: 'Something went wrong on our side; it has been logged.',
};

/** The one place a domain error's kind becomes an HTTP status. */
export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/**
 * Maps any error to the JSON error shape. A deliberate error's message is shown (it was written for
 * the caller); anything else is a 500 with a fixed message, so no internals or stack ever leave.
 */
export function toErrorResponse(error: unknown, fallbackMessage = defaults.fallbackMessage): HttpResponse {
  if (error instanceof OmnApiError && error.kind !== 'internal') {
    const headers: Record<string, string> = error.retryAfterSeconds ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
    const details = error instanceof ValidationError && error.details.length > 0 ? error.details : undefined;
    return json(STATUS_OF[error.kind], errorBody(error.code, error.message, details), headers);
  }
  return json(500, errorBody('internal_error', fallbackMessage));
}

/** middy middleware: every thrown error becomes `{ error: { code, message } }` with the right status. */
export function httpErrorHandler(opts: HttpErrorHandlerOptions = {}): MiddlewareObj<HttpEvent, HttpResponse> {
  const options = { ...defaults, ...opts };

  const httpErrorHandlerMiddlewareOnError = async (request: Request<HttpEvent, HttpResponse>) => {
    const response = toErrorResponse(request.error, options.fallbackMessage);
    if (response.statusCode >= 500 && !(request.error instanceof OmnApiError && request.error.kind === 'unavailable')) {
      options.logger?.error('Request failed', request.error as Error);
    } else if (response.statusCode >= 500) {
      // A deliberate 503 (a setting or a dependency missing, said to the caller): one line, no stack.
      options.logger?.warn('Request refused: unavailable', {
        status: response.statusCode,
        code: (request.error as OmnApiError).code,
        reason: (request.error as Error).message,
      });
    } else {
      options.logger?.info('Request rejected', { status: response.statusCode, code: (request.error as OmnApiError).code });
    }
    response.headers = { ...standardHeaders(request.event), ...response.headers };
    request.response = response;
  };

  return { onError: httpErrorHandlerMiddlewareOnError };
}
