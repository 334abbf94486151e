import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../shared/dynamodb-query';

export interface UsageBucket {
  bucket: string;
  product: string;
  calls: number;
  admitted: number;
  rejected: number;
  errors: number;
  chargedMicro: number;
  refundedMicro: number;
  avgLatencyMs: number;
  bytesIn: number;
  bytesOut: number;
}

const SUMMED = ['calls', 'admitted', 'rejected', 'errors', 'chargedMicro', 'refundedMicro', 'latencyMsSum', 'bytesIn', 'bytesOut'] as const;

/**
 * Reads one account's aggregates (its logs are read through the shared UsageLogStore); the account is
 * always the caller's, never a parameter of the query's reach. Only hourly rollups are written; a day
 * is the sum of its hours (stacks older than that change also hold `#D` items, which agree with it).
 */
export class DynamoDbUsageReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { usageLogs: string; usageAggregates: string },
  ) {}

  async aggregates(accountId: string, granularity: 'hour' | 'day', from: string, to: string, product?: string): Promise<UsageBucket[]> {
    const items = await queryAll(this.client, {
      TableName: this.tables.usageAggregates,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: product ? 'product = :product' : undefined,
      ExpressionAttributeValues: {
        ':pk': `ACCOUNT#${accountId}#H`,
        ':from': from,
        ':to': `${to}\uffff`,
        ...(product ? { ':product': product } : {}),
      },
    });
    const sums = new Map<string, { bucket: string; product: string } & Record<(typeof SUMMED)[number], number>>();
    for (const item of items) {
      const hour = String(item.bucket);
      if (hour > to) continue;
      const bucket = granularity === 'hour' ? hour : `${hour.slice(0, 10)}T00:00:00Z`;
      const key = `${bucket}#${item.product}`;
      const sum = sums.get(key) ?? { bucket, product: String(item.product), ...Object.fromEntries(SUMMED.map((n) => [n, 0])) } as { bucket: string; product: string } & Record<(typeof SUMMED)[number], number>;
      for (const name of SUMMED) sum[name] += Number(item[name] ?? 0);
      sums.set(key, sum);
    }
    return [...sums.values()]
      .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.product.localeCompare(b.product))
      .map(({ latencyMsSum, ...sum }) => ({ ...sum, avgLatencyMs: sum.calls ? Math.round(latencyMsSum / sum.calls) : 0 }));
  }
}
