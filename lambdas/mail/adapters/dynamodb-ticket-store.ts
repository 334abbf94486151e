import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Ticket, TicketReply, TicketStore } from '../domain/inbound';
import { ITEMS } from '../../shared/items';

const key = (ticketId: string) => ITEMS.ticket.key({ ticketId });
const ticketOf = (item: Record<string, unknown>): Ticket => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...stored } = item;
  return stored as unknown as Ticket;
};

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
      return (await this.get(ticket.ticketId))!;
    }
  }

  async claimAcknowledgement(ticketId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(ticketId),
          UpdateExpression: 'SET acknowledgedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(acknowledgedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseAcknowledgement(ticketId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(ticketId),
        UpdateExpression: 'REMOVE acknowledgedAt',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async get(ticketId: string): Promise<Ticket | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key(ticketId), ConsistentRead: true }));
    return Item ? ticketOf(Item) : undefined;
  }

  /**
   * Every ticket, a scan page at a time (the table also holds the answer counters, which are skipped):
   * for operators' lists, which report `progress` with the items read so far.
   */
  async *all(progress?: (read: number) => void): AsyncGenerator<Ticket> {
    let start: Record<string, unknown> | undefined;
    let read = 0;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :ticket',
          ExpressionAttributeValues: { ':ticket': 'TICKET' },
          ExclusiveStartKey: start,
        }),
      );
      read += page.ScannedCount ?? 0;
      progress?.(read);
      for (const item of page.Items ?? []) yield ticketOf(item);
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Appends a sent reply; a closed ticket is opened again, since its sender has a new message to answer. */
  async addReply(ticketId: string, reply: TicketReply): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(ticketId),
        UpdateExpression: 'SET replies = list_append(if_not_exists(replies, :none), :reply), #status = :open REMOVE closedAt, closedBy',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :quarantined',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':none': [], ':reply': [reply], ':open': 'open', ':quarantined': 'quarantined' },
      }),
    );
  }

  /** Closes the ticket; false when it was closed already (nothing changes). */
  async close(ticketId: string, by: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(ticketId),
          UpdateExpression: 'SET #status = :closed, closedAt = :at, closedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :closed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':at': at, ':by': by },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
