import { formatAmount, minorToDecimal, stripeMinorDigits } from '../../../lambdas/shared/money';

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
});
