import { sha256 } from '../../../lambdas/shared/crypto';
import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CachedKeyResolver } from '../../../lambdas/metering/adapters/cached-key-resolver';
import { DynamoDbKeyLookup } from '../../../lambdas/metering/adapters/dynamodb-key-lookup';
import { DynamoDbMeter } from '../../../lambdas/metering/adapters/dynamodb-meter';
import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { CALL_COUNTERS } from '../../../lambdas/shared/usage-counters';
import { decodeLogs } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';

/** The placeholder a rollup update gives a counter's value. */
const counter = (name: (typeof CALL_COUNTERS)[number]) => `:c${CALL_COUNTERS.indexOf(name)}`;

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const at = new Date('2026-03-01T10:05:10Z');
const minute = Math.floor(at.getTime() / 60_000);

describe('DynamoDbMeter', () => {
  beforeEach(() => ddb.reset());

  it('debits and counts in one conditional update, clearing the previous window', async () => {
    // The item as the write found it (ALL_OLD): the decision is what the write made of it.
    const previousCallAt = '2026-03-01T10:05:09.000Z';
    ddb.on(UpdateCommand).resolves({
      Attributes: { balance: 10, seq: 40, lastCallAt: previousCallAt, [`w${minute}`]: 2, [`w${minute - 1}`]: 4, [`w${minute - 7}`]: 2 },
    });
    const meter = new DynamoDbMeter(client, 'ledger');
    await expect(meter.admit({ accountId: 'acc_1', priceMicro: 1, limitPerMinute: 5, now: at })).resolves.toEqual({
      admitted: true,
      balanceMicro: 9,
      used: 3,
      resetAt: (minute + 1) * 60,
      seq: 41,
      previousCallAt,
    });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toBe('SET balance = balance - :price, lastCallAt = :now ADD #win :one, seq :one REMOVE #old0');
    expect(input.ExpressionAttributeNames).toEqual({ '#win': `w${minute}`, '#old0': `w${minute - 1}` });
    expect(input.ReturnValues).toBe('ALL_OLD');
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');

    // A stale window seen in the answer is removed by the next call.
    await meter.admit({ accountId: 'acc_1', priceMicro: 1, limitPerMinute: 5, now: at });
    expect(Object.values(ddb.commandCalls(UpdateCommand)[1]!.args[0].input.ExpressionAttributeNames!)).toContain(`w${minute - 7}`);
  });

  it("tells the low-balance notice's state the balance item held, from the same write", async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { balance: 5, seq: 3, noticeArmed: false } });
    await expect(
      new DynamoDbMeter(client, 'ledger').admit({ accountId: 'a', priceMicro: 2, limitPerMinute: 5, now: at }),
    ).resolves.toMatchObject({ admitted: true, balanceMicro: 3, noticeArmed: false });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it("numbers an account's first call 1 and tells no previous call (its item has held only credit)", async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { pk: 'ACCOUNT#a', sk: 'BALANCE', balance: 5 } });
    await expect(new DynamoDbMeter(client, 'ledger').admit({ accountId: 'a', priceMicro: 2, limitPerMinute: 5, now: at })).resolves.toEqual(
      { admitted: true, balanceMicro: 3, used: 1, resetAt: (minute + 1) * 60, seq: 1 },
    );
  });

  it.each([
    [{ balance: 0 }, 'insufficient_credit'],
    [{ balance: 10, [`w${minute}`]: 5 }, 'rate_limited'],
  ])('tells why a call was refused from the item DynamoDB returns (%j)', async (item, reason) => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: marshall(item) }));
    ddb.on(BatchGetCommand).resolves({ Responses: { ledger: [] } });
    await expect(
      new DynamoDbMeter(client, 'ledger').admit({ accountId: 'a', priceMicro: 1, limitPerMinute: 5, now: at }),
    ).resolves.toMatchObject({ admitted: false, reason });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('looks for credit stranded in balance shards once a minute when refusing for credit, and spends it', async () => {
    // The balance item once funded shard 3 (a sharded plan it has since left).
    const funded = marshall({ balance: 0, shards: new Set([3]) });
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: funded }))
      .resolves({ Attributes: { balance: 5, seq: 8 } });
    ddb.on(BatchGetCommand).resolves({ Responses: { ledger: [{ pk: 'SHARD#a#3', balance: 5 }] } });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { balance: 0 } });
    ddb.on(GetCommand, { Key: { pk: 'ACCOUNT#a', sk: 'BALANCE' } }).resolves({ Item: { balance: 0, shards: new Set([3]) } });
    const meter = new DynamoDbMeter(client, 'ledger');
    await expect(meter.admit({ accountId: 'a', priceMicro: 1, limitPerMinute: 5, now: at })).resolves.toMatchObject({
      admitted: true,
      seq: 9,
    });
    const moved = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(moved.map((i) => i.Update!.Key)).toEqual([
      { pk: 'SHARD#a#3', sk: 'BALANCE' },
      { pk: 'ACCOUNT#a', sk: 'BALANCE' },
    ]);
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: funded }));
    await meter.admit({ accountId: 'a', priceMicro: 1, limitPerMinute: 5, now: new Date(at.getTime() + 1_000) });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('tries the admit write again when it meets a transaction on the balance item (the SDK does not)', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new TransactionConflictException({ message: 'busy', $metadata: {} }))
      .resolves({ Attributes: { balance: 10, seq: 1 } });
    await expect(
      new DynamoDbMeter(client, 'ledger').admit({ accountId: 'acc_1', priceMicro: 1, limitPerMinute: 5, now: at }),
    ).resolves.toMatchObject({ admitted: true });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('treats an account with no balance item as out of credit', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { ledger: [] } });
    await expect(
      new DynamoDbMeter(client, 'ledger').admit({ accountId: 'a', priceMicro: 1, limitPerMinute: 5, now: at }),
    ).resolves.toMatchObject({ reason: 'insufficient_credit', balanceMicro: 0 });
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

  it("stops admitting a rolled key when its grace period ends, even inside the cache's window", async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const graceUntil = '2026-03-01T10:00:10.000Z';
    const store = {
      getBySecretHash: jest.fn(async () => ({ keyId: 'k', accountId: 'a', plan: 'free', status: 'rolling', graceUntil }) as never),
    };
    const resolver = new CachedKeyResolver(store, { ttlMs: 30_000, now: () => now });
    const secret = `omn_live_${'d'.repeat(43)}`;
    await expect(resolver.resolve(secret)).resolves.toMatchObject({ keyId: 'k', status: 'rolling' });
    now = Date.parse(graceUntil) - 1;
    await expect(resolver.resolve(secret)).resolves.toBeDefined();
    now = Date.parse(graceUntil);
    await expect(resolver.resolve(secret)).resolves.toBeUndefined();
  });
});

