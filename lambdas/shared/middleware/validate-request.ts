import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { HttpError, jsonContentTypePattern } from '@middy/util';
import type { z } from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import type { HttpEvent } from '../http';
import { clip } from '../clip';
import { repeatedKey } from '../json-keys';
import { hasLoneSurrogate } from '../plain-text';
import type { AuditNote } from './audit-trail';

export interface RequestSchemas<B = unknown, Q = unknown, P = unknown> {
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  path?: z.ZodType<P>;
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

/**
 * middy middleware: validates the parsed body (`http-json-body-parser` ran before), query and path
 * with zod. Any failure is a 400 that names the offending field; nothing reaches the handler unvalidated.
 */
export function validateRequest<B = undefined, Q = undefined, P = undefined>(
  schemas: RequestSchemas<B, Q, P> = {},
): MiddlewareObj<HttpEvent> {
  const validateRequestMiddlewareBefore = (request: Request<HttpEvent>) => {
    const event = request.event as ValidatedEvent<B, Q, P>;
    event.input = {
      body: schemas.body ? parseWith(schemas.body, event.body as unknown, 'body') : (undefined as B),
      query: schemas.query ? parseWith(schemas.query, event.queryStringParameters ?? {}, 'query') : (undefined as Q),
      path: schemas.path ? parseWith(schemas.path, event.pathParameters ?? {}, 'path') : (undefined as P),
    };
  };

  return { before: validateRequestMiddlewareBefore };
}

export interface JsonBodyOptions {
  /** Largest accepted body, in bytes after base64 decoding. @default 65536 */
  maxBodyBytes?: number;
}

const defaults = { maxBodyBytes: 64 * 1024 };

const JSON_PARSER = '@middy/http-json-body-parser';

/** Strict UTF-8: a byte sequence that is not UTF-8 is refused rather than stored as U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const LONE_SURROGATE = 'lone surrogate';

/**
 * The parser's reviver: a string (or key) escaping half a surrogate pair (`"\ud800"`) is valid JSON but
 * no Unicode text (I-JSON, RFC 7493 §2.1, forbids it); stored, it would become U+FFFD, as bytes that are
 * not UTF-8 would. Refused like them.
 */
function wellFormedText(key: string, value: unknown): unknown {
  if (hasLoneSurrogate(key) || (typeof value === 'string' && hasLoneSurrogate(value))) throw new Error(LONE_SURROGATE);
  return value;
}

/**
 * middy middlewares reading a JSON body: ours checks what `http-json-body-parser` does not — a body
 * is there (400), within its size (413), in UTF-8 (415 for another charset, 400 for bytes that are
 * not) — then the parser checks `Content-Type` (415) and parses; its errors are told in our words
 * (400 `invalid_json`, never 422); then an object that names a key twice is refused (400 `duplicate_key`).
 */
export function jsonBody(opts: JsonBodyOptions = {}): MiddlewareObj<HttpEvent>[] {
  // `??`, not a spread: a caller passing `maxBodyBytes: undefined` (route() forwards its options) keeps the default.
  const maxBodyBytes = opts.maxBodyBytes ?? defaults.maxBodyBytes;

  const jsonBodyMiddlewareBefore = (request: Request<HttpEvent>) => {
    const event = request.event;
    if (event.body === undefined || event.body === null || event.body === '') {
      throw new ValidationError('A JSON request body is required', [], 'body_required');
    }
    const raw = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    if (raw.byteLength > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
    // API Gateway passes a compressed body on as it came (HTTP APIs decompress nothing): say so, not "not UTF-8".
    const encoding = event.headers?.['content-encoding']?.trim();
    if (encoding && !/^identity$/i.test(encoding))
      throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding.slice(0, 40)} is not accepted: send the body uncompressed`);
    const contentType = event.headers?.['content-type'];
    // Not JSON at all: the parser answers 415.
    if (!contentType || !jsonContentTypePattern.test(contentType)) return;
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
    if (charset && !/^utf-?8$/i.test(charset)) throw new UnsupportedMediaTypeError(`The body must be UTF-8, not ${charset.slice(0, 40)}`);
    try {
      event.body = utf8.decode(raw);
      event.isBase64Encoded = false;
    } catch {
      throw new ValidationError('The request body is not valid UTF-8', [], 'invalid_encoding');
    }
    bodyTexts.set(event, event.body);
  };

  const uniqueKeysMiddlewareBefore = (request: Request<HttpEvent>) => {
    const text = bodyTexts.get(request.event);
    if (text !== undefined) refuseRepeatedKeys(text, request.event.body);
  };

  const jsonBodyMiddlewareOnError = (request: Request<HttpEvent>) => {
    const error = request.error;
    const cause = error instanceof HttpError ? (error.cause as { package?: string; message?: string } | undefined) : undefined;
    if (!(error instanceof HttpError) || cause?.package !== JSON_PARSER) return;
    if (cause.message === LONE_SURROGATE) {
      request.error = new ValidationError(
        'The request body is not valid Unicode: a string holds half a surrogate pair (such as \\ud800)',
        [],
        'invalid_encoding',
        { cause: error },
      );
      return;
    }
    request.error =
      error.statusCode === 415
        ? new UnsupportedMediaTypeError(
            request.event.headers?.['content-type']
              ? 'Content-Type must be application/json'
              : 'Send the body with Content-Type: application/json',
          )
        : new ValidationError(
            error.message.startsWith('Forbidden key')
              ? `The request body may not use the key ${String((error.cause as { data?: unknown }).data)}`
              : 'The request body is not valid JSON',
            [],
            'invalid_json',
            { cause: error },
          );
  };

  return [
    { before: jsonBodyMiddlewareBefore, onError: jsonBodyMiddlewareOnError },
    httpJsonBodyParser({ reviver: wellFormedText }) as MiddlewareObj<HttpEvent>,
    { before: uniqueKeysMiddlewareBefore },
  ];
}

/**
 * `jsonBody` for a route whose body may be left out (`bodyOptional`): a request with no body at all
 * reads as `{}`, which the route's schema then judges; one with a body is read as `jsonBody` reads it.
 */
export function optionalJsonBody(opts: JsonBodyOptions = {}): MiddlewareObj<HttpEvent>[] {
  const absent = new WeakSet<HttpEvent>();
  const noteAbsent = (request: Request<HttpEvent>) => {
    const { body } = request.event;
    if (body !== undefined && body !== null && body !== '') return;
    absent.add(request.event);
    (request.event as { body: unknown }).body = {};
  };
  return [
    { before: noteAbsent },
    ...jsonBody(opts).map(({ before, ...rest }) => ({
      ...rest,
      ...(before ? { before: (request: Request<HttpEvent>) => (absent.has(request.event) ? undefined : before(request)) } : {}),
    })),
  ];
}

/** The body's text as it was parsed, for the check of repeated keys after the parser replaced it with its value. */
const bodyTexts = new WeakMap<HttpEvent, string>();

/**
 * Refuses a JSON body whose object names a key twice (400 `duplicate_key`, naming it): `JSON.parse`
 * keeps the last, another parser on the way (a proxy, a WAF, the client's own check) may read the
 * first, so one body would mean two things. `parsed` is what `text` parsed to (it makes the check of
 * a normal body one regex count).
 */
export function refuseRepeatedKeys(text: string, parsed: unknown): void {
  const repeated = repeatedKey(text, parsed);
  if (!repeated) return;
  const path = ['body', ...repeated.path, repeated.key].map((part) => clip(part, 64)).join('.');
  throw new ValidationError(
    `${path}: the key "${clip(repeated.key, 64)}" appears more than once in the same object; send each key once`,
    [{ path, message: 'Duplicate key' }],
    'duplicate_key',
  );
}

/**
 * A field left out is `Required`: zod's own words, "expected string, received undefined", name a
 * JavaScript value no JSON body or query string can hold. A schema's own message still wins.
 */
function missingIsRequired(issue: { code?: string; input?: unknown; values?: readonly unknown[] }): string | undefined {
  if (issue.input !== undefined) return undefined;
  if (issue.code === 'invalid_type') return 'Required';
  if (issue.code === 'invalid_value' && issue.values) return `Required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return undefined;
}

/** Parses `value` with `schema`, or throws a ValidationError naming each bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'path'): T {
  const result = schema.safeParse(value, { error: missingIsRequired });
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = details[0]!;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  throw new ValidationError(`${first.path}: ${first.message}${more}`, details);
}
