import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Correctable, Corrections, ProfileCorrector } from '../domain/correction';
import { ITEMS } from '../../shared/items';

/** The name and the `profile` map on the account item (`ACCOUNT#<id>/PROFILE`), as PATCH /v1/account writes them. */
export class DynamoDbProfileCorrector implements ProfileCorrector {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async apply(accountId: string, changes: Corrections): Promise<Corrections> {
    const key = ITEMS.account.key({ accountId });
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: key,
        ProjectionExpression: '#name, profile, updatedAt',
        ExpressionAttributeNames: { '#name': 'name' },
        ConsistentRead: true,
      }),
    );
    if (!Item) throw new Error(`Account ${accountId} is gone`);
    const profile = { ...(Item.profile as Record<string, string> | undefined) };
    const before: Corrections = { name: Item.name as string | undefined, ...profile };
    for (const field of Object.keys(changes) as Correctable[]) if (field !== 'name') profile[field] = changes[field]!;
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        // The whole profile map at once (it may not exist yet); guarded, so a change made meanwhile is never overwritten.
        UpdateExpression: `SET profile = :profile, updatedAt = :at${changes.name ? ', #name = :name' : ''}`,
        ConditionExpression: Item.updatedAt === undefined ? 'attribute_not_exists(updatedAt)' : 'updatedAt = :seen',
        ExpressionAttributeNames: changes.name ? { '#name': 'name' } : undefined,
        ExpressionAttributeValues: {
          ':profile': profile,
          ':at': new Date().toISOString(),
          ...(changes.name ? { ':name': changes.name } : {}),
          ...(Item.updatedAt === undefined ? {} : { ':seen': Item.updatedAt }),
        },
      }),
    );
    return before;
  }

  async askEmailChange(accountId: string, email: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: ITEMS.account.key({ accountId }),
        UpdateExpression: 'SET emailChangeTo = :email',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':email': email },
      }),
    );
  }
}
