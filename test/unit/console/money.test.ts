import { formatMoney } from '../../../console/src/format';

/** Stripe's amounts in each kind of currency (docs.stripe.com/currencies), as the console shows them in English. */
describe("the console's money", () => {
  const original = Intl.NumberFormat;
  beforeAll(() => {
    // The reader's locale is the browser's; here, English, so the expectations read the same on any machine.
    Intl.NumberFormat = function NumberFormat(locales?: string | string[], options?: Intl.NumberFormatOptions) {
      return new original(locales ?? 'en-US', options);
    } as typeof Intl.NumberFormat;
  });
  afterAll(() => {
    Intl.NumberFormat = original;
  });

  it('counts two-decimal currencies in hundredths', () => {
    expect(formatMoney(1000, 'usd')).toBe('$10.00');
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
    expect(formatMoney(-250, 'gbp')).toBe('-£2.50');
  });

  it('counts ISK and HUF in hundredths too, as Stripe does, though ISO or the locale give them no decimals', () => {
    // 1,000 krónur is 100000 in Stripe's amounts (whole krónur only, still two-decimal in the API).
    expect(formatMoney(100_000, 'isk')).toMatch(/^ISK\s1,000$/);
    expect(formatMoney(500_000, 'huf')).toMatch(/^HUF\s5,000(\.00)?$/);
    // A fraction is shown rather than rounded away (older fractional ISK charges, HUF's fillér).
    expect(formatMoney(500_050, 'huf')).toMatch(/^HUF\s5,000\.50$/);
  });

  it('counts the currencies the locale shows whole but Stripe counts in hundredths (TWD, IDR, COP, PKR) in hundredths', () => {
    expect(formatMoney(30_000, 'twd')).toMatch(/^(NT\$|TWD\s)300(\.00)?$/);
    expect(formatMoney(15_000_000, 'idr')).toMatch(/^IDR\s150,000(\.00)?$/);
    expect(formatMoney(4_000_000, 'cop')).toMatch(/^COP\s40,000(\.00)?$/);
    expect(formatMoney(280_000, 'pkr')).toMatch(/^PKR\s2,800(\.00)?$/);
  });

  it('counts zero-decimal currencies in whole units', () => {
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    expect(formatMoney(5000, 'ugx')).toMatch(/^UGX\s5,000$/);
    expect(formatMoney(12_000, 'krw')).toBe('₩12,000');
  });

  it('counts three-decimal currencies in thousandths', () => {
    expect(formatMoney(5120, 'kwd')).toMatch(/^KWD\s5\.120$/);
    expect(formatMoney(10_000, 'bhd')).toMatch(/^BHD\s10\.000$/);
  });
});
