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

/** A small HTML page (the confirmation pages of mailed links): no scripts, inline styles only, its own CSP saying so. */
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

/** A page for a person who followed a mailed link: a title, paragraphs of text, and an optional form (markup made by the caller). */
export function linkPage(title: string, paragraphs: string[], options: { lang?: string; dir?: 'ltr' | 'rtl'; form?: string } = {}): string {
  const dir = options.dir === 'rtl' ? ' dir="rtl"' : '';
  return (
    `<!doctype html><html lang="${escapeHtml(options.lang ?? 'en')}"${dir}><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.5"><h1>${isolatedHtml(title)}</h1>${paragraphs.map((p) => `<p>${isolatedHtml(p)}</p>`).join('')}${options.form ?? ''}</body></html>`
  );
}

/** First-strong isolate and pop directional isolate (Unicode bidi): around a value set into text of the other direction. */
export const FSI = '\u2068';
export const PDI = '\u2069';

/** Text as HTML content: escaped, its isolated values (FSI … PDI) as `<bdi>`, which says the same to a browser. */
export function isolatedHtml(text: string): string {
  let html = escapeHtml(text);
  // Innermost first: a value may itself hold an isolated value.
  for (let before = ''; before !== html; ) {
    before = html;
    html = html.replace(/\u2068([^\u2068\u2069]*)\u2069/g, '<bdi>$1</bdi>');
  }
  return html;
}

/** Whether a link's route answers the console (which asks for JSON) rather than a browser following the link. */
export const wantsJson = (event: { headers?: Record<string, string | undefined> }) =>
  /\bapplication\/json\b/i.test(event.headers?.accept ?? '');

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
