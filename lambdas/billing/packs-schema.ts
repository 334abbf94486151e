import { z } from 'zod';
import { isStripeCurrency, STRIPE_MAXIMUM_MINOR, stripeChargeProblem } from '../shared/money';
import type { CreditPack } from './packs';

const id = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case id');

/** Credit packs as the stage config validates them at synth (context `creditPacks`, JSON). */
export const CreditPacksSchema = z
  .record(
    id,
    z
      .object({
        name: z.string().min(1).max(100),
        credits: z.number().int().positive().max(100_000_000),
        priceMinor: z.number().int().min(1).max(STRIPE_MAXIMUM_MINOR),
        currency: z
          .string()
          .regex(/^[a-z]{3}$/, { error: 'ISO 4217, lower-case, e.g. usd', abort: true })
          .refine(isStripeCurrency, {
            error: (issue) => `${String(issue.input)} is not a currency Stripe charges in (docs.stripe.com/currencies)`,
          }),
      })
      // A price Stripe would refuse in its currency makes a pack nobody can buy: refused at synth instead.
      .superRefine((pack, context) => {
        const problem = isStripeCurrency(pack.currency) ? stripeChargeProblem(pack.priceMinor, pack.currency) : undefined;
        if (problem) context.addIssue({ code: 'custom', path: ['priceMinor'], message: `${pack.priceMinor} ${pack.currency}: ${problem}` });
      }),
  )
  .refine((packs) => Object.keys(packs).length > 0, 'at least one pack') satisfies z.ZodType<Record<string, CreditPack>, unknown>;
