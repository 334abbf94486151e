import { z } from 'zod';

const productId = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'Not a product id');
const isoTime = z.string().meta({ format: 'date-time' });

/** `GET /v1/usage`: an ISO range (to defaults to now), hour or day buckets, optionally one product. */
export const UsageQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }).optional(),
    granularity: z.enum(['hour', 'day']).default('day'),
    product: productId.optional(),
  })
  .transform((q) => ({ ...q, from: new Date(q.from).toISOString(), to: new Date(q.to ?? Date.now()).toISOString() }));

/** `GET /v1/usage/logs`: a page size and the opaque cursor of the previous page. */
export const LogsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(300)
    .transform((c) => Buffer.from(c, 'base64url').toString('utf8'))
    .refine((c) => /^\d{4}-\d\d-\d\dT[\d:.]+Z#[\w=+/-]{1,100}$/.test(c), 'not a cursor from a previous page')
    .optional(),
});

export const UsageBucketView = z.object({
  bucket: isoTime,
  product: z.string(),
  calls: z.number().int(),
  admitted: z.number().int(),
  rejected: z.number().int(),
  errors: z.number().int(),
  chargedMicro: z.number().int(),
  refundedMicro: z.number().int(),
  charged: z.string().meta({ description: 'Credits charged, exact decimal' }),
  refunded: z.string(),
  avgLatencyMs: z.number(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
});
export const UsageResult = z.object({ from: isoTime, to: isoTime, granularity: z.enum(['hour', 'day']), buckets: z.array(UsageBucketView) });

export const UsageLogView = z
  .object({
    requestId: z.string(),
    keyId: z.string(),
    product: z.string(),
    method: z.string(),
    path: z.string(),
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
export const LogsResult = z.object({ logs: z.array(UsageLogView), nextCursor: z.string().optional() });

/** What a proxied product answers: whatever its upstream sends, plus the metering headers. */
export const ProxiedAnswer = z.unknown().meta({ description: 'The product\'s own answer, passed through' });
export const ProductPath = z.object({ product: productId, proxy: z.string() });
