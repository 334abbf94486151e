import { MICRO_PER_CREDIT } from '../shared/credits';
import { ConfigError } from '../shared/errors';

/** Never forwarded upstream, whatever a product lists. */
export const NEVER_FORWARDED = [
  'authorization',
  'x-api-key',
  'cookie',
  'host',
  'content-length',
  'connection',
  // The edge's proof of origin and its view of the caller (shared/middleware/origin-guard.ts) stay here.
  'x-omnapi-origin-secret',
  'cf-connecting-ip',
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

/**
 * The most products a catalog may sell. A quiet account's single calls of a day are counted in one
 * item (its day's singles rollup), an entry per hour and product of at most ~290 bytes (a 31-character
 * product id, fifteen counters of up to 17 digits): 24 × 50 × 290 B ≈ 350 KB stays under DynamoDB's
 * 400 KB item limit, so an account calling every product every hour still has its day counted.
 */
export const MAX_PRODUCTS = 50;

export interface Catalog {
  products: Record<string, Product>;
  plans: Record<string, Plan>;
}

/** The catalog every stage starts from: the demo `echo` product, 1 credit a call. */
export const DEFAULT_CATALOG: Catalog = {
  products: {
    echo: {
      upstream: 'builtin:echo',
      priceMicroCredits: MICRO_PER_CREDIT,
      passHeaders: ['content-type', 'accept', 'accept-language'],
      timeoutMs: 5_000,
    },
  },
  plans: {
    free: { requestsPerMinute: 600 },
    pro: { requestsPerMinute: 6_000 },
    // ~16,000 calls a second for one account: 16 balance items of ~1,000 writes a second each.
    scale: { requestsPerMinute: 960_000, balanceShards: 16 },
  },
};

/**
 * The catalog as the CDK app wrote it into the gateway's CATALOG variable: validated there, once, by
 * `CatalogSchema` (catalog-schema.ts) when the stage config was loaded, and derived from the same
 * template by the local runtime — so the hot path only parses it and keeps zod out of its bundle.
 */
export function parseCatalog(text: string): Catalog {
  try {
    return JSON.parse(text) as Catalog;
  } catch {
    throw new ConfigError('CATALOG is not JSON: it is written by the CDK app from the validated stage config');
  }
}
