import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageStore } from '../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../lambdas/metering/domain/usage';

/**
 * Echo calls of one account and key in the hour starting at `hour` (epoch ms), as the gateway queues
 * them: `[minute, status]` each, 200 admitted (with the admit write's sequence number), 402 and 429
 * refused (none).
 */
export function echoCalls(
  accountId: string,
  hour: number,
  calls: [minute: number, status: number][],
  priceMicroCredits: number,
): UsageEvent[] {
  return calls.map(([minute, status], i) => ({
    v: 1,
    requestId: `req_${accountId}_${i}`,
    accountId,
    keyId: 'key_0123456789abcdef01234567',
    product: 'echo',
    method: 'GET',
    path: `/${accountId}`,
    status,
    outcome: status < 400 ? 'ok' : 'rejected',
    priceMicroCredits,
    latencyMs: 5,
    requestBytes: 0,
    responseBytes: 9,
    ip: '203.0.113.9',
    userAgent: 'jest',
    at: new Date(hour + minute * 60_000).toISOString(),
    ...(status < 400 ? { seq: i + 1, used: 1 } : {}),
  }));
}

/** Records `events` through the worker's domain and the DynamoDB usage store, as one batch. */
export async function recordCalls(client: DynamoDBDocumentClient, events: UsageEvent[]): Promise<void> {
  const store = new DynamoDbUsageStore(client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' });
  await recordUsageBatch(
    events.map((event) => ({ messageId: event.requestId, body: JSON.stringify(event) })),
    { store, settings: { of: async () => ({ analytics: false }) } },
  );
}
