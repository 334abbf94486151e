import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ScryptHasher } from '../../shared/adapters/scrypt-hasher';
import type { Subject, SubjectDirectory } from '../domain/ports';
import { ITEMS } from '../../shared/items';
import { normaliseEmail } from '../../shared/email-address';

/** Accounts (accounts table): the email guard `EMAIL#<email>` names the account; `ACCOUNT#<id>/PROFILE` holds it. */
export class DynamoDbSubjects implements SubjectDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly hasher: Pick<ScryptHasher, 'verify'> = new ScryptHasher(),
  ) {}

  async findByEmail(email: string): Promise<Subject | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: ITEMS.emailGuard.key({ email: normaliseEmail(email) }), ConsistentRead: true }),
    );
    return Item ? this.get(String(Item.accountId)) : undefined;
  }

  async get(accountId: string): Promise<Subject | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: ITEMS.account.key({ accountId }),
        ProjectionExpression: 'accountId, email, #name, profile.country, preferences.#locale',
        ExpressionAttributeNames: { '#name': 'name', '#locale': 'locale' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const country = (Item.profile as { country?: string } | undefined)?.country;
    const locale = (Item.preferences as { locale?: string } | undefined)?.locale;
    return {
      accountId: String(Item.accountId),
      email: String(Item.email),
      name: String(Item.name),
      ...(country ? { country } : {}),
      ...(locale ? { locale } : {}),
    };
  }

  async passwordMatches(accountId: string, password: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: ITEMS.account.key({ accountId }),
        ProjectionExpression: 'passwordHash',
        ConsistentRead: true,
      }),
    );
    // A missing hash still costs a full check (the hasher's decoy): the answer's timing tells nothing.
    return this.hasher.verify(password, typeof Item?.passwordHash === 'string' ? Item.passwordHash : undefined);
  }
}
