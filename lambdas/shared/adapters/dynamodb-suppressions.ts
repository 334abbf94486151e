import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Suppression, type SuppressionList, suppressionKeyOf } from '../suppressions';
import { ITEMS } from '../items';

const key = (address: string) => ITEMS.suppression.key({ digest: suppressionKeyOf(address) });

/** The suppression list in its own table: `ADDRESS#<sha256 of the address>` / `SUPPRESSION`, never expiring. */
export class DynamoDbSuppressionList implements SuppressionList {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isSuppressed(address: string): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: key(address), ProjectionExpression: 'pk' }));
    return Item !== undefined;
  }

  async suppress(address: string, entry: Suppression): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.table, Item: { ...key(address), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** What a mail-sending function was bound to (`bindMailSender`): the suppression list and SES configuration set, when set. */
export async function mailDeliveryFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ suppressions?: SuppressionList; configurationSet?: string }> {
  const table = env.TABLE_SUPPRESSIONS;
  const suppressions = table ? new DynamoDbSuppressionList((await import('../clients/dynamodb')).dynamo, table) : undefined;
  return { suppressions, configurationSet: env.MAIL_CONFIGURATION_SET || undefined };
}
