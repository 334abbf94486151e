import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { balanceKey } from '../../shared/credits';
import { queryAll } from '../../shared/dynamodb-query';
import type { Ledger, LedgerEntry, LedgerPage } from '../domain/ledger';

type Stored = Record<string, unknown>;

function entryOf({ pk: _pk, sk: _sk, ...entry }: Stored): LedgerEntry {
  return entry as unknown as LedgerEntry;
}

/**
 * The append-only credit ledger in the ledger table, per account:
 * - `ENTRY#<at>#<entryId>`: one entry (sorted by time, so pages read newest first);
 * - `REF#<idempotency key>`: the guard that makes posting the same movement twice a no-op;
 * - `BALANCE`: the running balance, moved in the same transaction as the entry it reflects.
 */
export class DynamoDbLedger implements Ledger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async post(accountId: string, entry: Omit<LedgerEntry, 'entryId' | 'at'> & { at?: Date }, idempotencyKey: string) {
    const at = (entry.at ?? new Date()).toISOString();
    // The entry id is derived from the movement, so every attempt at it writes the same item.
    const entryId = `led_${createHash('sha256').update(`${accountId}|${idempotencyKey}`).digest('hex').slice(0, 24)}`;
    const stored: LedgerEntry = { ...entry, entryId, at };
    const pk = `ACCOUNT#${accountId}`;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk, sk: `REF#${idempotencyKey}`, entryId, at }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: { pk, sk: `ENTRY#${at}#${entryId}`, ...stored } } },
            {
              Update: {
                TableName: this.table,
                Key: balanceKey(accountId),
                UpdateExpression: 'ADD balance :amount SET updatedAt = :at',
                ExpressionAttributeValues: { ':amount': stored.amountMicro, ':at': at },
              },
            },
          ],
        }),
      );
      return { applied: true, entry: stored };
    } catch (error) {
      const guardFailed = error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
      if (!guardFailed) throw error;
      return { applied: false, entry: stored };
    }
  }

  async balance(accountId: string): Promise<number> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: balanceKey(accountId), ConsistentRead: true }));
    return Number(Item?.balance ?? 0);
  }

  /** Newest first; the cursor is the last entry's sort key and only ever addresses this account's entries. */
  async page(accountId: string, options: { limit: number; cursor?: string }): Promise<LedgerPage> {
    const pk = `ACCOUNT#${accountId}`;
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': pk, ':entry': 'ENTRY#' },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? { pk, sk: options.cursor } : undefined,
      }),
    );
    return { entries: (Items ?? []).map(entryOf), nextCursor: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : undefined };
  }

  async all(accountId: string): Promise<LedgerEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':entry': 'ENTRY#' },
    });
    return items.map(entryOf);
  }
}
