import { z } from 'zod';
import { requireSession } from '../../accounts/http';
import { dynamo } from '../../shared/clients/dynamodb';
import { ValidationError } from '../../shared/errors';
import { json } from '../../shared/http';
import { httpHandler, httpRoutes } from '../../shared/middleware/http-handler';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbUsageReader } from '../adapters/dynamodb-usage-reader';
import { microToCredits } from '../catalog';

const tables = {
  usageLogs: process.env.TABLE_USAGE_LOGS ?? '',
  usageAggregates: process.env.TABLE_USAGE_AGGREGATES ?? '',
};
const reader = new DynamoDbUsageReader(dynamo, tables);
const ledger = new DynamoDbLedger(dynamo, process.env.TABLE_LEDGER ?? '');

const MAX_BUCKETS = { hour: 24 * 31, day: 400 };
const UsageQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }).optional(),
    granularity: z.enum(['hour', 'day']).default('day'),
    product: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/).optional(),
  })
  .transform((q) => ({ ...q, from: new Date(q.from).toISOString(), to: new Date(q.to ?? Date.now()).toISOString() }));
const LogsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(300)
    .transform((c) => Buffer.from(c, 'base64url').toString('utf8'))
    .refine((c) => /^\d{4}-\d\d-\d\dT[\d:.]+Z#[\w=+/-]{1,100}$/.test(c), 'not a cursor from a previous page')
    .optional(),
});

/** Usage aggregates, call logs (last 90 days, newest first) and the credit balance — the caller's own. */
export const handler = httpRoutes({
  'GET /v1/usage': httpHandler(
    async (event) => {
      const { from, to, granularity, product } = event.input.query;
      const span = (Date.parse(to) - Date.parse(from)) / (granularity === 'hour' ? 3_600_000 : 86_400_000);
      if (span < 0) throw new ValidationError('query.to: must not be before from', [{ path: 'query.to', message: 'before from' }]);
      if (span > MAX_BUCKETS[granularity]) {
        throw new ValidationError(`query: at most ${MAX_BUCKETS[granularity]} ${granularity}s per request`, [{ path: 'query.from', message: 'range too long' }]);
      }
      const buckets = await reader.aggregates(event.principal.accountId, granularity, bucketStart(from, granularity), to, product);
      return json(200, {
        from,
        to,
        granularity,
        buckets: buckets.map((b) => ({ ...b, charged: microToCredits(b.chargedMicro), refunded: microToCredits(b.refundedMicro) })),
      });
    },
    { authenticate: requireSession, query: UsageQuery },
  ),
  'GET /v1/usage/logs': httpHandler(
    async (event) => {
      const { limit, cursor } = event.input.query;
      const page = await reader.logs(event.principal.accountId, { limit, cursor, now: new Date() });
      return json(200, { logs: page.logs, nextCursor: page.nextCursor && Buffer.from(page.nextCursor).toString('base64url') });
    },
    { authenticate: requireSession, query: LogsQuery },
  ),
  'GET /v1/billing/balance': httpHandler(
    async (event) => {
      const balanceMicro = await ledger.balance(event.principal.accountId);
      return json(200, { balanceMicro, credits: microToCredits(balanceMicro) });
    },
    { authenticate: requireSession },
  ),
});

function bucketStart(iso: string, granularity: 'hour' | 'day'): string {
  return granularity === 'hour' ? `${iso.slice(0, 13)}:00:00Z` : `${iso.slice(0, 10)}T00:00:00Z`;
}
