/**
 * The console's pages that mail and redirects link to. The console (a single-page app) is served on
 * the same origin as the API — `/v1/*` goes to API Gateway, every other path to the console — so a
 * link is the deployment's PUBLIC_URL plus one of these paths. Mail never links to an API route: a
 * person opens it in a browser, and the page calls the API.
 */
export const CONSOLE_PAGES = {
  /** Confirms an address (sign-up or email change): `?token=`. */
  verify: '/verify',
  /** Lifts a sign-in pause after failed attempts: `?token=`. */
  unlock: '/unlock',
  /** Sets a new password: `?token=`. */
  resetPassword: '/reset-password',
  /** A privacy request's confirmation link: `?request=&token=`. */
  privacyConfirm: '/privacy/confirm',
  /** A deletion's cancel link during its cooling-off: `?request=&token=`. */
  privacyCancel: '/privacy/cancel',
  /** The privacy centre: open a request, follow the open ones. */
  privacy: '/privacy',
  /** Where Stripe Checkout returns a buyer who paid: `?session_id=`. */
  checkoutDone: '/credits/checkout/done',
  /** Where Stripe Checkout returns a buyer who cancelled: `?session_id=`. */
  checkoutCancelled: '/credits/checkout/cancelled',
  /** Balance, packs, ledger, receipts, the payment-method and invoice portal. */
  credits: '/credits',
  keys: '/keys',
  usage: '/usage',
  /** Profile, password, email, sessions, security events and preferences. */
  settings: '/settings',
  signin: '/signin',
  /** An optional notice's unsubscribe link: `?account=&topic=&exp=&sig=`. */
  unsubscribe: '/notices/unsubscribe',
} as const;

export type ConsolePage = keyof typeof CONSOLE_PAGES;

/**
 * The absolute URL of a console page under `publicUrl`, with its query. Values are encoded; a value
 * that must reach the page unencoded (Stripe's `{CHECKOUT_SESSION_ID}` placeholder) goes in `raw`.
 */
export function consoleUrl(
  publicUrl: string,
  page: ConsolePage | `privacyRequest:${string}`,
  query: Record<string, string> = {},
  raw: Record<string, string> = {},
): string {
  const path = page.startsWith('privacyRequest:')
    ? `/privacy/requests/${encodeURIComponent(page.slice('privacyRequest:'.length))}`
    : CONSOLE_PAGES[page as ConsolePage];
  const params = [
    ...Object.entries(query).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
    ...Object.entries(raw).map(([name, value]) => `${encodeURIComponent(name)}=${value}`),
  ];
  return `${publicUrl.replace(/\/$/, '')}${path}${params.length ? `?${params.join('&')}` : ''}`;
}

/**
 * The API call the console page a mailed link opens makes with the link's query, as a path and
 * query on the same origin — or undefined for a page that calls nothing on opening. Tests and the
 * attack script follow mailed links with it, as the browser would.
 * - `/verify`, `/unlock` → `GET /v1/auth/verify?token=`
 * - `/privacy/confirm`, `/privacy/cancel` → `GET /v1/privacy/confirm|cancel?request=&token=` (JSON with
 *   `Accept: application/json`); the page's button then POSTs the same fields
 * - `/privacy/requests/<id>?token=` → `GET /v1/privacy/requests/<id>/download?token=` (the download)
 * - `/notices/unsubscribe` → `GET /v1/notices/unsubscribe?account=&topic=&exp=&sig=` (JSON); the
 *   page's button then POSTs the same query
 * - `/reset-password` calls `POST /v1/auth/password-reset/confirm` only when the new password is
 *   submitted, so it has no call on opening.
 */
export function apiCallOfLink(link: string): string | undefined {
  const url = new URL(link);
  const { pathname, search } = url;
  if (pathname === CONSOLE_PAGES.verify || pathname === CONSOLE_PAGES.unlock) return `/v1/auth/verify${search}`;
  if (pathname === CONSOLE_PAGES.privacyConfirm || pathname === CONSOLE_PAGES.privacyCancel) return `/v1${pathname}${search}`;
  if (pathname === CONSOLE_PAGES.unsubscribe) return `/v1/notices/unsubscribe${search}`;
  const request = /^\/privacy\/requests\/([^/]+)$/.exec(pathname);
  if (request && url.searchParams.has('token')) return `/v1/privacy/requests/${request[1]}/download${search}`;
  return undefined;
}
