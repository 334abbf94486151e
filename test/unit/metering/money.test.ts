import fc from 'fast-check';
import { DEFAULT_CATALOG, MAX_PRODUCTS, parseCatalog } from '../../../lambdas/metering/catalog';
import { creditsToMicro, MICRO_PER_CREDIT, microToCredits } from '../../../lambdas/shared/credits';
import { CatalogSchema } from '../../../lambdas/metering/catalog-schema';

describe('credit arithmetic', () => {
  it('round-trips every micro-credit amount exactly', () => {
    fc.assert(fc.property(fc.integer({ min: -1e15, max: 1e15 }), (micro) => expect(creditsToMicro(microToCredits(micro))).toBe(micro)));
  });

  it('parses decimal strings without floating-point error', () => {
    expect(creditsToMicro('0.1')).toBe(100_000);
    expect(creditsToMicro('0.3')).toBe(3 * creditsToMicro('0.1'));
    expect(creditsToMicro('12.000001')).toBe(12 * MICRO_PER_CREDIT + 1);
    expect(microToCredits(1_500_000)).toBe('1.5');
    expect(microToCredits(-7)).toBe('-0.000007');
  });

  it('refuses amounts finer than a micro-credit or not numbers', () => {
    for (const bad of ['1.0000001', '1e3', 'abc', '', '1,5', '0x10']) expect(() => creditsToMicro(bad)).toThrow();
  });
});

describe('catalog validation', () => {
  it('refuses prices that are not whole micro-credits and headers that carry credentials', () => {
    const result = CatalogSchema.safeParse({
      products: { bad: { upstream: 'ftp://x', priceMicroCredits: 1.5, passHeaders: ['authorization'] } },
      plans: { pro: { requestsPerMinute: 0 } },
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'products.bad.upstream',
        'products.bad.priceMicroCredits',
        'products.bad.passHeaders',
        'plans.pro.requestsPerMinute',
        'plans',
      ]),
    );
  });
});

describe('catalog size', () => {
  it('refuses more products than a day of one account’s calls can be counted for in one item', () => {
    const products = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { upstream: 'builtin:echo', priceMicroCredits: 1_000 }]));
    expect(CatalogSchema.safeParse({ products: products(MAX_PRODUCTS), plans: { free: { requestsPerMinute: 60 } } }).success).toBe(true);
    const refused = CatalogSchema.safeParse({ products: products(MAX_PRODUCTS + 1), plans: { free: { requestsPerMinute: 60 } } });
    expect(refused.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining(`at most ${MAX_PRODUCTS} products`)]);
  });
});

describe('the catalog the gateway reads', () => {
  it('is what the zod schema validated when the CDK app wrote it', () => {
    const validated = CatalogSchema.parse({
      products: { alpha: { upstream: 'https://a.example', priceMicroCredits: 5 } },
      plans: { free: { requestsPerMinute: 1 } },
    });
    expect(parseCatalog(JSON.stringify(validated))).toEqual(validated);
    expect(CatalogSchema.parse(DEFAULT_CATALOG)).toEqual(DEFAULT_CATALOG);
    expect(() => parseCatalog('{')).toThrow('CATALOG is not JSON');
  });
});
