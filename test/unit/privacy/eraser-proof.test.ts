import { S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbEraser } from '../../../lambdas/privacy/adapters/dynamodb-eraser';
import type { ProofPosition } from '../../../lambdas/privacy/domain/erasure';
import { HmacPseudonymiser } from '../../../lambdas/shared/pseudonyms';
import { TABLE_SPECS, type TableName } from '../../../lambdas/shared/tables';
import type { UsageLogStore } from '../../../lambdas/shared/usage-logs';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** The proof's re-scan, a bounded part per workflow step, against DynamoDB's protocol (dynalite). */
describe('the erasure proof', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const subject = { accountId: 'acc_gone', email: 'gone@example.org', emailSince: '2026-01-01T00:00:00Z' };
  const eraser = (pagesPerStep: number) =>
    new DynamoDbEraser(
      dynamo.client,
      Object.fromEntries(Object.keys(TABLE_SPECS).map((t) => [t, t])) as Record<TableName, string>,
      { any: async () => false } as unknown as UsageLogStore,
      new S3Client({ region: 'us-east-1' }),
      { inboundMail: 'mail', exports: 'exports' },
      async () => undefined,
      new HmacPseudonymiser(async () => JSON.stringify({ current: 1, k1: 'k'.repeat(43) })),
      pagesPerStep,
    );
  /** Calls the proof step after step, as the workflow does, until it has looked everywhere. */
  const proveAll = async (pagesPerStep: number) => {
    const found: string[] = [];
    let next: ProofPosition | undefined;
    let steps = 0;
    do {
      const part = await eraser(pagesPerStep).traces(subject, { requestId: 'prq_self' }, next);
      found.push(...part.found);
      next = part.next;
      steps++;
    } while (next);
    return { found, steps };
  };

  it('looks at every table a page budget at a time, and finds what was left in the last one', async () => {
    await dynamo.client.send(
      new PutCommand({
        TableName: 'tickets',
        Item: { pk: 'TICKET#t1', sk: 'TICKET', from: subject.email, receivedAt: '2026-06-01T00:00:00Z' },
      }),
    );
    await dynamo.client.send(
      new PutCommand({ TableName: 'accounts', Item: { pk: 'ACCOUNT#acc_other', sk: 'PROFILE', email: 'other@example.org' } }),
    );
    const paged = await proveAll(1);
    expect(paged.steps).toBeGreaterThan(5);
    expect(paged.found).toEqual(['tickets: TICKET#t1 holds the email']);
    const whole = await proveAll(1_000);
    expect(whole).toEqual({ found: paged.found, steps: 1 });
  });

  it("skips the deletion request's own record and mail from before the account held the address", async () => {
    await dynamo.client.send(
      new PutCommand({ TableName: 'privacyRequests', Item: { pk: 'REQUEST#prq_self', sk: 'REQUEST', accountId: subject.accountId } }),
    );
    await dynamo.client.send(
      new PutCommand({
        TableName: 'tickets',
        Item: { pk: 'TICKET#old', sk: 'TICKET', from: subject.email, receivedAt: '2025-06-01T00:00:00Z' },
      }),
    );
    expect((await proveAll(2)).found).toEqual(['tickets: TICKET#t1 holds the email']);
  });
});
