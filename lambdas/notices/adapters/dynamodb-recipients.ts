import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TopicPreference } from '../../shared/notice-topics';
import type { Recipient, RecipientReader } from '../domain/model';
import { ITEMS } from '../../shared/items';

const profileKey = (accountId: string) => ITEMS.account.key({ accountId });

/** The fields of an account item (`ACCOUNT#<id>/PROFILE`) a notice decision reads. */
export function recipientOf(item: Record<string, unknown>): Recipient {
  return {
    accountId: String(item.accountId),
    email: String(item.email),
    name: String(item.name ?? ''),
    emailVerified: item.emailVerified === true,
    plan: String(item.plan ?? 'free'),
    preferences: (item.preferences as Record<string, unknown> | undefined) ?? {},
  };
}

/** Recipients read from the accounts table; the one preference an unsubscribe link may switch off. */
export class DynamoDbRecipients implements RecipientReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(accountId: string): Promise<Recipient | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: profileKey(accountId),
        ProjectionExpression: 'accountId, email, #n, emailVerified, #p, preferences',
        ExpressionAttributeNames: { '#n': 'name', '#p': 'plan' },
      }),
    );
    return Item ? recipientOf(Item) : undefined;
  }

  /** Switches one topic's preference off; what it was before, or undefined when the account is gone. */
  async switchOff(accountId: string, preference: TopicPreference, at: string): Promise<{ before: unknown } | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: profileKey(accountId),
          UpdateExpression: 'SET preferences.#p = :off, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_exists(preferences)',
          ExpressionAttributeNames: { '#p': preference },
          ExpressionAttributeValues: { ':off': false, ':at': at },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { before: (Attributes?.preferences as Record<string, unknown> | undefined)?.[preference] };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
