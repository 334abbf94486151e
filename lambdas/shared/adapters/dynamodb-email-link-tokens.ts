import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailLinkToken, EmailLinkTokens } from '../email-links';

/** Email link tokens at `TOKEN#<hash>/TOKEN` in the tokens table, expiring through TTL (`expiresAt`). */
export class DynamoDbEmailLinkTokens implements EmailLinkTokens {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly table: string,
  ) {}

  async put(token: EmailLinkToken): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { pk: `TOKEN#${token.tokenHash}`, sk: 'TOKEN', ...token } }));
  }
}
