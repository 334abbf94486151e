import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { itemTypeOf } from '../../lambdas/shared/items';
import { TABLE_SPECS, type TableName } from '../../lambdas/shared/tables';

/**
 * Every stored item (of a local run's tables, named as the local runtime names them) that no item
 * type in lambdas/shared/items.ts recognises, as `table: pk / sk`. A key written by hand somewhere,
 * or an item type added without declaring it, shows here.
 */
export async function unrecognisedItems(dynamo: DynamoDBDocumentClient): Promise<string[]> {
  const unknown: string[] = [];
  for (const table of Object.keys(TABLE_SPECS) as TableName[]) {
    let start: ScanCommandInput['ExclusiveStartKey'];
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: table, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) if (!itemTypeOf(table, item)) unknown.push(`${table}: ${String(item.pk)} / ${String(item.sk)}`);
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return unknown;
}
