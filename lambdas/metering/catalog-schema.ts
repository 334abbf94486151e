import { z } from 'zod';
import { MICRO_PER_CREDIT } from '../shared/credits';
import { type Catalog, MAX_BALANCE_SHARDS, MAX_PRODUCTS, NEVER_FORWARDED } from './catalog';

const headerName = z.string().regex(/^[a-z0-9-]+$/, 'lower-case header name');
const id = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case id');

export const ProductSchema = z.object({
  upstream: z.union([z.literal('builtin:echo'), z.url({ protocol: /^https?$/ })]),
  priceMicroCredits: z
    .number()
    .int()
    .positive()
    .max(1_000 * MICRO_PER_CREDIT),
  passHeaders: z
    .array(headerName)
    .default(['content-type', 'accept', 'accept-language'])
    .refine((names) => !names.some((n) => NEVER_FORWARDED.includes(n)), 'credentials and hop-by-hop headers are never forwarded'),
  timeoutMs: z.number().int().min(100).max(25_000).default(10_000),
});

export const PlanSchema = z
  .object({
    requestsPerMinute: z.number().int().positive().max(1_000_000),
    balanceShards: z.number().int().min(1).max(MAX_BALANCE_SHARDS).optional(),
  })
  .refine((plan) => (plan.balanceShards ?? 1) <= plan.requestsPerMinute, {
    message: 'balanceShards may not exceed requestsPerMinute: every shard admits a share of the limit',
    path: ['balanceShards'],
  });

/** The product catalog as the stage config validates it at synth (context `catalog`). */
export const CatalogSchema = z.object({
  products: z
    .record(id, ProductSchema)
    .refine((p) => Object.keys(p).length > 0, 'at least one product')
    .refine(
      (p) => Object.keys(p).length <= MAX_PRODUCTS,
      `at most ${MAX_PRODUCTS} products: a day of an account's calls is counted in one item`,
    ),
  plans: z.record(id, PlanSchema).refine((p) => 'free' in p, 'a "free" plan is required: new keys start on it'),
}) satisfies z.ZodType<Catalog, unknown>;
