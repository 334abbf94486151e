/** Base of every error the platform raises on purpose; `status` is how the HTTP edge maps it. */
export class OmnApiError extends Error {
  /** HTTP status at the edge; 4xx messages are shown to the caller, 5xx ones never. */
  readonly status: number = 500;
  /** Stable, snake_case code callers can branch on. */
  readonly code: string = 'internal_error';
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string> = {};

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
  override readonly status = 400;
  override readonly code: string;
  constructor(message: string, readonly details: FieldIssue[] = [], code = 'validation_failed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValidationError';
    this.code = code;
  }
}

export class UnauthorizedError extends OmnApiError {
  override readonly status = 401;
  override readonly code: string = 'unauthorized';
  constructor(message = 'Authentication required', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends OmnApiError {
  override readonly status = 403;
  override readonly code: string = 'forbidden';
  constructor(message = 'Not allowed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends OmnApiError {
  override readonly status = 404;
  override readonly code: string = 'not_found';
  constructor(message = 'Not found', options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends OmnApiError {
  override readonly status = 409;
  override readonly code: string;
  constructor(message: string, code = 'conflict', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
    this.code = code;
  }
}

export class PayloadTooLargeError extends OmnApiError {
  override readonly status = 413;
  override readonly code: string = 'payload_too_large';
  constructor(limitBytes: number, options?: ErrorOptions) {
    super(`Request body exceeds ${limitBytes} bytes`, options);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends OmnApiError {
  override readonly status = 415;
  override readonly code: string = 'unsupported_media_type';
  constructor(message = 'Content-Type must be application/json', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class TooManyRequestsError extends OmnApiError {
  override readonly status = 429;
  override readonly code: string = 'rate_limited';
  override readonly headers: Record<string, string>;
  constructor(message: string, readonly retryAfterSeconds: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TooManyRequestsError';
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

/** A required setting is missing or malformed: a deployment fault, never the caller's. */
export class ConfigError extends OmnApiError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
