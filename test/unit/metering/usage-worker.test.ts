import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { decodeLogs } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../../helpers/http-events';

const ddb = mockClient(DynamoDBDocumentClient);

const event = (requestId: string) => ({
  v: 1,
  requestId,
  accountId: 'acc_1',
  keyId: 'key_1',
  product: 'echo',
  method: 'GET',
  path: '/x',
  status: 200,
  outcome: 'ok',
  priceMicroCredits: 1,
  latencyMs: 1,
  requestBytes: 0,
  responseBytes: 1,
  ip: '1.1.1.1',
  userAgent: 'ua',
  at: '2026-03-01T10:00:00.000Z',
});
const record = (messageId: string, body: string) => ({
  messageId,
  body,
  receiptHandle: messageId,
  attributes: {},
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn',
  awsRegion: 'us-east-1',
});

describe('usage worker', () => {
  let handler: (event: SQSEvent, context: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  beforeAll(() => {
    Object.assign(process.env, {
      TABLE_USAGE_LOGS: 'logs',
      TABLE_USAGE_AGGREGATES: 'aggs',
      TABLE_LEDGER: 'ledger',
      TABLE_ACCOUNTS: 'accounts',
      TABLE_SECURITY_EVENTS: 'securityEvents',
      KEY_ADDRESSES_PER_HOUR: '50',
      SUSPEND_ON_MANY_ADDRESSES: 'false',
      MAIL_FROM: 'no-reply@omnapi.test',
      PUBLIC_URL: 'https://console.omnapi.test',
    });
    handler = require('../../../lambdas/metering/handlers/usage-worker').handler;
  });
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { preferences: { analytics: true } } });
    ddb.on(TransactWriteCommand).resolves({});
  });

  it('reports only the poison messages of a batch as failed', async () => {
    const result = await handler(
      {
        Records: [
          record('m1', JSON.stringify(event('r1'))),
          record('m2', '{not json'),
          record('m3', JSON.stringify({ ...event('r3'), status: 'x' })),
          record('m4', JSON.stringify(event('r4'))),
        ],
      } as SQSEvent,
      lambdaContext,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }]);
    const written = ddb
      .commandCalls(TransactWriteCommand)
      .flatMap((c) =>
        c.args[0].input
          .TransactItems!.filter((i) => i.Put)
          .flatMap((i) => decodeLogs(i.Put!.Item!.d as Uint8Array).map((log) => log.requestId)),
      );
    expect(written.sort()).toEqual(['r1', 'r4']);
  });

  it('acknowledges without recording the events of an account that is erased or being erased, and records the rest of the batch', async () => {
    ddb.on(GetCommand).callsFake((input) => {
      const pk = String(input.Key.pk);
      if (pk === 'ACCOUNT#acc_gone') return { Item: undefined };
      if (pk === 'ACCOUNT#acc_erasing') return { Item: { pk, preferences: { analytics: true }, erasingSince: '2026-03-01T09:59:00.000Z' } };
      return { Item: { pk, preferences: { analytics: true } } };
    });
    const result = await handler(
      {
        Records: [
          record('m1', JSON.stringify({ ...event('r1'), accountId: 'acc_gone' })),
          record('m2', JSON.stringify({ ...event('r2'), accountId: 'acc_erasing', outcome: 'refunded', status: 502 })),
          record('m3', JSON.stringify(event('r3'))),
        ],
      } as SQSEvent,
      lambdaContext,
    );
    expect(result.batchItemFailures).toEqual([]);
    const items = ddb.commandCalls(TransactWriteCommand).flatMap((c) => c.args[0].input.TransactItems!);
    // Only acc_1's call: no log, rollup, refund or balance of the other two accounts.
    expect(JSON.stringify(items)).not.toMatch(/acc_gone|acc_erasing/);
    expect(
      items.filter((i) => i.Put?.Item?.d).flatMap((i) => decodeLogs(i.Put!.Item!.d as Uint8Array).map((log) => log.requestId)),
    ).toEqual(['r3']);
  });

  it('fails the whole invocation when nothing could be written, so SQS delivers every record again', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(new Error('throttled')).resolves({});
    await expect(
      handler(
        { Records: [record('m1', JSON.stringify(event('r1'))), record('m2', JSON.stringify(event('r2')))] } as SQSEvent,
        lambdaContext,
      ),
    ).rejects.toThrow(/All records failed/);
    const again = await handler(
      { Records: [record('m1', JSON.stringify(event('r1'))), record('m2', JSON.stringify(event('r2')))] } as SQSEvent,
      lambdaContext,
    );
    expect(again.batchItemFailures).toEqual([]);
  });
});
