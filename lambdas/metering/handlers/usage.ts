import { z } from 'zod';
import { requireSession } from '../../accounts/http';
import { dynamo } from '../../shared/clients/dynamodb';
import { loadConfig } from '../../shared/config';
import { ValidationError } from '../../shared/errors';
import { json } from '../../shared/http';
import { httpHandler, httpRoutes } from '../../shared/middleware/http-handler';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbUsageReader } from '../adapters/dynamodb-usage-reader';
import { microToCredits } from '../catalog';
import { bucketsOf } from '../domain/usage';
import { LogsQuery, UsageQuery } from '../schemas';

const config = loadConfig({
  TABLE_USAGE_LOGS: z.string().min(1),
  TABLE_USAGE_AGGREGATES: z.string().min(1),
  TABLE_LEDGER: z.string().min(1),
});
const reader = new DynamoDbUsageReader(dynamo, { usageLogs: config.TABLE_USAGE_LOGS, usageAggregates: config.TABLE_USAGE_AGGREGATES });
const ledger = new DynamoDbLedger(dynamo, config.TABLE_LEDGER);

/** Buckets one request may ask for. */
const MAX_BUCKETS = { hour: 24 * 31, day: 400 };

/** Usage aggregates, call logs (last 90 days, newest first), the credit ledger and balance — the caller's own. */
export const handler = httpRoutes({
  'GET /v1/usage': httpHandler(
    async (event) => {
      const { from, to, granularity, product } = event.input.query;
      const span = (Date.parse(to) - Date.parse(from)) / (granularity === 'hour' ? 3_600_000 : 86_400_000);
      if (span < 0) throw new ValidationError('query.to: must not be before from', [{ path: 'query.to', message: 'before from' }]);
      if (span > MAX_BUCKETS[granularity]) {
        throw new ValidationError(`query: at most ${MAX_BUCKETS[granularity]} ${granularity}s per request`, [{ path: 'query.from', message: 'range too long' }]);
      }
      const buckets = await reader.aggregates(event.principal.accountId, granularity, bucketsOf(from)[granularity], to, product);
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
  'GET /v1/billing/ledger': httpHandler(
    async (event) => {
      const entries = (await ledger.entries(event.principal.accountId)).sort((a, b) => b.at.localeCompare(a.at));
      return json(200, { entries: entries.map((e) => ({ ...e, amount: microToCredits(e.amountMicro) })) });
    },
    { authenticate: requireSession },
  ),
  'GET /v1/billing/balance': httpHandler(
    async (event) => {
      const balanceMicro = await ledger.balance(event.principal.accountId);
      return json(200, { balanceMicro, credits: microToCredits(balanceMicro) });
    },
    { authenticate: requireSession },
  ),
});
