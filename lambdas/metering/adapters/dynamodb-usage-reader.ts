import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../shared/dynamodb-query';
import type { UsageEvent } from '../domain/model';

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

/** Reads one account's aggregates and logs; the account is always the caller's, never a parameter of the query's reach. */
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

  /**
   * Newest first, one page at a time. The cursor carries only the sort key of the last item; the
   * partition is always the caller's, so a cursor cannot reach another account's logs.
   */
  async logs(accountId: string, options: { limit: number; cursor?: string; now: Date }): Promise<{ logs: UsageEvent[]; nextCursor?: string }> {
    const nowSeconds = Math.floor(options.now.getTime() / 1000);
    const oldest = new Date(options.now.getTime() - 90 * 86_400_000).toISOString();
    const logs: UsageEvent[] = [];
    let start = options.cursor ? { pk: `ACCOUNT#${accountId}`, sk: options.cursor } : undefined;
    // A filter applies after the limit; keep reading until the page is full or the logs end.
    while (logs.length < options.limit) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.usageLogs,
          KeyConditionExpression: 'pk = :pk AND sk >= :oldest',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':oldest': oldest, ':now': nowSeconds },
          ScanIndexForward: false,
          Limit: options.limit - logs.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, expiresAt: _ttl, accountId: _account, ...event } = item;
        logs.push(event as UsageEvent);
      }
      start = page.LastEvaluatedKey as typeof start;
      if (!start) break;
    }
    const last = logs.at(-1);
    const nextCursor = start && last ? `${last.at}#${last.requestId}` : undefined;
    return { logs, nextCursor };
  }
}
