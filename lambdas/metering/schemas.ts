import { z } from 'zod';

const productId = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'Not a product id');

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
