import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../shared/dynamodb-query';
import { balanceKey } from './dynamodb-meter';

export type LedgerEntryType = 'grant' | 'purchase' | 'refund' | 'clawback';

export interface LedgerEntry {
  entryId: string;
  type: LedgerEntryType;
  /** Positive adds credit, negative takes it away. */
  amountMicro: number;
  reason: string;
  /** What it answers to: a Stripe event, a request id, an operator. */
  ref?: string;
  at: string;
}

/**
 * The append-only credit ledger: entries at `ACCOUNT#<id>/ENTRY#<at>#<type>#<id>`, and the running
 * balance at `ACCOUNT#<id>/BALANCE`, changed in the same transaction as the entry it reflects.
 */
export class DynamoDbLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Appends an entry and moves the balance by its amount; the same entryId is applied once. */
  async post(accountId: string, entry: Omit<LedgerEntry, 'entryId' | 'at'> & { entryId?: string; at?: Date }): Promise<LedgerEntry> {
    const stored: LedgerEntry = {
      entryId: entry.entryId ?? randomUUID(),
      type: entry.type,
      amountMicro: entry.amountMicro,
      reason: entry.reason,
      ref: entry.ref,
      at: (entry.at ?? new Date()).toISOString(),
    };
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: { pk: `ACCOUNT#${accountId}`, sk: `ENTRY#${stored.at}#${stored.type}#${stored.entryId}`, ...stored },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: balanceKey(accountId),
              UpdateExpression: 'ADD balance :amount SET updatedAt = :at',
              ExpressionAttributeValues: { ':amount': stored.amountMicro, ':at': stored.at },
            },
          },
        ],
      }),
    );
    return stored;
  }

  async balance(accountId: string): Promise<number> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: balanceKey(accountId), ConsistentRead: true }));
    return Number(Item?.balance ?? 0);
  }

  async entries(accountId: string): Promise<LedgerEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':entry': 'ENTRY#' },
    });
    return items.map(({ pk: _pk, sk: _sk, ...entry }) => entry as unknown as LedgerEntry);
  }
}
