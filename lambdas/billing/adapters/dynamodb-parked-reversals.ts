import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../shared/dynamodb-query';
import { ITEMS } from '../../shared/items';
import type { ParkedReversals, PendingReversal } from '../domain/ledger';
import { WEBHOOK_EVENT_TTL_SECONDS } from './dynamodb-webhook-events';

/**
 * Refunds and disputes that arrived before their purchase, as `PAYMENT#<payment intent>/PENDING#<event>`
 * in the webhookEvents table, expiring with the event records (30 days: Stripe retries an event for
 * three days and lets it be resent for 30, so a purchase that has not landed by then never will).
 * Items parked in the ledger table, where they were kept with no expiry before, are still read and
 * removed, so none parked before a deploy is lost.
 */
export class DynamoDbParkedReversals implements ParkedReversals {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { webhookEvents: string; ledger: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add(paymentIntentId: string, pending: PendingReversal): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.webhookEvents,
        Item: {
          ...ITEMS.pendingReversal.key({ paymentIntentId, eventId: pending.eventId }),
          ...pending,
          expiresAt: Math.floor(this.now().getTime() / 1000) + WEBHOOK_EVENT_TTL_SECONDS,
        },
      }),
    );
  }

  async of(paymentIntentId: string): Promise<PendingReversal[]> {
    const found = await Promise.all(
      [this.tables.webhookEvents, this.tables.ledger].map((table) =>
        queryAll(this.client, {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pending)',
          ExpressionAttributeValues: { ':pk': ITEMS.pendingReversal.pk({ paymentIntentId }), ':pending': ITEMS.pendingReversal.skPrefix },
          ConsistentRead: true,
        }),
      ),
    );
    // TTL deletes within days of expiry, not at once: an expired item is no longer parked.
    const nowSeconds = this.now().getTime() / 1000;
    return found
      .flat()
      .filter((item) => Number(item.expiresAt ?? Number.POSITIVE_INFINITY) > nowSeconds)
      .map(({ pk: _pk, sk: _sk, expiresAt: _expires, ...pending }) => pending as unknown as PendingReversal);
  }

  async remove(paymentIntentId: string, eventId: string): Promise<void> {
    const key = ITEMS.pendingReversal.key({ paymentIntentId, eventId });
    await Promise.all(
      [this.tables.webhookEvents, this.tables.ledger].map((table) => this.client.send(new DeleteCommand({ TableName: table, Key: key }))),
    );
  }
}
