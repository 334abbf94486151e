import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyLookup, StoredKey } from '../domain/keys';
import { ITEMS } from '../../shared/items';

/** Reads the `SECRET#<hash>` copy of a key that the accounts context writes beside the owner's copy. */
export class DynamoDbKeyLookup implements KeyLookup {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getBySecretHash(secretHash: string): Promise<StoredKey | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: ITEMS.apiKeyLookup.key({ secretHash }),
        ProjectionExpression: 'accountId, keyId, #plan, #status, graceUntil, suspended',
        ExpressionAttributeNames: { '#plan': 'plan', '#status': 'status' },
        // Only on a cache miss: an eventually consistent read could bring a revoked key back for a whole window.
        ConsistentRead: true,
      }),
    );
    return Item as StoredKey | undefined;
  }
}