describe('CachedKeyResolver under many keys', () => {
  const valid = `omn_live_${'v'.repeat(43)}`;
  const lookups = () => {
    const store = {
      getBySecretHash: jest.fn(async (hash: string) =>
        hash === sha256(valid) ? ({ keyId: 'k', accountId: 'a', plan: 'free', status: 'active' } as never) : undefined,
      ),
    };
    return { store, resolver: new CachedKeyResolver(store, { ttlMs: 30_000, maxEntries: 100, now: () => 0 }) };
  };

  it('keeps a key in use cached through a flood of malformed secrets, which cost no lookup and take no room', async () => {
    const { store, resolver } = lookups();
    await resolver.resolve(valid);
    for (let i = 0; i < 5_000; i++) expect(await resolver.resolve(`garbage-${i}`)).toBeUndefined();
    await expect(resolver.resolve(valid)).resolves.toMatchObject({ keyId: 'k' });
    expect(store.getBySecretHash).toHaveBeenCalledTimes(1);
  });

  it('keeps a key in use cached while thousands of other keys pass through a bounded cache', async () => {
    const { store, resolver } = lookups();
    await resolver.resolve(valid);
    for (let i = 0; i < 2_000; i++) {
      await resolver.resolve(`omn_live_${String(i).padStart(43, 'x')}`);
      if (i % 50 === 0) await expect(resolver.resolve(valid)).resolves.toMatchObject({ keyId: 'k' });
    }
    expect(store.getBySecretHash.mock.calls.filter(([hash]) => hash === sha256(valid))).toHaveLength(1);
  });
});

describe('DynamoDbKeyLookup', () => {
  beforeEach(() => ddb.reset());

  it('reads a key strongly consistently, so a revocation is seen by the first lookup after the cache window', async () => {
    ddb.on(GetCommand).resolves({ Item: { accountId: 'a', keyId: 'k', plan: 'free', status: 'revoked' } });
    await new DynamoDbKeyLookup(client, 'apiKeys').getBySecretHash('h');
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: { pk: 'SECRET#h', sk: 'SECRET' }, ConsistentRead: true });
  });
});

