import type { MiddlewareObj, Request } from '@middy/core';
import type { z } from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import { type HttpEvent, header } from '../http';
import type { AuditNote } from './audit-trail';

export interface RequestSchemas<B = unknown, Q = unknown, P = unknown> {
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  path?: z.ZodType<P>;
}

export interface ValidateRequestOptions<B, Q, P> extends RequestSchemas<B, Q, P> {
  /** Largest accepted body, in bytes after base64 decoding. @default 65536 */
  maxBodyBytes?: number;
}

/**
 * The event after authentication and validation: `principal` is who called (when the route
 * authenticates), `input` the parsed, typed body, query and path parameters.
 */
export type ValidatedEvent<B = unknown, Q = unknown, P = unknown, A = undefined> = HttpEvent & {
  input: { body: B; query: Q; path: P };
  principal: A;
  /** What the logic adds to the route's audit event (the thing it created, a small change). */
  audit?: AuditNote;
};

const defaults = { maxBodyBytes: 64 * 1024 };

/**
 * middy middleware: size-checks and JSON-parses the body, then validates body, query and path with zod.
 * Any failure is a 4xx that names the offending field; nothing reaches the handler unvalidated.
 */
export function validateRequest<B = undefined, Q = undefined, P = undefined>(
  opts: ValidateRequestOptions<B, Q, P> = {},
): MiddlewareObj<HttpEvent> {
  const options = { ...opts, maxBodyBytes: opts.maxBodyBytes ?? defaults.maxBodyBytes };

  const validateRequestMiddlewareBefore = async (request: Request<HttpEvent>) => {
    const event = request.event as ValidatedEvent<B, Q, P>;
    event.input = {
      body: options.body ? parseWith(options.body, readJsonBody(event, options.maxBodyBytes), 'body') : (undefined as B),
      query: options.query ? parseWith(options.query, event.queryStringParameters ?? {}, 'query') : (undefined as Q),
      path: options.path ? parseWith(options.path, event.pathParameters ?? {}, 'path') : (undefined as P),
    };
  };

  return { before: validateRequestMiddlewareBefore };
}

/** Strict UTF-8: a byte sequence that is not UTF-8 is refused rather than stored as U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The request body as parsed JSON, after the size and media-type checks: `Content-Type` must be JSON
 * (415 when it is missing or another type), in UTF-8 (415 for any other charset), and the bytes must
 * be valid UTF-8 (400).
 */
export function readJsonBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded' | 'headers'>, maxBodyBytes: number): unknown {
  if (event.body === undefined || event.body === null || event.body === '') {
    throw new ValidationError('A JSON request body is required', [], 'body_required');
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  const contentType = header(event, 'content-type')?.trim();
  if (!contentType || !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      contentType ? 'Content-Type must be application/json' : 'Send the body with Content-Type: application/json',
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) throw new UnsupportedMediaTypeError(`The body must be UTF-8, not ${charset.slice(0, 40)}`);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new ValidationError('The request body is not valid UTF-8', [], 'invalid_encoding');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON', [], 'invalid_json');
  }
}

/** Parses `value` with `schema`, or throws a ValidationError naming each bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'path'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = details[0]!;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  throw new ValidationError(`${first.path}: ${first.message}${more}`, details);
}
