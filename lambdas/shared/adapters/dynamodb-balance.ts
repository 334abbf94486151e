import { TransactionConflictException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type UpdateCommand,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { balanceKey, balanceShardKey } from '../credits';

/** Shards any plan may have (the catalog refuses more). */
export const BALANCE_SHARDS_READ = 64;

type Shard = { shard: number; key: { pk: string; sk: string }; balance?: number };

/**
 * Every balance item of an account, shard 0 (the balance item) first: keys, and their balances where
 * they exist. A shard only ever gets credit by a refill, which names it in the balance item's `shards`
 * set in the same transaction: so one read of the balance item says which shards to read — none for an
 * unsharded account. Without a balance item (an erasure that already took it), all 64 are looked at.
 */
export async function balanceShards(client: DynamoDBDocumentClient, table: string, accountId: string): Promise<Shard[]> {
  const { Item: main } = await client.send(
    new GetCommand({ TableName: table, Key: balanceKey(accountId), ConsistentRead: true, ProjectionExpression: 'balance, shards' }),
  );
  const numbers = main
    ? [...((main.shards as Set<number> | undefined) ?? [])].map(Number).sort((x, y) => x - y)
    : Array.from({ length: BALANCE_SHARDS_READ - 1 }, (_, i) => i + 1);
  const keys = numbers.map((shard) => balanceShardKey(accountId, shard));
  const found = new Map<string, number>();
  let pending: Record<string, unknown>[] = keys;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    if (attempt > 10) throw new Error(`BatchGetItem left ${pending.length} balance shards of ${table} unread`);
    const { Responses, UnprocessedKeys } = await client.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'pk, balance' } } }),
    );
    for (const item of Responses?.[table] ?? []) found.set(String(item.pk), Number(item.balance ?? 0));
    pending = (UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
  }
  return [
    { shard: 0, key: balanceKey(accountId), balance: main ? Number(main.balance ?? 0) : undefined },
    ...keys.map((key, i) => ({ shard: numbers[i]!, key, balance: found.get(key.pk) })),
  ];
}

/**
 * A plain write to a balance item that a transaction holds (a ledger post, a refund, a refill) fails with
 * TransactionConflict, which the SDK does not retry: tried again a few times after a short pause.
 */
export async function sendRetryingConflicts(client: DynamoDBDocumentClient, command: UpdateCommand): Promise<UpdateCommandOutput> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.send(command);
    } catch (error) {
      if (!(error instanceof TransactionConflictException) || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

/** An account's balance: its balance item plus every balance shard (micro-credits). */
export async function totalBalance(client: DynamoDBDocumentClient, table: string, accountId: string): Promise<number> {
  return (await balanceShards(client, table, accountId)).reduce((sum, shard) => sum + (shard.balance ?? 0), 0);
}

/**
 * Moves what every balance shard holds back to the balance item, for an account leaving a sharded
 * plan or debited on the ledger. Each move is one transaction taking at most what the shard was read
 * to hold (a shard spent from meanwhile is read again, and asked for a little less); gateways may
 * spend from a shard while this runs, so `left` says what was still there when it gave up.
 */
export async function collectBalanceShards(
  client: DynamoDBDocumentClient,
  table: string,
  accountId: string,
): Promise<{ moved: number; left: number }> {
  let moved = 0;
  let left = 0;
  for (const shard of (await balanceShards(client, table, accountId)).slice(1)) {
    let balance = shard.balance ?? 0;
    for (let attempt = 0; balance > 0; attempt++) {
      if (attempt >= 10) {
        left += balance;
        break;
      }
      // After a lost race, ask for nine tenths of what is there: calls spend from it between the read and the move.
      const take = attempt === 0 ? balance : Math.floor(balance * 0.9);
      if (take <= 0) break;
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: shard.key,
                  UpdateExpression: 'SET balance = balance - :b',
                  ConditionExpression: 'balance >= :b',
                  ExpressionAttributeValues: { ':b': take },
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: balanceShardKey(accountId, 0),
                  UpdateExpression: 'ADD balance :b',
                  ExpressionAttributeValues: { ':b': take },
                },
              },
            ],
          }),
        );
        moved += take;
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** Math.min(attempt, 6) * (0.5 + Math.random())));
      }
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: shard.key, ConsistentRead: true }));
      balance = Number(Item?.balance ?? 0);
    }
  }
  return { moved, left };
}
