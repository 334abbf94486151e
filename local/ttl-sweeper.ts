import { type DynamoDBDocumentClient, BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalTable } from './assembly';

/**
 * DynamoDB TTL for dynalite, which has none: deletes items whose TTL attribute (epoch seconds) has
 * passed. Like DynamoDB, items linger until swept, so readers must still filter expired items.
 */
export class TtlSweeper {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: LocalTable[],
  ) {}

  /** One pass over every TTL table; returns how many items each lost. */
  async sweep(now = Date.now()): Promise<Record<string, number>> {
    const removed: Record<string, number> = {};
    for (const table of this.tables) {
      if (!table.ttlAttribute) continue;
      const keyNames = table.definition.KeySchema.map((k) => k.AttributeName);
      removed[table.name] = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new ScanCommand({
            TableName: table.name,
            FilterExpression: '#ttl <= :now',
            ExpressionAttributeNames: { '#ttl': table.ttlAttribute, ...Object.fromEntries(keyNames.map((k, i) => [`#k${i}`, k])) },
            ExpressionAttributeValues: { ':now': Math.floor(now / 1000) },
            ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
            ExclusiveStartKey: startKey,
          }),
        );
        const keys = page.Items ?? [];
        for (let i = 0; i < keys.length; i += 25) {
          let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
          while (requests.length) {
            const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: requests } }));
            requests = (result.UnprocessedItems?.[table.name] ?? []) as typeof requests;
          }
        }
        removed[table.name]! += keys.length;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return removed;
  }

  /**
   * Sweeps every `intervalMs`, counted from the end of the last sweep: a sweep scans every TTL table,
   * and on a busy machine or over many items sweeps started on a fixed beat would overlap and pile up.
   */
  start(intervalMs: number, log: (line: string) => void): void {
    this.running = true;
    const next = () => {
      if (!this.running) return;
      this.timer = setTimeout(run, intervalMs);
      this.timer.unref();
    };
    const run = () =>
      this.sweep()
        .then(
          (removed) => {
            const total = Object.values(removed).reduce((a, b) => a + b, 0);
            if (total) log(`TTL sweep removed ${total} expired item(s): ${JSON.stringify(removed)}`);
          },
          (error: Error) => log(`TTL sweep failed: ${error.message}`),
        )
        .finally(next);
    next();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}
