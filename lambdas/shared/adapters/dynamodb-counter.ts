import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WindowCounter } from '../throttle';

/** Counters at `THROTTLE#<key>/W#<windowStart>` in a table with the `expiresAt` TTL. */
export class DynamoDbWindowCounter implements WindowCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async count(key: string, windowStart: number): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: `THROTTLE#${key}`, sk: `W#${windowStart}` }, ConsistentRead: true }),
    );
    return Number(Item?.count ?? 0);
  }

  async increment(key: string, windowStart: number, expiresAt: number): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `THROTTLE#${key}`, sk: `W#${windowStart}` },
        UpdateExpression: 'ADD #count :one SET expiresAt = :expires',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expires': expiresAt },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.count ?? 1);
  }

  async release(key: string, windowStart: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `THROTTLE#${key}`, sk: `W#${windowStart}` },
          UpdateExpression: 'ADD #count :minus',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      // Nothing left to give back (the window ended and the counter expired, or it was reset).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async reset(key: string, windowStart: number): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: `THROTTLE#${key}`, sk: `W#${windowStart}` } }));
  }
}
