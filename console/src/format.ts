import { minorToDecimal } from '../../lambdas/shared/money';

// Formatting with no other dependency than Intl: the unit tests import it without the API client.

/**
 * A Stripe amount in a currency's minor units as Stripe counts them (`lambdas/shared/money.ts`: 100 a
 * króna or a forint, though ISO or the browser give them no decimals), in the reader's locale: 500 EUR
 * as "5,00 €" in German, 100000 ISK as "ISK 1,000". Shown with the decimals the locale uses for the
 * currency, or all of Stripe's when the amount has a fraction there: never rounded.
 */
export function formatMoney(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  const decimal = minorToDecimal(minor, currency);
  const fraction = decimal.split('.')[1] ?? '';
  const usual = new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  const digits = fraction.replace(/0+$/, '').length > usual ? fraction.length : Math.min(usual, fraction.length);
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: code,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(decimal as Intl.StringNumericLiteral);
}

/** A timestamp in the reader's time zone and locale (or in `locale`, on a page written in another language). */
export function formatTime(iso: string | number | undefined, locale?: string): string {
  if (iso === undefined) return '—';
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** An ISO 8601 time written into the API's free text (a request history's note: `cooling-off until 2026-12-07T19:50:38.849Z`). */
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Free text from the API with each ISO time in it in the reader's locale and zone, as every other time the console shows. */
export function formatTimesIn(text: string): string {
  return text.replace(ISO_TIME, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : formatTime(iso)));
}

const DAY_SECONDS = 86_400;

/**
 * A time axis's labels in the reader's locale and zone (the chart library's own are English, 12-hour):
 * dates where the ticks are a day or more apart; otherwise times of day, with the date under the
 * first tick and under each one that starts a new day. `splits` are the ticks, in seconds.
 */
export function timeAxisLabels(splits: number[], increment: number, locale?: string): string[] {
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
  if (increment >= DAY_SECONDS) return splits.map((s) => day.format(s * 1000));
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  let previous = '';
  return splits.map((s) => {
    const date = day.format(s * 1000);
    const label = date === previous ? time.format(s * 1000) : `${time.format(s * 1000)}\n${date}`;
    previous = date;
    return label;
  });
}
