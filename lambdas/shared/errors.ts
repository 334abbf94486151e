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

/** DynamoDB's answers for too much traffic at once: retryable, never the caller's fault nor a crash. */
const THROTTLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
]);
/** The same, as a transaction's cancellation reasons name them. */
const THROTTLE_REASONS = new Set(['ProvisionedThroughputExceeded', 'ThrottlingError', 'RequestLimitExceeded', 'TransactionConflict']);

/**
 * Whether an AWS error (left after the SDK's own retries) says the service was too busy: throttled, over
 * its request limit, or a transaction cancelled for one of those or a conflict, and for nothing else.
 */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLE_NAMES.has(error.name)) return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [])
    .map((r) => r.Code)
    .filter((code) => code && code !== 'None');
  return reasons.length > 0 && reasons.every((code) => THROTTLE_REASONS.has(code!));
}

/** A dependency was too busy to answer (throttled): the caller should retry shortly. */
export class ServiceBusyError extends ServiceUnavailableError {
  override readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, options?: ErrorOptions) {
    super('We are handling more requests than usual; retry in a moment', 'service_busy', options);
    this.name = 'ServiceBusyError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
