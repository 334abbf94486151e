import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookEventLog } from '../domain/ports';
import { ITEMS } from '../../shared/items';

/** Handled Stripe events are kept 30 days: far past Stripe's 3 days of retries. */
export const WEBHOOK_EVENT_TTL_SECONDS = 30 * 24 * 3600;

/** `EVENT#<id>` in the webhookEvents table, expiring through TTL. */
export class DynamoDbWebhookEvents implements WebhookEventLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async wasProcessed(eventId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: ITEMS.webhookEvent.key({ eventId }), ConsistentRead: true }),
    );
    return Boolean(Item);
  }

  async markProcessed(event: { id: string; type: string; customerId?: string; outcome: string }, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...ITEMS.webhookEvent.key({ eventId: event.id }),
          ...event,
          processedAt: at.toISOString(),
          expiresAt: Math.floor(at.getTime() / 1000) + WEBHOOK_EVENT_TTL_SECONDS,
        },
      }),
    );
  }
}
