import type { MiddlewareObj, Request } from '@middy/core';
import { jsonContentTypePattern } from '@middy/util';
import { ForbiddenError, UnsupportedMediaTypeError } from '../errors';
import type { HttpEvent } from '../http';
import { SESSION_COOKIE } from '../auth/session';

export interface CrossSiteGuardOptions {
  /**
   * Browser origins, besides the API's own, whose pages may write with the session cookie (the stage's
   * `corsOrigins`). @default the space-separated list in CORS_ORIGINS and the origin of PUBLIC_URL, where bound
   */
  allowedOrigins?: string[];
}

/** The stage's browser origins, and the public address mailed links and the console use. */
const defaults = { allowedOrigins: [...(process.env.CORS_ORIGINS ?? '').split(/\s+/), process.env.PUBLIC_URL ?? ''].filter(Boolean) };

/** Methods that change nothing, which a browser may send across sites without harm. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Fetch metadata values that say the request comes from the API's own origin or from the user (address bar, bookmark). */
const SAME_SITE_FETCH = new Set(['same-origin', 'none']);

/** A cookie-authenticated write from another site's page. */
export class CrossSiteRequestError extends ForbiddenError {
  override readonly code: string = 'cross_site_request';
  constructor(from: string) {
    super(`Writes signed in with the session cookie are accepted only from this API's own pages, not from ${from.slice(0, 200)}`);
    this.name = 'CrossSiteRequestError';
  }
}

/** The origin (scheme://host[:port]) of a URL, lower-cased; undefined when it is not a URL. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? undefined : parsed.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether the request carries the session cookie, which a browser attaches whatever page sends it. */
function carriesSessionCookie(event: Pick<HttpEvent, 'cookies'>): boolean {
  return (event.cookies ?? []).some((cookie) => cookie.split('=')[0]?.trim() === SESSION_COOKIE);
}

/**
 * middy middleware for session routes: a state-changing request that carries the session cookie must
 * come from the API's own origin (or an allowed one) and send `Content-Type: application/json`.
 * Browsers always send `Origin` on cross-site writes, and `Sec-Fetch-Site` too; a JSON content type
 * cannot be sent across sites without a CORS preflight, which only allowed origins pass. So a page on
 * another site can neither forge a write (403) nor slip one through as a "simple" request (415).
 * Bearer-token callers (scripts, curl) send no cookie and are not affected.
 */
export function crossSiteGuard(opts: CrossSiteGuardOptions = {}): MiddlewareObj<HttpEvent> {
  const allowed = new Set((opts.allowedOrigins ?? defaults.allowedOrigins).map((o) => originOf(o)).filter(Boolean));

  const crossSiteGuardMiddlewareBefore = async (request: Request<HttpEvent>) => {
    const event = request.event;
    if (SAFE_METHODS.has(event.requestContext.http.method.toUpperCase()) || !carriesSessionCookie(event)) return;
    const origin = event.headers?.origin;
    if (origin !== undefined) {
      const from = originOf(origin);
      if (!from || !(allowed.has(from) || ownHosts(event).has(new URL(from).host))) throw new CrossSiteRequestError(origin);
    } else {
      const site = event.headers?.['sec-fetch-site'];
      if (site !== undefined && !SAME_SITE_FETCH.has(site.toLowerCase())) throw new CrossSiteRequestError(`a ${site} page`);
    }
    const contentType = event.headers?.['content-type'];
    if (!contentType || !jsonContentTypePattern.test(contentType)) {
      throw new UnsupportedMediaTypeError('Writes signed in with the session cookie must send Content-Type: application/json');
    }
  };

  return { before: crossSiteGuardMiddlewareBefore };
}

/** The hosts this request was addressed to: the API's own origin, whatever name the edge or the stage gave it. */
function ownHosts(event: Pick<HttpEvent, 'headers' | 'requestContext'>): Set<string> {
  const hosts = [event.headers?.host, event.headers?.['x-forwarded-host'], event.requestContext.domainName];
  return new Set(hosts.filter((h): h is string => Boolean(h)).map((h) => h.trim().toLowerCase()));
}