describe('DynamoDbUsageStore', () => {
  beforeEach(() => ddb.reset());
  const event = (requestId: string, overrides: Partial<UsageEvent> = {}): UsageEvent => ({
    v: 1,
    requestId,
    accountId: 'acc_1',
    keyId: 'key_1',
    product: 'echo',
    method: 'GET',
    path: '/x',
    status: 502,
    outcome: 'refunded',
    priceMicroCredits: 1_000_000,
    latencyMs: 12,
    requestBytes: 0,
    responseBytes: 90,
    ip: '1.1.1.1',
    userAgent: 'ua',
    at: '2026-03-01T10:05:10.000Z',
    ...overrides,
  });
  const entry = (e: UsageEvent, analytics = true) => ({ event: e, analytics });
  const store = new DynamoDbUsageStore(client, { usageLogs: 'logs', usageAggregates: 'aggs', ledger: 'ledger' });
  const describeItems = (items: NonNullable<TransactWriteCommand['input']['TransactItems']>) =>
    items.map((i) =>
      i.Put ? `put ${i.Put.TableName} ${i.Put.Item!.sk}` : `update ${i.Update!.TableName} ${i.Update!.Key!.pk} ${i.Update!.Key!.sk}`,
    );

  it('writes seq block, log page, hourly rollup, analytics and the refund in one transaction (no daily rollup: days are summed from hours)', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await expect(store.recordBatch([entry(event('req-9', { seq: 130 }))])).resolves.toEqual(new Set());
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(describeItems(items)).toEqual([
      'put ledger ENTRY#2026-03-01T10:05:10.000Z#req-9',
      'update logs ACCOUNT#acc_1 SEQ#000000000000002',
      'put logs L#2026-03-01T10:05:10.000Z#S000000000000130',
      'update aggs ACCOUNT#acc_1#H 2026-03-01T10:00:00Z#echo',
      'update aggs ANALYTICS#echo#H 2026-03-01T10:00:00Z#echo',
      'update ledger ACCOUNT#acc_1 BALANCE',
    ]);
    // 130 is offset 2 of block 2 (64 a block); the page holds the log, compressed, and expires 90 days after it.
    expect(items[1]!.Update!.ConditionExpression).toBe('NOT (contains(#s, :o0))');
    expect(items[1]!.Update!.ExpressionAttributeValues).toMatchObject({ ':o0': 2, ':offsets': new Set([2]) });
    expect(items[2]!.Put!.Item).toMatchObject({ n: 1, expiresAt: Date.parse('2026-03-01T10:05:10.000Z') / 1000 + 90 * 86_400 });
    expect(decodeLogs(items[2]!.Put!.Item!.d as Uint8Array)).toEqual([
      expect.objectContaining({ requestId: 'req-9', userAgent: 'ua', status: 502 }),
    ]);
  });

  it("puts one account's calls of one minute into one page and guards each seq block once", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.recordBatch([63, 64, 65].map((seq) => entry(event(`r${seq}`, { outcome: 'ok', status: 200, seq }))));
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(describeItems(items)).toEqual([
      'update logs ACCOUNT#acc_1 SEQ#000000000000000',
      'update logs ACCOUNT#acc_1 SEQ#000000000000001',
      'put logs L#2026-03-01T10:05:10.000Z#S000000000000063',
      'update aggs ACCOUNT#acc_1#H 2026-03-01T10:00:00Z#echo',
      'update aggs ANALYTICS#echo#H 2026-03-01T10:00:00Z#echo',
    ]);
    expect(items[2]!.Put!.Item!.n).toBe(3);
    expect(items[3]!.Update!.ExpressionAttributeValues).toMatchObject({
      [counter('calls')]: 3,
      [counter('admitted')]: 3,
      [counter('chargedMicro')]: 3_000 * 1_000,
    });
  });

  it('logs a refused call (no sequence number) as an item of its own, put only if absent, and charges nothing', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.recordBatch([entry(event('r1', { outcome: 'rejected', status: 402 }), false)]);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(describeItems(items)).toEqual([
      'put logs L#2026-03-01T10:05:10.000Z#Rr1',
      'update aggs ACCOUNT#acc_1#H 2026-03-01T10:00:00Z#echo',
    ]);
    expect(items[0]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items[1]!.Update!.ExpressionAttributeValues).toMatchObject({ [counter('chargedMicro')]: 0, [counter('refundedMicro')]: 0 });
  });

  it('drops redelivered events named by the refused seq block and records the rest, never counting twice', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'x',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { s: { NS: ['2', '9'] } } }, { Code: 'None' }, { Code: 'None' }],
        }),
      )
      .resolves({});
    const ok = { outcome: 'ok' as const, status: 200 };
    const duplicates = await store.recordBatch([
      entry(event('fresh', { ...ok, seq: 3 })),
      entry(event('seen', { ...ok, seq: 2 })),
      entry(event('seen', { ...ok, seq: 2 })),
    ]);
    expect(duplicates).toEqual(new Set(['acc_1#S2']));
    const retry = ddb.commandCalls(TransactWriteCommand)[1]!.args[0].input.TransactItems!;
    expect(retry[0]!.Update!.ExpressionAttributeValues).toMatchObject({ ':offsets': new Set([3]) });
    expect(retry.find((i) => i.Update?.Key?.pk === 'ACCOUNT#acc_1#H')!.Update!.ExpressionAttributeValues![counter('calls')]).toBe(1);
  });

  it('reads the seq block again when DynamoDB returned no item with the refusal', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'x',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
        }),
      )
      .resolves({});
    ddb.on(GetCommand).resolves({ Item: { s: new Set([5]) } });
    const duplicates = await store.recordBatch([
      entry(event('a', { outcome: 'ok', status: 200, seq: 5 })),
      entry(event('b', { outcome: 'ok', status: 200, seq: 6 })),
    ]);
    expect(duplicates).toEqual(new Set(['acc_1#S5']));
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      Key: { pk: 'ACCOUNT#acc_1', sk: 'SEQ#000000000000000' },
      ConsistentRead: true,
    });
  });

  it('retries a transaction that met another writer, then lets a lasting conflict propagate so the batch is retried', async () => {
    const conflict = () =>
      new TransactionCanceledException({
        message: 'x',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
    const patient = new DynamoDbUsageStore(client, { usageLogs: 'logs', usageAggregates: 'aggs', ledger: 'ledger' }, async () => undefined);
    ddb.on(TransactWriteCommand).rejectsOnce(conflict()).resolves({});
    await expect(patient.recordBatch([entry(event('r1', { seq: 1 }))])).resolves.toEqual(new Set());
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(conflict());
    await expect(patient.recordBatch([entry(event('r1', { seq: 1 }))])).rejects.toThrow();
  });

  it('lets any other failure propagate, so the batch is retried', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'x',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ValidationError' }],
      }),
    );
    await expect(store.recordBatch([entry(event('r1'))])).rejects.toThrow();
  });

  it('splits a large batch so that no transaction holds more than 100 items', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const many = Array.from({ length: 60 }, (_, i) => entry(event(`r${i}`, { accountId: `acc_${i}`, seq: 1 })));
    await store.recordBatch(many);
    const sizes = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    // Five items of its own per event (seq block, page, refund entry, hourly rollup, balance), one analytics rollup per transaction.
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(60 * 5 + sizes.length);
  });

  it('keeps pages below 400 KB and transactions below 4 MB whatever paths and user agents callers send', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    // Random text, which hardly compresses: the worst a caller can send.
    const noise = (n: number, _i: number) => randomBytes(n).toString('base64').slice(0, n);
    const heavy = Array.from({ length: 3000 }, (_, i) =>
      entry(event(`r${i}`, { outcome: 'ok', status: 200, seq: i + 1, path: `/${noise(1023, i)}`, userAgent: noise(512, i + 1) })),
    );
    await store.recordBatch(heavy);
    const transactions = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    const pages = transactions.flatMap((items) => items.filter((i) => i.Put).map((i) => i.Put!.Item!));
    expect(pages.reduce((sum, page) => sum + Number(page.n), 0)).toBe(3000);
    const largest = Math.max(...pages.map((page) => (page.d as Uint8Array).byteLength));
    expect(largest).toBeGreaterThan(150_000); // the data really is that big: the split is what keeps it under
    expect(largest).toBeLessThan(350_000);
    for (const items of transactions)
      expect(items.reduce((sum, i) => sum + ((i.Put?.Item?.d as Uint8Array | undefined)?.byteLength ?? 0), 0)).toBeLessThan(3_500_000);
  });

  it("keeps one account's events in one transaction: 1,000 calls by 25 accounts are 25 pages, not 1,000 items", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const interleaved = Array.from({ length: 1000 }, (_, i) =>
      entry(event(`r${i}`, { accountId: `acc_${i % 25}`, outcome: 'ok', status: 200, seq: 1 + Math.floor(i / 25) }), false),
    );
    await store.recordBatch(interleaved);
    const transactions = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    const puts = transactions.flatMap((items) => items.filter((i) => i.Put));
    expect(puts).toHaveLength(25);
    expect(puts.reduce((sum, i) => sum + Number(i.Put!.Item!.n), 0)).toBe(1000);
    const rollups = transactions.flatMap((items) =>
      items.filter((i) => i.Update?.TableName === 'aggs').map((i) => i.Update!.Key!.pk as string),
    );
    expect(new Set(rollups).size).toBe(25);
    expect(rollups).toHaveLength(25);
  });
});
