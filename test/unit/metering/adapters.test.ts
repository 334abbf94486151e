import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CachedKeyResolver } from '../../../lambdas/metering/adapters/cached-key-resolver';
import { DynamoDbMeter } from '../../../lambdas/metering/adapters/dynamodb-meter';
import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const at = new Date('2026-03-01T10:05:10Z');
const minute = Math.floor(at.getTime() / 60_000);

describe('DynamoDbMeter', () => {
  beforeEach(() => ddb.reset());

  it('debits and counts in one conditional update, clearing the previous window', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { balance: 9, [`w${minute}`]: 3, [`w${minute - 7}`]: 2 } });
    const meter = new DynamoDbMeter(client, 'ledger');
    await expect(meter.admit({ accountId: 'acc_1', priceMicro: 1, limitPerMinute: 5, now: at })).resolves.toEqual({ admitted: true, balanceMicro: 9, used: 3 });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toBe('SET balance = balance - :price, lastCallAt = :now ADD #win :one REMOVE #old0');
    expect(input.ExpressionAttributeNames).toEqual({ '#win': `w${minute}`, '#old0': `w${minute - 1}` });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');

    // A stale window seen in the answer is removed by the next call.
    await meter.admit({ accountId: 'acc_1', priceMicro: 1, limitPerMinute: 5, now: at });
    expect(Object.values(ddb.commandCalls(UpdateCommand)[1]!.args[0].input.ExpressionAttributeNames!)).toContain(`w${minute - 7}`);
  });

  it.each([
    [{ balance: 0 }, 'insufficient_credit'],
    [{ balance: 10, [`w${minute}`]: 5 }, 'rate_limited'],
  ])('tells why a call was refused from the item DynamoDB returns (%j)', async (item, reason) => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: marshall(item) }));
    await expect(new DynamoDbMeter(client, 'ledger').admit({ accountId: 'a', priceMicro: 1, limitPerMinute: 5, now: at })).resolves.toMatchObject({ admitted: false, reason });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('treats an account with no balance item as out of credit', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    ddb.on(GetCommand).resolves({});
    await expect(new DynamoDbMeter(client, 'ledger').admit({ accountId: 'a', priceMicro: 1, limitPerMinute: 5, now: at })).resolves.toMatchObject({ reason: 'insufficient_credit', balanceMicro: 0 });
  });
});

describe('CachedKeyResolver', () => {
  it('trusts a resolved key for the TTL, then sees its revocation', async () => {
    let now = 0;
    let status = 'active';
    const store = { getBySecretHash: jest.fn(async () => ({ keyId: 'k', accountId: 'a', plan: 'free', status }) as never) };
    const resolver = new CachedKeyResolver(store, { ttlMs: 30_000, now: () => now });
    const secret = `omn_live_${'c'.repeat(43)}`;
    await expect(resolver.resolve(secret)).resolves.toMatchObject({ keyId: 'k' });
    status = 'revoked';
    now = 29_999;
    await expect(resolver.resolve(secret)).resolves.toBeDefined();
    now = 30_000;
    await expect(resolver.resolve(secret)).resolves.toBeUndefined();
    expect(store.getBySecretHash).toHaveBeenCalledTimes(2);
  });
});

describe('DynamoDbUsageStore', () => {
  beforeEach(() => ddb.reset());
  const event: UsageEvent = {
    v: 1, requestId: 'req-9', accountId: 'acc_1', keyId: 'key_1', product: 'echo', method: 'GET', path: '/x', status: 502,
    outcome: 'refunded', priceMicroCredits: 1_000_000, latencyMs: 12, requestBytes: 0, responseBytes: 90, ip: '1.1.1.1', userAgent: 'ua', at: '2026-03-01T10:05:10.000Z',
  };
  const store = new DynamoDbUsageStore(client, { usageLogs: 'logs', usageAggregates: 'aggs', ledger: 'ledger' });

  it('writes log, hourly and daily rollups, analytics and the refund in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await expect(store.record(event, { analytics: true, logExpiresAt: 123 })).resolves.toBe('recorded');
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => (i.Put ? `put ${i.Put.TableName} ${i.Put.Item!.sk}` : `update ${i.Update!.TableName} ${i.Update!.Key!.pk} ${i.Update!.Key!.sk}`))).toEqual([
      'put logs 2026-03-01T10:05:10.000Z#req-9',
      'update aggs ACCOUNT#acc_1#H 2026-03-01T10:00:00Z#echo',
      'update aggs ACCOUNT#acc_1#D 2026-03-01T00:00:00Z#echo',
      'update aggs ANALYTICS#echo#H 2026-03-01T10:00:00Z#echo',
      'put ledger ENTRY#2026-03-01T10:05:10.000Z#refund#req-9',
      'update ledger ACCOUNT#acc_1 BALANCE',
    ]);
    expect(items[0]!.Put!.Item!.expiresAt).toBe(123);
    expect(items[0]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('leaves accounts that objected out of the analytics rollup, and charges nothing for rejected calls', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.record({ ...event, outcome: 'rejected', status: 402 }, { analytics: false, logExpiresAt: 1 });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items[1]!.Update!.ExpressionAttributeValues).toMatchObject({ ':c4': 0, ':c5': 0 });
  });

  it('recognises a redelivered event and writes nothing more', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }),
    );
    await expect(store.record(event, { analytics: true, logExpiresAt: 1 })).resolves.toBe('duplicate');
  });

  it('lets any other failure propagate, so the event is retried', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] }),
    );
    await expect(store.record(event, { analytics: true, logExpiresAt: 1 })).rejects.toThrow();
  });
});
