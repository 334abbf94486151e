import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { balanceShardKey } from '../credits';

/** Shards any plan may have (the catalog refuses more): readers look at all of them, whatever the plan was. */
export const BALANCE_SHARDS_READ = 64;

/** Every balance item of an account, shard 0 (the balance item) first: keys, and their balances where they exist. */
export async function balanceShards(client: DynamoDBDocumentClient, table: string, accountId: string): Promise<{ key: { pk: string; sk: string }; balance?: number }[]> {
  const keys = Array.from({ length: BALANCE_SHARDS_READ }, (_, shard) => balanceShardKey(accountId, shard));
  const found = new Map<string, number>();
  let pending: Record<string, unknown>[] = keys;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    if (attempt > 10) throw new Error(`BatchGetItem left ${pending.length} balance shards of ${table} unread`);
    const { Responses, UnprocessedKeys } = await client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'pk, balance' } } }));
    for (const item of Responses?.[table] ?? []) found.set(String(item.pk), Number(item.balance ?? 0));
    pending = (UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
  }
  return keys.map((key) => ({ key, balance: found.get(key.pk) }));
}

/** An account's balance: its balance item plus every balance shard (micro-credits). */
export async function totalBalance(client: DynamoDBDocumentClient, table: string, accountId: string): Promise<number> {
  return (await balanceShards(client, table, accountId)).reduce((sum, shard) => sum + (shard.balance ?? 0), 0);
}
