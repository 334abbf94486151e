import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BillingAccount, BillingAccounts } from '../domain/ports';
import { ITEMS } from '../../shared/items';

/** The account item (`ACCOUNT#<id>/PROFILE` in the accounts table), read and linked to its Stripe customer. */
export class DynamoDbBillingAccounts implements BillingAccounts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key = (accountId: string) => ITEMS.account.key({ accountId });

  async get(accountId: string): Promise<BillingAccount | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: this.key(accountId),
        ProjectionExpression: 'accountId, email, #name, stripeCustomerId',
        ExpressionAttributeNames: { '#name': 'name' },
        ConsistentRead: true,
      }),
    );
    return Item as BillingAccount | undefined;
  }

  async defaultLowBalance(accountId: string, credits: string): Promise<string | undefined> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId),
          UpdateExpression: 'SET preferences.lowBalanceCredits = :credits',
          // Absent only: null is the holder's "no notice", a string their own threshold.
          ConditionExpression: 'attribute_exists(preferences) AND attribute_not_exists(preferences.lowBalanceCredits)',
          ExpressionAttributeValues: { ':credits': credits },
        }),
      );
      return credits;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.table,
          Key: this.key(accountId),
          ProjectionExpression: 'preferences.lowBalanceCredits',
          ConsistentRead: true,
        }),
      );
      const chosen = (Item?.preferences as { lowBalanceCredits?: unknown } | undefined)?.lowBalanceCredits;
      return typeof chosen === 'string' ? chosen : undefined;
    }
  }

  async linkCustomer(accountId: string, customerId: string): Promise<string> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId),
          UpdateExpression: 'SET stripeCustomerId = :customer',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(stripeCustomerId) OR stripeCustomerId = :customer)',
          ExpressionAttributeValues: { ':customer': customerId },
        }),
      );
      return customerId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const account = await this.get(accountId);
      if (!account?.stripeCustomerId) throw error;
      return account.stripeCustomerId;
    }
  }

  async unlinkCustomer(accountId: string, customerId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId),
          UpdateExpression: 'REMOVE stripeCustomerId',
          ConditionExpression: 'stripeCustomerId = :customer',
          ExpressionAttributeValues: { ':customer': customerId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
