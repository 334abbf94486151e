import { z } from 'zod';
import { queryInteger, queryTime } from '../shared/query-params';
import { STATUS_FILTERS } from './domain/usage-queries';

const productId = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'Not a product id');
const isoTime = z.string().meta({ format: 'date-time' });

/** How far back `GET /v1/usage` looks when no `from` is given. */
export const DEFAULT_USAGE_DAYS = 30;
const keyId = z.string().regex(/^key_[0-9a-f]{24}$/, 'Not a key id');

/** `GET /v1/usage`: an ISO range (`to` defaults to now, `from` to 30 days before it), hour or day buckets, optionally one product or one key. */
export const UsageQuery = z
  .object({
    from: queryTime()
      .optional()
      .meta({ description: `Start of the range; default ${DEFAULT_USAGE_DAYS} days before \`to\`` }),
    to: queryTime()
      .optional()
      .meta({ description: 'End of the range; default now. Buckets are whole: the hour holding it is counted to its end' }),
    granularity: z.enum(['hour', 'day']).default('day'),
    product: productId.optional(),
    key: keyId.optional().meta({ description: "Only this key's calls (buckets per key, from the call logs)" }),
    groupBy: z.enum(['product', 'key']).default('product').meta({
      description: '`key`: buckets per key and product, counted from the call logs (last 90 days), refusals split into 402 and 429',
    }),
  })
  .transform((q) => {
    const to = new Date(q.to ?? Date.now());
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_USAGE_DAYS * 86_400_000);
    return { ...q, from: from.toISOString(), to: to.toISOString() };
  });

/** `GET /v1/usage/logs`: a page size, the opaque cursor of the previous page, and the explorer's filters (all applied in the API). */
export const LogsQuery = z.object({
  limit: queryInteger({ min: 1, max: 200, default: 50 }),
  cursor: z
    .string()
    .max(400)
    .optional()
    .meta({ description: 'nextCursor of the previous page of the same query (bound to the account and the filters)' }),
  key: keyId.optional().meta({ description: 'Only calls made with this key' }),
  status: z
    .enum(STATUS_FILTERS)
    .optional()
    .meta({ description: 'A class of answers (2xx, 4xx, 5xx) or one refusal: 402 (out of credit) or 429 (rate limited)' }),
  product: productId.optional(),
  pathPrefix: z
    .string()
    .min(1)
    .max(200)
    .regex(/^\//, 'Starts with /')
    .optional()
    .meta({ description: 'Only calls whose path (below the product) starts with this' }),
  from: queryTime()
    .transform((t) => new Date(t).toISOString())
    .optional()
    .meta({ description: 'No call before this time' }),
  to: queryTime()
    .transform((t) => new Date(t).toISOString())
    .optional()
    .meta({ description: 'No call after this time' }),
});

export const UsageBucketView = z.object({
  bucket: isoTime,
  product: z.string(),
  calls: z.number().int(),
  admitted: z.number().int(),
  rejected: z.number().int(),
  rejectedNoCredit: z
    .number()
    .int()
    .meta({ description: 'Refused with 402: out of credit (per product: 0 for hours counted before the split was kept)' }),
  rejectedRateLimited: z
    .number()
    .int()
    .meta({ description: 'Refused with 429: over the rate limit (per product: 0 for hours counted before the split was kept)' }),
  errors: z.number().int(),
  chargedMicro: z.number().int(),
  refundedMicro: z.number().int(),
  charged: z.string().meta({ description: 'Credits charged, exact decimal' }),
  refunded: z.string(),
  avgLatencyMs: z.number(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
});
export const KeyUsageBucketView = UsageBucketView.extend({ keyId: z.string() });
export const UsageResult = z.object({
  from: isoTime,
  to: isoTime,
  granularity: z.enum(['hour', 'day']),
  groupBy: z.enum(['product', 'key']),
  buckets: z.array(z.union([KeyUsageBucketView, UsageBucketView])).meta({
    description: 'Per product; per key and product (with keyId, counted from the call logs) when grouped by key or filtered to one key',
  }),
});

export const UsageLogView = z
  .object({
    requestId: z.string(),
    keyId: z.string(),
    product: z.string(),
    method: z.string(),
    path: z
      .string()
      .meta({ description: "The call's path below the product, as sent (decoded), its first 1,024 characters; the query is not kept" }),
    status: z.number().int(),
    outcome: z.enum(['ok', 'refunded', 'rejected']),
    priceMicroCredits: z.number().int(),
    latencyMs: z.number(),
    upstreamLatencyMs: z.number().optional(),
    requestBytes: z.number().int(),
    responseBytes: z.number().int(),
    ip: z.string(),
    userAgent: z.string(),
    at: isoTime,
  })
  .meta({ id: 'UsageLog' });
export const LogsResult = z.object({
  logs: z.array(UsageLogView),
  nextCursor: z.string().optional().meta({
    description:
      'Present while older calls may match. A page reads a bounded part of the logs, so with a filter that matches little it can hold fewer than `limit` calls, or none, and still have a nextCursor: follow it to search on.',
  }),
});

/** What a proxied product answers: whatever its upstream sends, plus the metering headers. */
export const ProxiedAnswer = z.unknown().meta({ description: "The product's own answer, passed through" });
export const ProductPath = z.object({ product: productId, proxy: z.string() });
