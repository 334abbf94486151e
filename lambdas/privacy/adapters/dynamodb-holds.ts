import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { totalBalance } from '../../shared/adapters/dynamodb-balance';
import { queryAll } from '../../shared/dynamodb-query';
import { HOLD_REASONS, type HoldChecks } from '../domain/erasure';
import { ITEMS } from '../../shared/items';

/**
 * Why an account may not be erased now: a dispute still open on one of its purchases, a negative
 * balance (money owed), or a legal hold ops placed (`HOLD#<account>` in privacyRequests).
 */
export class DynamoDbHolds implements HoldChecks {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { ledger: string; privacyRequests: string },
  ) {}

  async reasons(accountId: string): Promise<string[]> {
    const reasons: string[] = [];
    const { Item: hold } = await this.client.send(
      new GetCommand({ TableName: this.tables.privacyRequests, Key: ITEMS.legalHold.key({ accountId }), ConsistentRead: true }),
    );
    if (hold) reasons.push(`${HOLD_REASONS.legal} ${hold.reason}`);
    if ((await totalBalance(this.client, this.tables.ledger, accountId)) < 0) reasons.push(HOLD_REASONS.negativeBalance);
    const purchases = await queryAll(this.client, {
      TableName: this.tables.ledger,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :purchase)',
      ExpressionAttributeValues: { ':pk': ITEMS.purchase.pk({ accountId }), ':purchase': ITEMS.purchase.skPrefix },
      ConsistentRead: true,
    });
    if (purchases.some((p) => Object.values((p.disputes ?? {}) as Record<string, { status: string }>).some((d) => d.status === 'open')))
      reasons.push(HOLD_REASONS.dispute);
    return [...new Set(reasons)];
  }

  async set(accountId: string, reason: string, by: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.privacyRequests,
        Item: { ...ITEMS.legalHold.key({ accountId }), accountId, reason, by, at: new Date().toISOString() },
      }),
    );
  }

  async clear(accountId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tables.privacyRequests, Key: ITEMS.legalHold.key({ accountId }) }));
  }
}
