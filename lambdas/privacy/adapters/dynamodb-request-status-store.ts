import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type RequestStatus, type RequestStatusStore, RequestNotFoundError } from '../domain/request-status';

/** Privacy requests live at `REQUEST#<id>`; each status change is appended to `history`. */
export class DynamoDbRequestStatusStore implements RequestStatusStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async setStatus(requestId: string, status: RequestStatus, at: string, expiresAt?: number): Promise<void> {
    const expiry = expiresAt === undefined ? '' : ', expiresAt = :expires';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `REQUEST#${requestId}`, sk: 'REQUEST' },
          UpdateExpression: `SET #status = :status, updatedAt = :at, history = list_append(if_not_exists(history, :empty), :entry)${expiry}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': at,
            ':empty': [],
            ':entry': [{ status, at }],
            ...(expiresAt === undefined ? {} : { ':expires': expiresAt }),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new RequestNotFoundError(requestId);
      throw error;
    }
  }
}
