/**
 * Amounts as Stripe counts them: an integer of the currency's minor unit, whose size is Stripe's, not
 * ISO 4217's or the browser's (CLDR's). Stripe's currency guide (docs.stripe.com/currencies): a
 * currency is two-decimal unless it is one of the zero-decimal or three-decimal ones below. Its special
 * cases stay two-decimal in the API — ISK (whole krónur only, but still 100 a króna), HUF and TWD (whole
 * units only in payouts) — although ISO gives ISK no decimals and CLDR gives HUF, TWD, IDR, COP, PKR and
 * others none, which is what `Intl.NumberFormat` uses by default. Imported by the console too: no
 * dependencies.
 */

/** Stripe's zero-decimal currencies: the amount is the number of whole units. */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
/** Stripe's three-decimal currencies (amounts end in 0, but count thousandths). */
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * The currencies Stripe charges in (its presentment currencies, docs.stripe.com/currencies, as the page
 * stood in late 2026), lower-case as its API writes them. The three-decimal ones are charged only in
 * some countries, and some others only by card, but each is a currency Stripe's API takes; a code
 * outside this list it refuses at checkout, so a credit pack priced in one could never be bought. The
 * page keeps Stripe's codes where ISO moved on (`ang` beside its successor `xcg`, the Caribbean guilder
 * of 2025; `std`, not `stn`); `bgn` is gone since Bulgaria took the euro on 2026-01-01 (cards refuse lev
 * charges).
 */
export const STRIPE_CURRENCIES: ReadonlySet<string> = new Set([
  ...ZERO_DECIMAL,
  ...THREE_DECIMAL,
  ...'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bmd bnd bob brl bsd bwp byn bzd cad cdf chf cny cop crc cve czk dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gtq gyd hkd hnl htg huf idr ils inr isk jmd kes kgs khr kyd kzt lak lbp lkr lrd lsl mad mdl mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln qar ron rsd rub sar sbd scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah uyu uzs wst xcd xcg yer zar zmw'.split(
    ' ',
  ),
]);

/**
 * Stripe's minimum charge, in the currency's minor unit, where its currency guide names one; in any other
 * currency the minimum is the settlement currency's after conversion, which only Stripe can judge at
 * checkout, and we ask at least 50 of the minor unit.
 */
const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};
/** The least amount asked in a currency whose minimum Stripe does not name. */
const DEFAULT_MINIMUM = 50;
/** The most Stripe takes in one charge: eight digits of the minor unit. */
export const STRIPE_MAXIMUM_MINOR = 99_999_999;

/** The least `currency` can be charged in one payment, in its minor unit (see MINIMUM_CHARGE). */
export function stripeMinimumMinor(currency: string): number {
  return MINIMUM_CHARGE[currency.toLowerCase()] ?? DEFAULT_MINIMUM;
}

/**
 * Why Stripe would refuse to charge `minor` of `currency`, or undefined when it takes it: below the
 * currency's minimum, above eight digits, a three-decimal amount whose last digit is not 0 (Stripe's
 * card partners take hundredths only), or ISK in fractions of a króna (whole krónur only since 2023,
 * though the API still counts hundredths).
 */
export function stripeChargeProblem(minor: number, currency: string): string | undefined {
  const code = currency.toLowerCase();
  const minimum = stripeMinimumMinor(code);
  if (!Number.isSafeInteger(minor)) return 'must be a whole number of the minor unit';
  if (minor < minimum) return `Stripe charges at least ${formatAmount(minimum, code)} (${minimum} of the minor unit)`;
  if (minor > STRIPE_MAXIMUM_MINOR) return `Stripe charges at most ${STRIPE_MAXIMUM_MINOR} of the minor unit`;
  if (THREE_DECIMAL.has(code) && minor % 10 !== 0)
    return `Stripe takes ${code.toUpperCase()} amounts in whole hundredths: the last of the three decimals must be 0`;
  if (code === 'isk' && minor % 100 !== 0) return 'Stripe takes ISK in whole krónur only: a multiple of 100';
  return undefined;
}

/** Whether Stripe charges in `currency` (any case). */
export function isStripeCurrency(currency: string): boolean {
  return STRIPE_CURRENCIES.has(currency.toLowerCase());
}

/** How many decimals one unit of `currency` has in Stripe's amounts: 0, 2 or 3. */
export function stripeMinorDigits(currency: string): 0 | 2 | 3 {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * A Stripe amount as an exact decimal string of whole units, with every digit of the minor unit:
 * `1000 usd` → `"10.00"`, `1000 isk` → `"10.00"`, `1000 jpy` → `"1000"`, `5120 kwd` → `"5.120"`.
 */
export function minorToDecimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an amount in minor units: ${minor}`);
  const digits = stripeMinorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits ? `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}` : `${sign}${units}`;
}

/** A Stripe amount as plain text, for mail and plain pages: `10.00 USD`, `1500 JPY`, `5.120 KWD`. */
export function formatAmount(minor: number, currency: string): string {
  return `${minorToDecimal(minor, currency)} ${currency.toUpperCase()}`;
}
