import { DynamoDBClient, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLedger } from '../../../lambdas/billing/adapters/dynamodb-ledger';
import { ConflictError } from '../../../lambdas/shared/errors';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const noPause = async () => undefined;

/** DynamoDB's answer when another transaction (a second webhook event, an operator's grant) holds an item of ours. */
const conflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }],
  });

const purchase = { type: 'purchase' as const, amountMicro: 1_000_000_000, reason: 'Bought Starter', ref: 'pi_1' };

describe('DynamoDbLedger when another transaction holds the balance', () => {
  beforeEach(() => ddb.reset());

  it('tries the movement again instead of failing: two events of one account at once both land', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(conflict()).resolves({});
    const ledger = new DynamoDbLedger(client, 'ledger', noPause);
    await expect(ledger.post('acc_1', purchase, 'purchase:cs_1')).resolves.toMatchObject({ outcome: 'applied' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('answers a lasting conflict as a conflict (409, retried by Stripe), not as a failure of ours', async () => {
    ddb.on(TransactWriteCommand).rejects(conflict());
    const ledger = new DynamoDbLedger(client, 'ledger', noPause);
    const attempt = ledger.post('acc_1', purchase, 'purchase:cs_1');
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'ledger_busy' });
    expect(ddb.commandCalls(TransactWriteCommand).length).toBeGreaterThan(1);
  });

  it('still tells a duplicate from a conflict: a movement posted before is not retried', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    );
    const ledger = new DynamoDbLedger(client, 'ledger', noPause);
    await expect(ledger.post('acc_1', purchase, 'purchase:cs_1')).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('reads a purchase held by a transaction as changed (read again), not as a failure', async () => {
    ddb.on(UpdateCommand).rejects(new TransactionConflictException({ message: 'busy', $metadata: {} }));
    const ledger = new DynamoDbLedger(client, 'ledger', noPause);
    const write = { kind: 'update' as const, paymentIntentId: 'pi_1', expectVersion: 2, changes: { heldMicro: 0 } };
    await expect(ledger.updatePurchase('acc_1', write)).resolves.toBe('stale');
  });
});
