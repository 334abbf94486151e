import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailLinkToken, EmailLinkTokens } from '../email-links';
import { ITEMS } from '../items';

/** Email link tokens at `TOKEN#<hash>/TOKEN` in the tokens table, expiring through TTL (`expiresAt`). */
export class DynamoDbEmailLinkTokens implements EmailLinkTokens {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly table: string,
  ) {}

  async put(token: EmailLinkToken): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { ...ITEMS.emailLink.key({ tokenHash: token.tokenHash }), ...token } }),
    );
  }
}
