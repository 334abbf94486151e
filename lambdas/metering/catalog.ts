import { z } from 'zod';

/** 1 credit = 1,000,000 micro-credits; money is integers all the way through. */
export const MICRO_PER_CREDIT = 1_000_000;

const headerName = z.string().regex(/^[a-z0-9-]+$/, 'lower-case header name');
/** Never forwarded upstream, whatever a product lists. */
export const NEVER_FORWARDED = ['authorization', 'x-api-key', 'cookie', 'host', 'content-length', 'connection'];

export const ProductSchema = z.object({
  /** An http(s) base URL, or `builtin:echo` for the demo product this stack serves itself. */
  upstream: z.union([z.literal('builtin:echo'), z.url({ protocol: /^https?$/ })]),
  priceMicroCredits: z.number().int().positive().max(1_000 * MICRO_PER_CREDIT),
  passHeaders: z
    .array(headerName)
    .default(['content-type', 'accept', 'accept-language'])
    .refine((names) => !names.some((n) => NEVER_FORWARDED.includes(n)), 'credentials and hop-by-hop headers are never forwarded'),
  /** Upstream deadline; past it the caller gets 504 and the debit is refunded. */
  timeoutMs: z.number().int().min(100).max(25_000).default(10_000),
});

export const PlanSchema = z.object({ requestsPerMinute: z.number().int().positive().max(1_000_000) });

const productId = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case id');
export const CatalogSchema = z.object({
  products: z.record(productId, ProductSchema).refine((p) => Object.keys(p).length > 0, 'at least one product'),
  plans: z.record(productId, PlanSchema).refine((p) => 'free' in p, 'a "free" plan is required: new keys start on it'),
});

export type Product = z.infer<typeof ProductSchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type Catalog = z.infer<typeof CatalogSchema>;

/** The catalog every stage starts from: the demo `echo` product, 1 credit a call. */
export const DEFAULT_CATALOG: Catalog = CatalogSchema.parse({
  products: {
    echo: { upstream: 'builtin:echo', priceMicroCredits: MICRO_PER_CREDIT, timeoutMs: 5_000 },
  },
  plans: {
    free: { requestsPerMinute: 600 },
    pro: { requestsPerMinute: 6_000 },
  },
});

/** Parses a decimal credit amount ("12.5") into exact micro-credits, refusing anything finer. */
export function creditsToMicro(amount: string): number {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,6}))?$/.exec(amount.trim());
  if (!match) throw new Error(`Not a credit amount with at most 6 decimals: ${amount}`);
  const [, sign, whole, fraction = ''] = match;
  const micro = Number(whole) * MICRO_PER_CREDIT + Number(fraction.padEnd(6, '0'));
  return sign ? -micro : micro;
}

/** Formats micro-credits as a decimal credit string, exactly. */
export function microToCredits(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / MICRO_PER_CREDIT);
  const fraction = String(abs % MICRO_PER_CREDIT).padStart(6, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
