import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OptOuts, PreferenceWriter } from '../domain/objection';
import { ITEMS } from '../../shared/items';

/** The preferences on the account item (`ACCOUNT#<id>/PROFILE`), changed field by field. */
export class DynamoDbPreferences implements PreferenceWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async optOut(accountId: string, optOuts: OptOuts): Promise<void> {
    const fields = Object.keys(optOuts);
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: ITEMS.account.key({ accountId }),
        UpdateExpression: `SET ${fields.map((_, i) => `preferences.#f${i} = :off`).join(', ')}, updatedAt = :at`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(fields.map((f, i) => [`#f${i}`, f])),
        ExpressionAttributeValues: { ':off': false, ':at': new Date().toISOString() },
      }),
    );
  }
}
