import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * Moves what every balance shard holds back to the balance item, each by one transaction that takes
 * exactly what the shard held (a shard spent from meanwhile is read and tried again): for an account
 * leaving a sharded plan, whose gateway no longer spends from the shards. Returns the micro-credits moved.
 */
export async function collectBalanceShards(client: DynamoDBDocumentClient, table: string, accountId: string): Promise<number> {
  let moved = 0;
  for (const shard of (await balanceShards(client, table, accountId)).slice(1)) {
    let balance = shard.balance ?? 0;
    // A busy shard is spent from between the read and the move: read again and retry, a bounded number of times.
    for (let attempt = 0; balance > 0; attempt++) {
      if (attempt >= 25) throw new Error(`Balance shard ${shard.key.pk} kept changing; ${balance} micro-credits left in it`);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: table, Key: shard.key, UpdateExpression: 'SET balance = balance - :b', ConditionExpression: 'balance = :b', ExpressionAttributeValues: { ':b': balance } } },
              { Update: { TableName: table, Key: balanceShardKey(accountId, 0), UpdateExpression: 'ADD balance :b', ExpressionAttributeValues: { ':b': balance } } },
            ],
          }),
        );
        moved += balance;
        balance = 0;
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        const { Item } = await client.send(new GetCommand({ TableName: table, Key: shard.key, ConsistentRead: true }));
        balance = Number(Item?.balance ?? 0);
      }
    }
  }
  return moved;
}
