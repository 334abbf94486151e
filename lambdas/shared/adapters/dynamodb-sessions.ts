import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../dynamodb-query';
import { ITEMS } from '../items';

/** What names a session's two items. */
export interface SessionRef {
  accountId: string;
  sessionId: string;
  tokenHash: string;
}

/** The keys of a session's two items: the lookup copy a request resolves its token with, and the account's own copy. */
export function sessionKeys(session: SessionRef): { pk: string; sk: string }[] {
  return [
    ITEMS.session.key({ tokenHash: session.tokenHash }),
    ITEMS.accountSession.key({ accountId: session.accountId, sessionId: session.sessionId }),
  ];
}

/**
 * Every session of an account as stored, for whoever lists or ends them (the accounts context, the
 * eraser, the export): the account's own copies, read with a strongly consistent query, so a session
 * opened a moment ago is among them; and the lookup copies of sessions opened before the accounts
 * context wrote its own copies, found only through `gsi1` (eventually consistent, but none of them was
 * opened after the deploy that brought the account's copies, so the index's lag no longer hides one).
 */
export async function accountSessionItems(
  client: DynamoDBDocumentClient,
  table: string,
  accountId: string,
): Promise<(SessionRef & Record<string, unknown>)[]> {
  const [own, older] = await Promise.all([
    queryAll(client, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :session)',
      ExpressionAttributeValues: { ':pk': ITEMS.accountSession.pk({ accountId }), ':session': ITEMS.accountSession.skPrefix },
      ConsistentRead: true,
    }),
    queryAll(client, {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': ITEMS.session.gsi1pk({ accountId }) },
    }),
  ]);
  // The lookup copies written with the account's copies carry no gsi1pk: `older` holds none of `own`.
  return [...own, ...older] as (SessionRef & Record<string, unknown>)[];
}
