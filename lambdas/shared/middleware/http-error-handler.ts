import { STATUS_CODES } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import { createError, HttpError } from '@middy/util';
import { type ErrorKind, errorBody, isThrottling, OmnApiError, ServiceBusyError, ValidationError } from '../errors';
import type { HttpEvent, HttpResponse } from '../http';

export interface HttpErrorsOptions {
  /** Where 5xx errors are logged, with their stack; 4xx are logged at info without one. */
  logger?: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** Message shown for every 500: internals never leave the function. */
  fallbackMessage?: string;
}

const defaults = { fallbackMessage: 'Something went wrong on our side; it has been logged.' };

/** Seconds a caller is asked to wait after a throttled dependency (DynamoDB's own backoff spans about that). */
const BUSY_RETRY_AFTER_SECONDS = 2;

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
 * The error as middy's http-error-handler answers it, its message being the JSON error body: a
 * deliberate error with its own message (it was written for the caller); a 4xx of a middy middleware
 * in the same shape, coded by its status; anything else a 500 with the fixed message, so no internals
 * or stack ever leave. The error answered is kept as its `cause`.
 */
function answerOf(error: unknown, fallbackMessage: string): HttpError {
  // Throttled past the SDK's retries: nothing of the failed write stands, so a retry is safe; 503, not a crash.
  if (isThrottling(error)) return answerOf(new ServiceBusyError(BUSY_RETRY_AFTER_SECONDS, { cause: error }), fallbackMessage);
  if (error instanceof OmnApiError && error.kind !== 'internal') {
    const details = error instanceof ValidationError && error.details.length > 0 ? error.details : undefined;
    const http = createError(STATUS_OF[error.kind], JSON.stringify(errorBody(error.code, error.message, details)), {
      expose: true,
      cause: error,
    });
    if (error.retryAfterSeconds) Object.assign(http, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
    return http;
  }
  // middy's own errors only: another library's status (Stripe's, say) is about its call, not this request.
  if (error instanceof HttpError && error.statusCode < 500 && error.expose) {
    const code = (STATUS_CODES[error.statusCode] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '_');
    return createError(error.statusCode, JSON.stringify(errorBody(code, error.message)), { expose: true, cause: error });
  }
  return createError(500, JSON.stringify(errorBody('internal_error', fallbackMessage)), { expose: true, cause: error });
}

/** Logs an error once, at the level its answer deserves. */
function logError(logger: HttpErrorsOptions['logger'], error: unknown, answer: HttpError): void {
  const code = error instanceof OmnApiError ? error.code : undefined;
  if (answer.statusCode < 500) logger?.info('Request rejected', { status: answer.statusCode, code });
  // A deliberate 503 (a setting or a dependency missing, said to the caller): one line, no stack.
  else if (error instanceof OmnApiError)
    logger?.warn('Request refused: unavailable', {
      status: answer.statusCode,
      code,
      reason: error.message,
      ...(error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {}),
    });
  else logger?.error('Request failed', error as Error);
}

/**
 * middy middlewares: every thrown error becomes `{ "error": { "code", "message" } }` with the right
 * status — ours maps the error and logs it, middy's `http-error-handler` writes the answer, then the
 * error is the one thrown again for what lies outside (tracing records it, not its answer).
 */
export function httpErrors(opts: HttpErrorsOptions = {}): MiddlewareObj<HttpEvent, HttpResponse>[] {
  const options = { ...defaults, ...opts };
  const httpErrorsMiddlewareOnError = (request: Request<HttpEvent, HttpResponse>) => {
    if (request.response !== undefined) return;
    const answer = answerOf(request.error, options.fallbackMessage);
    logError(options.logger, answer.cause ?? request.error, answer);
    request.error = answer;
  };
  const httpErrorsMiddlewareOnErrorAnswered = (request: Request<HttpEvent, HttpResponse>) => {
    if (request.error instanceof HttpError && request.error.cause !== undefined) request.error = request.error.cause as Error;
  };
  return [
    { onError: httpErrorsMiddlewareOnErrorAnswered },
    httpErrorHandler({ logger: false }) as MiddlewareObj<HttpEvent, HttpResponse>,
    { onError: httpErrorsMiddlewareOnError },
  ];
}
