import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { totalBalance } from '../../shared/adapters/dynamodb-balance';
import { queryAll } from '../../shared/dynamodb-query';
import type { PaidCredits } from '../domain/ports';

/**
 * The paid credits an account still holds, from the ledger: what its purchases credited and kept
 * (less refunds, lost and open disputes), capped by the balance — calls spend credits without saying
 * whose, so what is left is counted as paid first, the way a holder would count it.
 */
export class DynamoDbPaidCredits implements PaidCredits {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  async remainingMicro(accountId: string): Promise<number> {
    const [balance, purchases] = await Promise.all([
      totalBalance(this.client, this.ledgerTable, accountId),
      queryAll(this.client, {
        TableName: this.ledgerTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :purchase)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':purchase': 'PURCHASE#' },
        ConsistentRead: true,
      }),
    ]);
    const kept = purchases.reduce(
      (sum, p) => sum + Number(p.creditsMicro ?? 0) - Number(p.clawedBackMicro ?? 0) - Number(p.heldMicro ?? 0),
      0,
    );
    return Math.max(0, Math.min(balance, kept));
  }
}
