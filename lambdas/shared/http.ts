import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export { type ErrorBody, errorBody } from './errors';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/** A JSON response; `body` undefined gives an empty 204-style answer. */
export function json(statusCode: number, body?: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: body === undefined ? headers : { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Security headers for every answer, API and HTML alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** A small HTML page (the confirmation pages of mailed links): no scripts, inline styles only. */
export function html(statusCode: number, page: string, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      ...headers,
    },
    body: page,
  };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Headers on every answer: no caching of account data, the security headers, and the request id. */
export function standardHeaders(event: Pick<HttpEvent, 'requestContext'> | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...SECURITY_HEADERS };
  const requestId = event?.requestContext?.requestId;
  if (requestId) headers['x-request-id'] = requestId;
  return headers;
}

/** Header lookup that ignores case, as HTTP requires. */
export function header(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
