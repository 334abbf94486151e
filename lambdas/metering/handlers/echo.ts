import { type HttpEvent, type HttpResponse, json as jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-stack';

/** Bodies nested deeper than this are echoed as text: re-serialising them would exhaust the stack. */
const MAX_JSON_DEPTH = 64;

/** How deeply a JSON text nests, counted without parsing (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}

/**
 * `ANY /v1/demo/echo/{proxy+}`: the demo upstream product. It answers with what it received —
 * method, path, query and body (parsed when it is reasonable JSON) — so a metered call works with no
 * setup. It stores nothing.
 */
export const echo = async (event: HttpEvent): Promise<HttpResponse> => {
  const body = event.body === undefined ? null : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let json: unknown;
  if (body && jsonDepth(body) <= MAX_JSON_DEPTH) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return jsonResponse(200, {
    method: event.requestContext.http.method,
    path: `/${event.pathParameters?.proxy ?? ''}`,
    query: event.queryStringParameters ?? {},
    body: json ?? body,
    requestId: event.headers?.['x-request-id'],
  });
};

export const handler = httpHandler(echo);
