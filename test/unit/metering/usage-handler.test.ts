import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sha256 } from '../../../lambdas/shared/crypto';
import { logPageItem, singleSortKey } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import type { UsageLog } from '../../../lambdas/shared/usage-logs';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { echoCalls, recordCalls } from '../../helpers/usage-calls';

type Handler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<{ statusCode: number; body?: string }>;

/** An admitted echo call's log, as the worker stores it. */
const callLog = (fields: Pick<UsageLog, 'requestId' | 'at' | 'keyId' | 'path' | 'ip'>): UsageLog => ({
  product: 'echo',
  method: 'GET',
  status: 200,
  outcome: 'ok',
  priceMicroCredits: 1,
  latencyMs: 5,
  requestBytes: 0,
  responseBytes: 9,
  userAgent: 'jest',
  ...fields,
});

/** GET /v1/usage and /v1/usage/logs, the deployed handler against DynamoDB (dynalite). */
describe('usage API handler', () => {
  let dynamo: LocalDynamo;
  let handler: Handler;
  const token = (who: string) => `omn_sess_${who}_0123456789abcdef`;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TABLE_USAGE_LOGS: 'usageLogs',
      TABLE_USAGE_AGGREGATES: 'usageAggregates',
      TABLE_SESSIONS: 'sessions',
    });
    jest.isolateModules(() => {
      handler = require('../../../lambdas/metering/handlers/usage').handler;
    });
    const put = (table: string, item: Record<string, unknown>) => dynamo.client.send(new PutCommand({ TableName: table, Item: item }));
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    for (const who of ['ann', 'bob', 'cat', 'dan', 'eve'])
      await put('sessions', {
        pk: `SESSION#${sha256(token(who))}`,
        sk: 'SESSION',
        sessionId: `ses_${who}`,
        accountId: `acc_${who}`,
        expiresAt,
      });
    const hour = (accountId: string, bucket: string, calls: number) =>
      put('usageAggregates', {
        pk: `ACCOUNT#${accountId}#H`,
        sk: `${bucket}#echo`,
        bucket,
        product: 'echo',
        calls,
        admitted: calls,
        chargedMicro: calls * 1_000_000,
        latencyMsSum: calls * 10,
      });
    await hour('acc_ann', '2026-03-01T10:00:00Z', 2);
    await hour('acc_ann', '2026-03-01T11:00:00Z', 3);
    await hour('acc_bob', '2026-03-01T10:00:00Z', 50);
    const now = Date.now();
    const logItem = (accountId: string, log: UsageLog) => logPageItem(accountId, singleSortKey(log), [log]);
    for (let i = 0; i < 5; i++) {
      const at = new Date(now - (5 - i) * 60_000).toISOString();
      await put(
        'usageLogs',
        logItem('acc_ann', callLog({ requestId: `req_ann_${i}`, at, keyId: 'key_1', path: `/x/${i}`, ip: '203.0.113.1' })),
      );
    }
    await put(
      'usageLogs',
      logItem(
        'acc_bob',
        callLog({ requestId: 'req_bob_0', at: new Date(now - 30_000).toISOString(), keyId: 'key_2', path: '/bob', ip: '198.51.100.2' }),
      ),
    );
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await dynamo.stop();
  });

  const get = async (path: string, query: Record<string, string>, who?: string) => {
    const event = httpEvent({ method: 'GET', path, headers: who ? { authorization: `Bearer ${token(who)}` } : {} });
    event.queryStringParameters = query;
    event.rawQueryString = new URLSearchParams(query).toString();
    const response = await handler(event, lambdaContext);
    return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
  };

  it('answers 401 without a session', async () => {
    const answer = await get('/v1/usage', { from: '2026-03-01T00:00:00Z' });
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
  });

  it("answers the caller's days (summed from hours) and hours, never another account's", async () => {
    const days = await get('/v1/usage', { from: '2026-03-01T00:00:00Z', to: '2026-03-01T23:00:00Z' }, 'ann');
    expect(days.status).toBe(200);
    expect(days.body.buckets).toEqual([
      expect.objectContaining({ bucket: '2026-03-01T00:00:00Z', product: 'echo', calls: 5, charged: '5', avgLatencyMs: 10 }),
    ]);
    const hours = await get('/v1/usage', { from: '2026-03-01T00:00:00Z', to: '2026-03-01T23:00:00Z', granularity: 'hour' }, 'ann');
    expect(hours.body.buckets.map((b: { bucket: string; calls: number }) => [b.bucket, b.calls])).toEqual([
      ['2026-03-01T10:00:00Z', 2],
      ['2026-03-01T11:00:00Z', 3],
    ]);
  });

  it('counts the same calls per key as per product for any range: both read whole buckets up to the end of the one holding `to`', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
    // Two admitted calls, and a refusal of each kind between them.
    await recordCalls(
      dynamo.client,
      echoCalls(
        'acc_cat',
        hour,
        [
          [10, 200],
          [20, 402],
          [40, 429],
          [50, 200],
        ],
        1_000,
      ),
    );
    const iso = (ms: number) => new Date(ms).toISOString();
    for (const granularity of ['hour', 'day'])
      for (const to of [hour + 30 * 60_000, hour + 3_600_000 - 1, hour + 90 * 60_000]) {
        const query = { from: iso(hour), to: iso(to), granularity };
        type Counted = { calls: number; rejected: number; rejectedNoCredit: number; rejectedRateLimited: number };
        const total = (body: { buckets: Counted[] }) =>
          ['calls', 'rejected', 'rejectedNoCredit', 'rejectedRateLimited'].map((name) =>
            body.buckets.reduce((sum, b) => sum + b[name as keyof Counted], 0),
          );
        const byProduct = await get('/v1/usage', query, 'cat');
        const byKey = await get('/v1/usage', { ...query, groupBy: 'key' }, 'cat');
        const oneKey = await get('/v1/usage', { ...query, key: 'key_0123456789abcdef01234567' }, 'cat');
        expect([granularity, query.to, total(byProduct.body), total(byKey.body), total(oneKey.body)]).toEqual([
          granularity,
          query.to,
          [4, 2, 1, 1],
          [4, 2, 1, 1],
          [4, 2, 1, 1],
        ]);
      }
  });

  it("counts per key the calls of the range's first second, as per product: the logs' range starts at the bucket's first millisecond", async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 3_600_000;
    // A lone call at the hour's first millisecond (its day's slot), one 400 ms into it (its hour's), one a minute in.
    const calls = echoCalls(
      'acc_eve',
      hour,
      [
        [0, 200],
        [0, 200],
        [1, 200],
      ],
      1_000,
    ).map((event, i) => ({
      ...event,
      at: new Date(hour + [0, 400, 60_000][i]!).toISOString(),
      ...(i === 0 ? { lone: true as const } : {}),
    }));
    await recordCalls(dynamo.client, calls);
    const iso = (ms: number) => new Date(ms).toISOString();
    for (const granularity of ['hour', 'day']) {
      const query = { from: iso(hour), to: iso(hour + 1_800_000), granularity };
      const total = (body: { buckets: { calls: number }[] }) => body.buckets.reduce((sum, b) => sum + b.calls, 0);
      const byProduct = await get('/v1/usage', query, 'eve');
      const oneKey = await get('/v1/usage', { ...query, key: 'key_0123456789abcdef01234567' }, 'eve');
      const byKey = await get('/v1/usage', { ...query, groupBy: 'key' }, 'eve');
      expect([granularity, total(byProduct.body), total(oneKey.body), total(byKey.body)]).toEqual([granularity, 3, 3, 3]);
    }
  });

  it('refuses reversed, too long and malformed ranges with the JSON error shape', async () => {
    expect(await get('/v1/usage', { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'ann')).toMatchObject({
      status: 400,
      body: { error: { code: 'range_reversed' } },
    });
    expect(await get('/v1/usage', { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', granularity: 'hour' }, 'ann')).toMatchObject({
      status: 400,
      body: { error: { code: 'range_too_long' } },
    });
    expect((await get('/v1/usage', { from: 'yesterday' }, 'ann')).status).toBe(400);
    expect((await get('/v1/usage', { from: '2026-03-01T00:00:00Z', granularity: 'week' }, 'ann')).status).toBe(400);
  });

  it("pages the caller's logs newest first with an opaque cursor, which cannot reach another account", async () => {
    const first = await get('/v1/usage/logs', { limit: '2' }, 'ann');
    expect(first.body.logs.map((l: { requestId: string }) => l.requestId)).toEqual(['req_ann_4', 'req_ann_3']);
    const second = await get('/v1/usage/logs', { limit: '2', cursor: first.body.nextCursor }, 'ann');
    expect(second.body.logs.map((l: { requestId: string }) => l.requestId)).toEqual(['req_ann_2', 'req_ann_1']);
    // Bob replaying Ann's cursor reads his own partition from that point: never her logs.
    const replayed = await get('/v1/usage/logs', { limit: '10', cursor: first.body.nextCursor }, 'bob');
    expect(JSON.stringify(replayed.body)).not.toContain('req_ann');
    expect(await get('/v1/usage/logs', { cursor: 'bm90LWEtY3Vyc29y' }, 'ann')).toMatchObject({
      status: 400,
      body: { error: { code: expect.any(String) } },
    });
  });
  it('a rare key on a busy account: the explorer pages on through a bounded read each time, per-key usage is refused as too busy', async () => {
    // 5,600 calls of one key in the last two hours, one call of another among them.
    const now = Date.now();
    const call = (i: number) =>
      callLog({
        requestId: `req_dan_${i}`,
        at: new Date(now - 2 * 3_600_000 + i * 1_000).toISOString(),
        keyId: i === 1_234 ? 'key_0000000000000000000000aa' : 'key_0000000000000000000000bb',
        path: `/dan/${i}`,
        ip: '203.0.113.4',
      });
    const items = Array.from({ length: 5_600 }, (_, i) => logPageItem('acc_dan', singleSortKey(call(i)), [call(i)]));
    for (let i = 0; i < items.length; i += 25)
      await dynamo.client.send(
        new BatchWriteCommand({ RequestItems: { usageLogs: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
      );

    const found: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await get(
        '/v1/usage/logs',
        { key: 'key_0000000000000000000000aa', limit: '200', ...(cursor ? { cursor } : {}) },
        'dan',
      );
      expect(answer.status).toBe(200);
      found.push(...answer.body.logs.map((l: { requestId: string }) => l.requestId));
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(found).toEqual(['req_dan_1234']);
    // Each request read a bounded part of the 5,600: the search took many pages, not one that read them all.
    expect(pages).toBeGreaterThan(10);

    const from = new Date(now - 3 * 3_600_000).toISOString();
    expect(await get('/v1/usage', { from, granularity: 'hour', groupBy: 'key', key: 'key_0000000000000000000000aa' }, 'dan')).toMatchObject(
      {
        status: 400,
        body: { error: { code: 'range_too_busy' } },
      },
    );
  }, 300_000);
});
