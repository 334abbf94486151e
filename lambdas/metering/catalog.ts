import { MICRO_PER_CREDIT } from '../shared/credits';
import { ConfigError } from '../shared/errors';

/** Never forwarded upstream, whatever a product lists. */
export const NEVER_FORWARDED = [
  'authorization', 'x-api-key', 'cookie', 'host', 'content-length', 'connection',
  // The edge's proof of origin and its view of the caller (shared/middleware/origin-guard.ts) stay here.
  'x-omnapi-origin-secret', 'cf-connecting-ip',
];

export interface Product {
  /** An http(s) base URL, or `builtin:echo` for the demo product this stack serves itself. */
  upstream: string;
  priceMicroCredits: number;
  /** Request headers forwarded upstream, lower-case. */
  passHeaders: string[];
  /** Upstream deadline; past it the caller gets 504 and the debit is refunded. */
  timeoutMs: number;
}

export interface Plan {
  requestsPerMinute: number;
  /**
   * Balance shards (1–64): the admit write of one call lands on one of this many balance items, each
   * with its own partition, so one account can make ~1,000 × this many calls a second. Each shard
   * admits its share of the minute's limit. @default 1
   */
  balanceShards?: number;
}

/** The most balance shards a plan may have: readers of the balance sum this many at most. */
export const MAX_BALANCE_SHARDS = 64;

export interface Catalog {
  products: Record<string, Product>;
  plans: Record<string, Plan>;
}

/** The catalog every stage starts from: the demo `echo` product, 1 credit a call. */
export const DEFAULT_CATALOG: Catalog = {
  products: {
    echo: { upstream: 'builtin:echo', priceMicroCredits: MICRO_PER_CREDIT, passHeaders: ['content-type', 'accept', 'accept-language'], timeoutMs: 5_000 },
  },
  plans: {
    free: { requestsPerMinute: 600 },
    pro: { requestsPerMinute: 6_000 },
    // ~16,000 calls a second for one account: 16 balance items of ~1,000 writes a second each.
    scale: { requestsPerMinute: 960_000, balanceShards: 16 },
  },
};

/**
 * Reads the catalog the CDK app wrote into the gateway's environment. The full zod schema
 * (catalog-schema.ts) validated it at synth; this guard re-checks its shape at cold start without
 * loading zod, which would otherwise be half the gateway's bundle and init time.
 */
export function parseCatalog(text: string): Catalog {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError('CATALOG is not JSON');
  }
  const problems: string[] = [];
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const positiveInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
  const catalog = isRecord(value) ? value : {};
  const products = isRecord(catalog.products) ? catalog.products : {};
  const plans = isRecord(catalog.plans) ? catalog.plans : {};
  if (Object.keys(products).length === 0) problems.push('products: at least one product');
  for (const [id, product] of Object.entries(products)) {
    const p = isRecord(product) ? product : {};
    if (typeof p.upstream !== 'string' || !(p.upstream === 'builtin:echo' || /^https?:\/\/./.test(p.upstream))) problems.push(`products.${id}.upstream`);
    if (!positiveInt(p.priceMicroCredits)) problems.push(`products.${id}.priceMicroCredits`);
    if (!Array.isArray(p.passHeaders) || p.passHeaders.some((h) => typeof h !== 'string' || NEVER_FORWARDED.includes(h))) problems.push(`products.${id}.passHeaders`);
    if (!positiveInt(p.timeoutMs)) problems.push(`products.${id}.timeoutMs`);
  }
  if (!isRecord(plans.free)) problems.push('plans.free: required');
  for (const [id, plan] of Object.entries(plans)) {
    const p = isRecord(plan) ? plan : {};
    if (!positiveInt(p.requestsPerMinute)) problems.push(`plans.${id}.requestsPerMinute`);
    const shards = p.balanceShards ?? 1;
    if (!positiveInt(shards) || (shards as number) > MAX_BALANCE_SHARDS || (shards as number) > Number(p.requestsPerMinute)) problems.push(`plans.${id}.balanceShards`);
  }
  if (problems.length) throw new ConfigError(`Invalid CATALOG: ${problems.join('; ')}`);
  return value as Catalog;
}
