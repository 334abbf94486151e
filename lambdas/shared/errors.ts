/**
 * What went wrong, in the domain's words. The HTTP edge (`middleware/http-error-handler.ts`) is the
 * only place that turns a kind into a status code.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** The JSON error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** Builds the error body: the one place its shape is written (functions, gateway and local runtime use it). */
export function errorBody(code: string, message: string, details?: { path: string; message: string }[]): ErrorBody {
  return details?.length ? { error: { code, message, details } } : { error: { code, message } };
}

/** Base of every error the platform raises on purpose. */
export class OmnApiError extends Error {
  /** What kind of failure this is; the edge maps it to a status. */
  readonly kind: ErrorKind = 'internal';
  /** Stable, snake_case code callers can branch on. */
  readonly code: string = 'internal_error';
  /** When the caller may try again, for `rate_limited` and `unavailable`. */
  readonly retryAfterSeconds?: number;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OmnApiError';
  }
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class ValidationError extends OmnApiError {
  override readonly kind = 'invalid';
  override readonly code: string;
  constructor(
    message: string,
    readonly details: FieldIssue[] = [],
    code = 'validation_failed',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ValidationError';
    this.code = code;
  }
}

export class UnauthorizedError extends OmnApiError {
  override readonly kind = 'unauthenticated';
  override readonly code: string = 'unauthorized';
  constructor(message = 'Authentication required', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends OmnApiError {
  override readonly kind = 'forbidden';
  override readonly code: string = 'forbidden';
  constructor(message = 'Not allowed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends OmnApiError {
  override readonly kind = 'not_found';
  override readonly code: string = 'not_found';
  constructor(message = 'Not found', options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends OmnApiError {
  override readonly kind = 'conflict';
  override readonly code: string;
  constructor(message: string, code = 'conflict', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
    this.code = code;
  }
}

/** Something that existed and no longer does: a used or expired link. */
export class GoneError extends OmnApiError {
  override readonly kind = 'gone';
  override readonly code: string;
  constructor(message: string, code = 'gone', options?: ErrorOptions) {
    super(message, options);
    this.name = 'GoneError';
    this.code = code;
  }
}

export class PayloadTooLargeError extends OmnApiError {
  override readonly kind = 'too_large';
  override readonly code: string = 'payload_too_large';
  constructor(limitBytes: number, options?: ErrorOptions) {
    super(`Request body exceeds ${limitBytes} bytes`, options);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends OmnApiError {
  override readonly kind = 'unsupported_media';
  override readonly code: string = 'unsupported_media_type';
  constructor(message = 'Content-Type must be application/json', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class TooManyRequestsError extends OmnApiError {
  override readonly kind = 'rate_limited';
  override readonly code: string = 'rate_limited';
  override readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TooManyRequestsError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A dependency this deployment lacks or cannot reach; the message tells the operator what to set. */
export class ServiceUnavailableError extends OmnApiError {
  override readonly kind = 'unavailable';
  override readonly code: string;
  constructor(message: string, code = 'service_unavailable', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
    this.code = code;
  }
}

/** A required setting is missing or malformed: a deployment fault, never the caller's. */
export class ConfigError extends OmnApiError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
