import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { FINISH_AT_ONCE_ITEMS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import { encodeSingle, sweepMarkerItem } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { decodeTally } from '../../../lambdas/shared/adapters/singles-day';

const ddb = mockClient(DynamoDBDocumentClient);

describe('usage sweep (scheduled handler)', () => {
  let sweep: (
    event: { time: string },
    context?: { getRemainingTimeInMillis(): number },
  ) => Promise<{ hours: number; accounts: number; since: number; stoppedAt?: unknown }>;
  /** The sweep's cursor as the table holds it: read by each run, put by each whole run. */
  let cursor: Record<string, unknown> | undefined;
  beforeAll(() => {
    Object.assign(process.env, { TABLE_USAGE_LOGS: 'logs', TABLE_USAGE_AGGREGATES: 'aggs', SWEEP_EVERY_MINUTES: '15' });
    sweep = require('../../../lambdas/metering/handlers/usage-sweep').sweep;
  });
  beforeEach(() => {
    ddb.reset();
    cursor = undefined;
    ddb.on(GetCommand).callsFake((input) => (input.TableName === 'aggs' && input.Key.pk === 'SWEEP#CURSOR' ? { Item: cursor } : {}));
    ddb.on(PutCommand).callsFake((input) => {
      if (input.TableName === 'aggs' && input.Item.pk === 'SWEEP#CURSOR') cursor = input.Item;
      return {};
    });
  });

  it("finishes the hours that closed since the last whole run (two runs' span on the first), for the accounts on their day's sweep list", async () => {
    const listed = sweepMarkerItem('2026-03-01', 'acc_quiet');
    ddb.on(QueryCommand).callsFake((input) => {
      // The sweep list: one account, in its shard; the day's last hour: one single call, counted by no step.
      if (input.ExpressionAttributeValues[':pk'] === listed.pk) return { Items: [{ sk: 'acc_quiet' }] };
      if (input.TableName === 'logs' && input.ExpressionAttributeValues[':pk'] === 'ACCOUNT#acc_quiet') {
        return {
          Items: [
            {
              sk: 'M#2026-03-01T23:59:58.000Z#S7',
              d: encodeSingle({
                requestId: 'r7',
                keyId: 'k',
                product: 'echo',
                method: 'GET',
                path: '/x',
                status: 200,
                outcome: 'ok',
                priceMicroCredits: 1_000,
                latencyMs: 4,
                requestBytes: 0,
                responseBytes: 2,
                ip: '198.51.100.1',
                userAgent: 'ua',
                at: '2026-03-01T23:59:58.000Z',
              }),
            },
          ],
        };
      }
      return { Items: [] };
    });
    // 00:05 is the 23:00 hour's end plus five minutes: the first run, at 00:10 (span 23:40–00:10), finishes it, and only
    // it — the day's last hour, so the account's day is finished, in one write of its singles rollup.
    expect(await sweep({ time: '2026-03-02T00:10:00Z' })).toEqual({ hours: 1, accounts: 1, since: Date.parse('2026-03-01T23:40:00Z') });
    expect(cursor).toMatchObject({ sk: 'CURSOR', through: Date.parse('2026-03-02T00:10:00Z') });
    const puts = ddb
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.Item?.pk !== 'SWEEP#CURSOR');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(puts).toEqual([
      expect.objectContaining({
        TableName: 'aggs',
        Item: {
          pk: 'ACCOUNT#acc_quiet#H',
          sk: '2026-03-01#S',
          v: 1,
          f: Date.parse('2026-03-02T00:00:00Z') - 1,
          h: { '23#echo': expect.any(String) },
        },
        ConditionExpression: 'attribute_not_exists(v)',
      }),
    ]);
    // Counted through the hour's last millisecond: one call, one admitted, 1,000 micro-credits.
    expect(decodeTally(puts[0]!.Item!.h['23#echo'])).toMatchObject({
      through: Date.parse('2026-03-02T00:00:00Z') - 1,
      n: 1,
      counters: { calls: 1, admitted: 1, chargedMicro: 1_000, latencyMsSum: 4, bytesOut: 2 },
    });
    // A run whose span (since the last) holds no hour's close reads nothing but the cursor, and moves it on.
    ddb.resetHistory();
    expect(await sweep({ time: '2026-03-02T00:50:00Z' })).toEqual({ hours: 0, accounts: 0, since: Date.parse('2026-03-02T00:10:00Z') });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(cursor).toMatchObject({ through: Date.parse('2026-03-02T00:50:00Z') });
    // After runs that failed (the cursor still at 00:50), the run at 03:10 catches up on the three hours that closed
    // meanwhile; it fails in the third, but keeps what it did: the cursor is past the second (01:00, closed at 02:05).
    let lists = 0;
    ddb.on(QueryCommand).callsFake((input) => {
      if (String(input.ExpressionAttributeValues[':pk']).startsWith('SWEEP#') && ++lists > 32) throw new Error('timed out');
      return { Items: [] };
    });
    await expect(sweep({ time: '2026-03-02T03:10:00Z' })).rejects.toThrow('timed out');
    expect(cursor).toMatchObject({ through: Date.parse('2026-03-02T02:05:00Z') });
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await sweep({ time: '2026-03-02T03:25:00Z' })).toMatchObject({ hours: 1, since: Date.parse('2026-03-02T02:05:00Z') });
    expect(cursor).toMatchObject({ through: Date.parse('2026-03-02T03:25:00Z') });
  });

  it('reads nothing of an hour its listed account had no busy minute in, and a few keys of one it had, never its counts or logs', async () => {
    // Listed from its first call of the day (at 02:00, say): by the 10:00 hour it has called no more, or a few times.
    const listed = sweepMarkerItem('2026-03-01', 'acc_sparse');
    const probesWith = async (entry: Record<string, unknown>) => {
      ddb.resetHistory();
      // Each run the first after deploy: it finishes the 10:00 hour.
      cursor = undefined;
      ddb
        .on(QueryCommand)
        .callsFake((input) => (input.ExpressionAttributeValues[':pk'] === listed.pk ? { Items: [entry] } : { Items: [] }));
      expect(await sweep({ time: '2026-03-01T11:10:00Z' })).toMatchObject({ hours: 1, accounts: 1 });
      expect(ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.pk !== 'SWEEP#CURSOR')).toHaveLength(0);
      expect(ddb.commandCalls(PutCommand).filter((c) => c.args[0].input.Item?.pk !== 'SWEEP#CURSOR')).toHaveLength(0);
      return ddb
        .commandCalls(QueryCommand)
        .map((c) => c.args[0].input)
        .filter((input) => !String(input.ExpressionAttributeValues?.[':pk']).startsWith('SWEEP#'));
    };
    // No busy minute marked (or only in other hours): the hour holds a few items at most, left for the day's end.
    expect(await probesWith({ sk: 'acc_sparse' })).toEqual([]);
    expect(await probesWith({ sk: 'acc_sparse', h: new Set([2, 9]) })).toEqual([]);
    // A busy minute in the 10:00 hour: one small read says whether it holds enough items to count now (it holds none here).
    const reads = await probesWith({ sk: 'acc_sparse', h: new Set([10]) });
    expect(reads).toEqual([
      expect.objectContaining({
        TableName: 'logs',
        ExpressionAttributeValues: {
          ':pk': 'ACCOUNT#acc_sparse',
          ':from': 'M#2026-03-01T10:00:00.000Z',
          ':until': expect.stringMatching(/^M#2026-03-01T1/),
        },
        Limit: FINISH_AT_ONCE_ITEMS,
        ProjectionExpression: 'sk',
      }),
    ]);
    expect(reads[0]!.ConsistentRead).toBeUndefined();
  });

  it('takes no account once less than its reserve of the time limit is left, and marks the cursor where the next run goes on', async () => {
    const listed = sweepMarkerItem('2026-03-01', 'acc_late_run');
    ddb
      .on(QueryCommand)
      .callsFake((input) => (input.ExpressionAttributeValues[':pk'] === listed.pk ? { Items: [{ sk: 'acc_late_run' }] } : { Items: [] }));
    const marks: Record<string, unknown>[] = [];
    ddb.on(UpdateCommand).callsFake((input) => {
      if (input.Key.pk === 'SWEEP#CURSOR') marks.push(input.ExpressionAttributeValues);
      return {};
    });
    const { RESERVE_MS } = require('../../../lambdas/metering/handlers/usage-sweep');
    const shard = Number(listed.pk.split('#')[2]);
    // The shards before the account's list nobody; its own lists it, but the run is within its reserve: it takes none.
    const result = await sweep({ time: '2026-03-01T11:10:00Z' }, { getRemainingTimeInMillis: () => RESERVE_MS - 1 });
    expect(result).toMatchObject({ hours: 0, accounts: 0, stoppedAt: { hour: Date.parse('2026-03-01T10:00:00Z'), shard } });
    expect(marks).toEqual([{ ':hour': Date.parse('2026-03-01T10:00:00Z'), ':shard': shard }]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(cursor).toBeUndefined();
  });
});
