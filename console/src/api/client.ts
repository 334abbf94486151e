import createClient from 'openapi-fetch';
import { toUnicode } from 'punycode.js';
import { displayDomain } from '../../../lambdas/shared/idn-display';
import type { components, paths } from './openapi';

export { formatMoney, formatTime, formatTimesIn } from '../format';

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

/**
 * A count or a measure in the reader's locale (the browser's language): `1.234,5` in German,
 * `1 234,5` in French, `12,34,567` in Hindi.
 */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(undefined, options).format(value);
}

/**
 * An exact decimal the API gives as a string (`"1234.000001"`), in the reader's locale with every
 * decimal it has and none added: formatted as a string (Intl's exact decimals), never through a
 * float, so money is never rounded for display.
 */
export function formatDecimal(decimal: string): string {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 100 }).format(decimal as Intl.StringNumericLiteral);
}

/** Credits are integers of micro-credits in the API; the console shows them exactly (up to 6 decimals), in the reader's locale. */
export function formatCredits(micro: number | string): string {
  const value = BigInt(micro);
  const abs = value < 0n ? -value : value;
  const fraction = String(abs % 1_000_000n)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return formatDecimal(`${value < 0n ? '-' : ''}${abs / 1_000_000n}${fraction ? `.${fraction}` : ''}`);
}

/** The reader's decimal separator: `,` in German and French, `.` in English. */
export function decimalSeparator(): string {
  return new Intl.NumberFormat().formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.';
}

/** An API decimal string (`2.5`) as the reader types it (`2,5` in German), for an input's value. */
export function decimalInput(decimal: string): string {
  return decimal.replace('.', decimalSeparator());
}

/** What the reader typed with their decimal separator (`2,5`) as the API's decimal string (`2.5`). */
export function decimalFromInput(typed: string): string {
  return typed.trim().replace(decimalSeparator(), '.');
}

/**
 * An address as its owner writes it: a punycode domain (`xn--bcher-kva.de`, as the API keeps it) in Unicode
 * (`bücher.de`), but a label that would read as another domain stays punycode, as mail texts show it (`showsInUnicode`).
 */
export function displayEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const decode = (label: string) => {
    try {
      return toUnicode(label);
    } catch {
      return label;
    }
  };
  return `${address.slice(0, at)}@${displayDomain(address.slice(at + 1), decode)}`;
}

/** A day bucket (a UTC day, as the API counts them) as its date: a time of day, or the reader's zone, would shift it. */
export function formatDay(time: string | number): string {
  return `${new Date(time).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' })} (UTC)`;
}
