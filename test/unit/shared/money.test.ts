import {
  formatAmount,
  isStripeCurrency,
  minorToDecimal,
  STRIPE_CURRENCIES,
  stripeChargeProblem,
  stripeMinimumMinor,
  stripeMinorDigits,
} from '../../../lambdas/shared/money';

describe('Stripe amounts', () => {
  it("size each currency's minor unit as Stripe does: zero-, two- and three-decimal, ISK and HUF two-decimal", () => {
    expect(['jpy', 'KRW', 'ugx', 'xpf', 'clp'].map(stripeMinorDigits)).toEqual([0, 0, 0, 0, 0]);
    expect(['usd', 'eur', 'isk', 'huf', 'twd', 'idr'].map(stripeMinorDigits)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(['bhd', 'jod', 'kwd', 'omr', 'TND'].map(stripeMinorDigits)).toEqual([3, 3, 3, 3, 3]);
  });

  it('turn an amount into its exact decimal, never through a float', () => {
    expect(minorToDecimal(1000, 'usd')).toBe('10.00');
    expect(minorToDecimal(5, 'usd')).toBe('0.05');
    expect(minorToDecimal(-250, 'eur')).toBe('-2.50');
    expect(minorToDecimal(100_000, 'isk')).toBe('1000.00');
    expect(minorToDecimal(1500, 'jpy')).toBe('1500');
    expect(minorToDecimal(5120, 'kwd')).toBe('5.120');
    expect(minorToDecimal(9_007_199_254_740_991, 'usd')).toBe('90071992547409.91');
    expect(() => minorToDecimal(1.5, 'usd')).toThrow(RangeError);
  });

  it('are written in mail with all their decimals: a three-decimal amount is not read as cents', () => {
    expect(formatAmount(1000, 'usd')).toBe('10.00 USD');
    expect(formatAmount(1000, 'jpy')).toBe('1000 JPY');
    expect(formatAmount(5120, 'kwd')).toBe('5.120 KWD');
  });

  it("take the currencies on Stripe's current list: the Caribbean guilder, not the lev Bulgaria gave up for the euro", () => {
    expect(isStripeCurrency('xcg')).toBe(true);
    expect(isStripeCurrency('XCG')).toBe(true);
    expect(stripeMinorDigits('xcg')).toBe(2);
    expect(isStripeCurrency('bgn')).toBe(false);
    expect(STRIPE_CURRENCIES.size).toBe(139);
  });

  it("refuse a price Stripe would refuse in its currency: below its minimum, a three-decimal amount's last digit, ISK fractions", () => {
    // Stripe's own minimums differ from 50 of the minor unit both ways.
    expect(stripeChargeProblem(30, 'gbp')).toBeUndefined();
    expect(stripeChargeProblem(29, 'gbp')).toMatch(/at least 0\.30 GBP/);
    expect(stripeChargeProblem(100, 'aed')).toMatch(/at least 2\.00 AED/);
    expect(stripeChargeProblem(10_000, 'huf')).toMatch(/at least 175\.00 HUF/);
    expect(stripeChargeProblem(999, 'mxn')).toMatch(/at least 10\.00 MXN/);
    expect(stripeChargeProblem(49, 'jpy')).toMatch(/at least 50 JPY/);
    expect(stripeChargeProblem(1000, 'xcg')).toBeUndefined();
    expect(stripeMinimumMinor('VND')).toBe(50);
    // Three-decimal: hundredths only.
    expect(stripeChargeProblem(5125, 'kwd')).toMatch(/last of the three decimals must be 0/);
    expect(stripeChargeProblem(5120, 'kwd')).toBeUndefined();
    // ISK: still counted in hundredths, charged in whole krónur.
    expect(stripeChargeProblem(12_345, 'isk')).toMatch(/whole krónur/);
    expect(stripeChargeProblem(12_300, 'isk')).toBeUndefined();
    expect(stripeChargeProblem(100_000_000, 'usd')).toMatch(/at most/);
  });
});
