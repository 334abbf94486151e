import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { sha256 } from '../../../lambdas/shared/crypto';
import { DEFAULT_CATALOG } from '../../../lambdas/metering/catalog';
import { httpEvent, lambdaContext } from '../../helpers/http-events';

const SECRET = `omn_live_${'b'.repeat(43)}`;
const dynamo = mockClient(DynamoDBDocumentClient);
const dynamoRaw = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);

describe('metered request: synchronous AWS calls', () => {
  let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
  const fetchSpy = jest.fn(async () => new Response('{"echo":true}', { status: 200, headers: { 'content-type': 'application/json' } }));

  beforeAll(() => {
    Object.assign(process.env, {
      TABLE_API_KEYS: 'apiKeys',
      TABLE_LEDGER: 'ledger',
      TABLE_USAGE_LOGS: 'usageLogs',
      TABLE_ACCOUNTS: 'accounts',
      QUEUE_USAGE_URL: 'https://sqs.local/000/usage',
      CATALOG: JSON.stringify(DEFAULT_CATALOG),
      BUILTIN_ECHO_URL: 'https://api.local/v1/demo/echo',
      KEY_CACHE_SECONDS: '10',
    });
    global.fetch = fetchSpy as unknown as typeof fetch;
    handler = require('../../../lambdas/metering/handlers/gateway').handler;
  });

  beforeEach(() => {
    dynamo.reset();
    dynamoRaw.reset();
    sqs.reset();
    dynamo.on(GetCommand, { Key: { pk: `SECRET#${sha256(SECRET)}`, sk: 'SECRET' } }).resolves({
      Item: { keyId: 'key_1', accountId: 'acc_1', plan: 'free', status: 'active' },
    });
    // The balance item as the admit write found it: the account called a moment ago, so the call is queued.
    dynamo.on(UpdateCommand).resolves({ Attributes: { balance: 6_000_000, seq: 7, lastCallAt: new Date().toISOString() } });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  });

  const call = () =>
    handler(
      {
        ...httpEvent({ method: 'GET', path: '/v1/api/echo/x', headers: { authorization: `Bearer ${SECRET}` } }),
        pathParameters: { product: 'echo', proxy: 'x' },
        routeKey: 'ANY /v1/api/{product}/{proxy+}',
      },
      lambdaContext,
    );

  it('makes one key lookup (then cached), exactly one conditional write and one SQS message', async () => {
    expect((await call()).statusCode).toBe(200);
    expect(dynamo.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetCommand', 'UpdateCommand']);
    expect(sqs.calls().map((c) => c.args[0].constructor.name)).toEqual(['SendMessageCommand']);
    expect(dynamoRaw.calls()).toHaveLength(0);

    dynamo.resetHistory();
    sqs.resetHistory();
    expect((await call()).statusCode).toBe(200);
    expect(dynamo.calls().map((c) => c.args[0].constructor.name)).toEqual(['UpdateCommand']);
    expect(sqs.calls()).toHaveLength(1);

    const update = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk: 'ACCOUNT#acc_1', sk: 'BALANCE' });
    expect(update.ConditionExpression).toBe('balance >= :price AND (attribute_not_exists(#win) OR #win < :limit)');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':price': 1_000_000, ':limit': 600 });
    const message = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(message).toMatchObject({ v: 1, accountId: 'acc_1', keyId: 'key_1', product: 'echo', status: 200, outcome: 'ok' });
    expect(JSON.stringify(message)).not.toContain(SECRET);
  });

  it("records a lone call (after ten minutes of silence) in its slot itself: the notice's state from the admit write, the settings read, one slot write, no SQS message", async () => {
    const quiet = new Date(Date.now() - 11 * 60_000).toISOString();
    dynamo
      .on(UpdateCommand, { TableName: 'ledger' })
      .resolves({ Attributes: { balance: 6_000_000, seq: 7, lastCallAt: quiet, noticeArmed: true } });
    dynamo.on(GetCommand, { TableName: 'accounts' }).resolves({ Item: { pk: 'ACCOUNT#acc_1', email: 'a@example.com', preferences: {} } });
    dynamo.on(GetCommand, { TableName: 'ledger' }).resolves({});
    dynamo.on(BatchGetCommand).resolves({ Responses: { usageLogs: [] } });
    dynamo.on(UpdateCommand, { TableName: 'usageLogs' }).resolves({});
    const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect((await call()).statusCode).toBe(200);
    } finally {
      log.mockRestore();
    }
    expect(sqs.calls()).toHaveLength(0);
    const calls = dynamo.calls().map((c) => `${c.args[0].constructor.name} ${(c.args[0].input as { TableName?: string }).TableName ?? ''}`);
    expect(calls).toEqual([
      // The admit write, which returns the low-balance notice's state with the balance item.
      'UpdateCommand ledger',
      'GetCommand accounts',
      'UpdateCommand usageLogs',
      // The week's sweep-list entry, once per container and account-week: looked for, then made.
      'BatchGetCommand ',
      'UpdateCommand usageLogs',
    ]);
    expect(dynamo.commandCalls(UpdateCommand, { TableName: 'usageLogs' })[1]!.args[0].input.Key).toMatchObject({
      pk: expect.stringMatching(/^SWEEP#W#/),
    });
    const slot = dynamo.commandCalls(UpdateCommand, { TableName: 'usageLogs' })[0]!.args[0].input;
    expect(slot.Key).toMatchObject({ pk: expect.stringContaining('acc_1') });
    expect(JSON.stringify(slot)).not.toContain(SECRET);
  });

  it('answers a failure of its own with the platform error shape and headers, never its internals', async () => {
    dynamo
      .on(UpdateCommand)
      .rejects(
        Object.assign(new Error('ProvisionedThroughputExceeded at arn:aws:dynamodb:…:table/ledger'), { name: 'InternalServerError' }),
      );
    const response = (await call()) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(response.body).not.toMatch(/arn:aws|ledger|Throughput/);
    expect(response.headers).toMatchObject({
      'content-type': expect.stringContaining('application/json'),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
  });
});
