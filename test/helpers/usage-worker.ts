import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageStore } from '../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../lambdas/metering/domain/usage';

/** The usage tables as the local DynamoDB of the unit tests names them. */
export const USAGE_TABLES = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };

/**
 * Hands `calls` to a fresh worker container as one SQS batch taken at `clock` (epoch ms, the
 * store's clock), each message named by its call and the clock (so the same calls at another time
 * are a redelivery). `tallyEvery`: about one refused call in this many starts a counting step.
 */
export function recordAt(
  client: DynamoDBDocumentClient,
  calls: UsageEvent[],
  clock: number,
  options: { tallyEvery?: number; analytics?: boolean } = {},
) {
  return recordUsageBatch(
    calls.map((e) => ({ messageId: `${e.requestId}@${clock}`, body: JSON.stringify(e) })),
    {
      store: new DynamoDbUsageStore(client, USAGE_TABLES, undefined, () => clock, options.tallyEvery),
      settings: { of: async () => ({ analytics: options.analytics ?? true }) },
    },
  );
}
