import { z } from 'zod';
import { isStripeCurrency } from '../shared/money';
import type { CreditPack } from './packs';

const id = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case id');

/** Credit packs as the stage config validates them at synth (context `creditPacks`, JSON). */
export const CreditPacksSchema = z
  .record(
    id,
    z.object({
      name: z.string().min(1).max(100),
      credits: z.number().int().positive().max(100_000_000),
      priceMinor: z.number().int().min(50, 'Stripe charges at least 50 of the smallest unit').max(99_999_999),
      currency: z
        .string()
        .regex(/^[a-z]{3}$/, { error: 'ISO 4217, lower-case, e.g. usd', abort: true })
        .refine(isStripeCurrency, {
          error: (issue) => `${String(issue.input)} is not a currency Stripe charges in (docs.stripe.com/currencies)`,
        }),
    }),
  )
  .refine((packs) => Object.keys(packs).length > 0, 'at least one pack') satisfies z.ZodType<Record<string, CreditPack>, unknown>;
