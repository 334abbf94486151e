import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { USAGE_LOG_RETENTION_DAYS, type UsageLog, type UsageLogStore } from '../usage-logs';

/** BatchWriteItem's ceiling. */
const BATCH = 25;

/**
 * The stored form of a log: keyed `ACCOUNT#<id>` / `<at>#<requestId>`, with neither the account nor
 * the time and request id repeated as attributes — they are in the key. Storage and write units are
 * paid on every byte of every call for 90 days.
 */
export function usageLogItem(accountId: string, log: UsageLog, expiresAt: number): Record<string, unknown> {
  const { at, requestId, ...rest } = log;
  return { pk: `ACCOUNT#${accountId}`, sk: `${at}#${requestId}`, ...rest, expiresAt };
}

/** The log a stored item holds (items written before the trimmed form carry the keys' parts too). */
function logOf(item: Record<string, unknown>): UsageLog {
  const { pk: _pk, sk, expiresAt: _ttl, accountId: _account, v: _v, balanceMicro: _balance, ...rest } = item;
  const split = String(sk).indexOf('#');
  return { at: String(sk).slice(0, split), requestId: String(sk).slice(split + 1), ...rest } as UsageLog;
}

/** Usage logs at `ACCOUNT#<id>/<at>#<requestId>` in the usageLogs table, expiring through TTL. */
export class DynamoDbUsageLogs implements UsageLogStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Newest first, one page at a time. The cursor carries only the sort key of the last item; the
   * partition is always the caller's, so a cursor cannot reach another account's logs.
   */
  async page(accountId: string, options: { limit: number; cursor?: string; now: Date }): Promise<{ logs: UsageLog[]; nextCursor?: string }> {
    const nowSeconds = Math.floor(options.now.getTime() / 1000);
    const oldest = new Date(options.now.getTime() - USAGE_LOG_RETENTION_DAYS * 86_400_000).toISOString();
    const logs: UsageLog[] = [];
    let start = options.cursor ? { pk: `ACCOUNT#${accountId}`, sk: options.cursor } : undefined;
    // A filter applies after the limit; keep reading until the page is full or the logs end.
    while (logs.length < options.limit) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :oldest',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':oldest': oldest, ':now': nowSeconds },
          ScanIndexForward: false,
          Limit: options.limit - logs.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) logs.push(logOf(item));
      start = page.LastEvaluatedKey as typeof start;
      if (!start) break;
    }
    const last = logs.at(-1);
    return { logs, nextCursor: start && last ? `${last.at}#${last.requestId}` : undefined };
  }

  async any(accountId: string): Promise<boolean> {
    const { Items } = await this.client.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` }, ProjectionExpression: 'pk', Limit: 1, ConsistentRead: true }),
    );
    return Boolean(Items?.length);
  }

  async erasePage(accountId: string, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` },
        ProjectionExpression: 'pk, sk',
        Limit: limit,
      }),
    );
    const keys = Items ?? [];
    for (let i = 0; i < keys.length; i += BATCH) await batchDelete(this.client, this.table, keys.slice(i, i + BATCH));
    return { erased: keys.length, remaining: Boolean(LastEvaluatedKey) };
  }
}

/** Deletes up to 25 keys, retrying what DynamoDB leaves unprocessed (with backoff) until none is left. */
export async function batchDelete(client: DynamoDBDocumentClient, table: string, keys: Record<string, unknown>[]): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 0; requests.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    if (attempt > 10) throw new Error(`BatchWriteItem left ${requests.length} deletes of ${table} unprocessed after ${attempt} attempts`);
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}
