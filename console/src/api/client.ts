import createClient from 'openapi-fetch';
import type { components, paths } from './openapi';

/** Every API schema, as docs/openapi.json describes it. */
export type Schemas = components['schemas'];

/** The API, on the console's own origin: the session cookie is first-party and SameSite=Strict. */
export const api = createClient<paths, 'application/json'>({ baseUrl: '', headers: { accept: 'application/json' } });

/** Methods that change nothing: the API's cross-site check leaves them alone. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The API takes a write signed in with the session cookie only as JSON (a page of another site cannot
// send that without CORS), so every write says so — those with no body too (sign out, roll, revoke).
api.use({
  onRequest({ request }) {
    if (!READS.has(request.method) && !request.headers.has('content-type')) request.headers.set('content-type', 'application/json');
    return request;
  },
});

/** Announced when the API answers 401: the session ended (signed out in another tab, revoked, expired). */
export const SESSION_ENDED = 'omnapi:session-ended';

/** The code of a 401 that refuses a password, not the session. */
const WRONG_PASSWORD = 'invalid_credentials';

/** An API answer that was not 2xx, with the API's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits a typed call and answers its data, or throws an ApiError carrying the API's `{ error }` body. */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (response.ok) return data as T;
  const body = (error ?? {}) as Partial<Schemas['Error']>;
  // A wrong password (signing in, or confirming one from a session: a key, an email or password change) is 401 too, but the session lives on.
  if (response.status === 401 && body.error?.code !== WRONG_PASSWORD) window.dispatchEvent(new Event(SESSION_ENDED));
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? `The API answered ${response.status} ${response.statusText}`,
    body.error?.details,
  );
}

/** Credits are strings of micro-credits in the API; the console shows them with up to 6 decimals. */
export function formatCredits(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / 1_000_000).toLocaleString('en');
  const fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A price in a currency's minor units, e.g. 500 EUR cents as "€5.00". */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100);
}

/** A timestamp in the reader's locale and time zone. */
export function formatTime(iso: string | number | undefined): string {
  if (iso === undefined) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A day bucket (a UTC day, as the API counts them) as its date: a time of day, or the reader's zone, would shift it. */
export function formatDay(time: string | number): string {
  return `${new Date(time).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' })} (UTC)`;
}
