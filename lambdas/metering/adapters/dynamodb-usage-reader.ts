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

/** Reads one account's aggregates (its logs are read through the shared UsageLogStore); the account is always the caller's, never a parameter of the query's reach. */
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
        ':pk': `ACCOUNT#${accountId}#${granularity === 'hour' ? 'H' : 'D'}`,
        ':from': from,
        ':to': `${to}\uffff`,
        ...(product ? { ':product': product } : {}),
      },
    });
    const buckets = items.map((item): UsageBucket => {
      const calls = Number(item.calls ?? 0);
      return {
        bucket: String(item.bucket),
        product: String(item.product),
        calls,
        admitted: Number(item.admitted ?? 0),
        rejected: Number(item.rejected ?? 0),
        errors: Number(item.errors ?? 0),
        chargedMicro: Number(item.chargedMicro ?? 0),
        refundedMicro: Number(item.refundedMicro ?? 0),
        avgLatencyMs: calls ? Math.round(Number(item.latencyMsSum ?? 0) / calls) : 0,
        bytesIn: Number(item.bytesIn ?? 0),
        bytesOut: Number(item.bytesOut ?? 0),
      };
    });
    return buckets.filter((b) => b.bucket <= to);
  }
}
