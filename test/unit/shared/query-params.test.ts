import fc from 'fast-check';
import { z } from 'zod';
import { PageQuery } from '../../../lambdas/billing/schemas';
import { parseWith } from '../../../lambdas/shared/middleware/validate-request';
import { queryInteger } from '../../../lambdas/shared/query-params';

const limit = z.object({ limit: queryInteger({ min: 1, max: 100, default: 50 }) });

describe('whole numbers in query strings', () => {
  it.each([
    '0x10',
    '0o7',
    '0b11',
    '1e2',
    ' 10',
    '10 ',
    '+10',
    '10abc',
    '-0',
    '-5',
    '1.0',
    '010',
    '',
    'Infinity',
    'NaN',
    '9'.repeat(400),
    '1,2',
  ])('refuses limit=%j with 400 naming the parameter and its range, not the number JavaScript reads in it', (raw) => {
    expect(() => parseWith(limit, { limit: raw }, 'query')).toThrow(
      /^query\.limit: Must be a whole number from 1 to 100, in decimal digits/,
    );
  });

  it('takes decimal digits in range, and the default when the parameter is absent', () => {
    expect([parseWith(limit, { limit: '1' }, 'query'), parseWith(limit, { limit: '100' }, 'query'), parseWith(limit, {}, 'query')]).toEqual(
      [{ limit: 1 }, { limit: 100 }, { limit: 50 }],
    );
    expect(() => parseWith(limit, { limit: '0' }, 'query')).toThrow(/^query\.limit: /);
    expect(() => parseWith(limit, { limit: '101' }, 'query')).toThrow(/^query\.limit: /);
  });

  it('takes a string exactly when it is the canonical decimal of a number in range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: -5, max: 200 }).map(String)), (raw) => {
        const canonical = String(Number(raw)) === raw && Number.isInteger(Number(raw)) && Number(raw) >= 1 && Number(raw) <= 100;
        expect(limit.safeParse({ limit: raw }).success).toBe(canonical);
      }),
      { seed: 4_351, numRuns: 1_000 },
    );
  });

  it("is what the ledger's page size reads (every route's limit uses it)", () => {
    expect(PageQuery.safeParse({ limit: '0x10' }).success).toBe(false);
    expect(PageQuery.safeParse({ limit: '16' }).data?.limit).toBe(16);
  });
});
