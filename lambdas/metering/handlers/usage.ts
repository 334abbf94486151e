import { dynamoDbSessionLookup, sessionAuthenticator } from '../../shared/auth/session';
import { dynamo } from '../../shared/clients/dynamodb';
import { microToCredits } from '../../shared/credits';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbUsageLogs } from '../../shared/adapters/dynamodb-usage-logs';
import { DynamoDbUsageReader } from '../adapters/dynamodb-usage-reader';
import { usageApiConfig } from '../config';
import { bucketsOf } from '../domain/usage';
import { RangeTooLongError, RangeReversedError } from '../errors';
import { meteringRoutes } from '../routes';

const config = usageApiConfig();
const reader = new DynamoDbUsageReader(dynamo, { usageLogs: config.TABLE_USAGE_LOGS, usageAggregates: config.TABLE_USAGE_AGGREGATES });
const logs = new DynamoDbUsageLogs(dynamo, config.TABLE_USAGE_LOGS);
const authenticate = sessionAuthenticator(dynamoDbSessionLookup(dynamo, config.TABLE_SESSIONS));

/** Buckets one request may ask for. */
const MAX_BUCKETS = { hour: 24 * 31, day: 400 };

/** Usage aggregates and call logs (the retention period, newest first) — the caller's own. */
export const handler = httpRoutes(
  route(
    meteringRoutes.usage,
    async (event) => {
      const { from, to, granularity, product } = event.input.query;
      const span = (Date.parse(to) - Date.parse(from)) / (granularity === 'hour' ? 3_600_000 : 86_400_000);
      if (span < 0) throw new RangeReversedError();
      if (span > MAX_BUCKETS[granularity]) throw new RangeTooLongError(MAX_BUCKETS[granularity], granularity);
      const buckets = await reader.aggregates(event.principal.accountId, granularity, bucketsOf(from)[granularity], to, product);
      return json(200, {
        from,
        to,
        granularity,
        buckets: buckets.map((b) => ({ ...b, charged: microToCredits(b.chargedMicro), refunded: microToCredits(b.refundedMicro) })),
      });
    },
    { authenticate },
  ),
  route(
    meteringRoutes.logs,
    async (event) => {
      const { limit, cursor } = event.input.query;
      const page = await logs.page(event.principal.accountId, { limit, cursor, now: new Date() });
      return json(200, { logs: page.logs, nextCursor: page.nextCursor && Buffer.from(page.nextCursor).toString('base64url') });
    },
    { authenticate },
  ),
);
