import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Subject, SubjectDirectory } from '../domain/ports';

/** Accounts (accounts table): the email guard `EMAIL#<email>` names the account; `ACCOUNT#<id>/PROFILE` holds it. */
export class DynamoDbSubjects implements SubjectDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async findByEmail(email: string): Promise<Subject | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'EMAIL' }, ConsistentRead: true }));
    return Item ? this.get(String(Item.accountId)) : undefined;
  }

  async get(accountId: string): Promise<Subject | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' },
        ProjectionExpression: 'accountId, email, #name',
        ExpressionAttributeNames: { '#name': 'name' },
        ConsistentRead: true,
      }),
    );
    return Item as Subject | undefined;
  }
}
