import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Ticket, TicketStore } from '../domain/inbound';
import { ITEMS } from '../../shared/items';

const key = (ticketId: string) => ITEMS.ticket.key({ ticketId });

/** Tickets in the `tickets` table; `gsi1` lists a sender's tickets (what export and erasure find them by). */
export class DynamoDbTicketStore implements TicketStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createIfAbsent(ticket: Ticket): Promise<Ticket> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(ticket.ticketId), gsi1pk: ITEMS.ticket.gsi1pk({ email: ticket.from }), gsi1sk: ticket.receivedAt, ...ticket },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return ticket;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key(ticket.ticketId), ConsistentRead: true }),
      );
      const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...stored } = existing.Item ?? {};
      return stored as Ticket;
    }
  }

  async markAcknowledged(ticketId: string, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(ticketId),
        UpdateExpression: 'SET acknowledgedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}
