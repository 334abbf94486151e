import { UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageStore, lastMsOf, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { countersOfCall } from '../../../lambdas/shared/usage-counters';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';
import { afterDayOf, singlesCounted } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Stacks that ran an earlier version hold their quiet accounts' counts in hourly singles rollups
 * (`<hour>#<product>#S`). The day's singles rollup takes an hour over from them the first time it
 * counts it, and from then on the day's count is the hour's for every reader and writer — even if an
 * earlier worker, still running during the deploy, adds to the hourly one.
 */
describe('singles rollups written by an earlier version (the hourly form)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  const tables = USAGE_TABLES;
  const settings = { of: async () => ({ analytics: true }) };
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 12 * 86_400_000;
  const hour = day + 10 * HOUR;
  const bucket = new Date(hour).toISOString().replace('.000Z', 'Z');
  const record = (calls: UsageEvent[], clock: number) => recordAt(dynamo.client, calls, clock, { tallyEvery: 1_000_000 });
  const reader = () => new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
  const readerCalls = async (accountId: string) =>
    (await reader().aggregates(accountId, 'hour', bucket, bucket)).reduce((sum, h) => sum + h.calls, 0);
  /** The hourly rollup an earlier version's step would have written, counting `calls` through `through`. */
  const hourlyForm = (accountId: string, calls: UsageEvent[], through: number) => {
    const sums = Object.fromEntries(Object.keys(countersOfCall(calls[0]!)).map((name) => [name, 0])) as Record<string, number>;
    for (const call of calls) for (const [name, value] of Object.entries(countersOfCall(call))) sums[name]! += value;
    return {
      pk: `ACCOUNT#${accountId}#H`,
      sk: `${bucket}#echo#S`,
      product: 'echo',
      bucket,
      through,
      v: 1,
      n: calls.length,
      ...sums,
      analytics_calls: calls.length,
      analytics_chargedMicro: sums.chargedMicro,
    };
  };

  it('takes an hour over from the hourly form once, then counts on from the day’s own `through`, whatever the hourly form still gets', async () => {
    const acc = 'acc_cutover';
    const calls = [5, 10, 30].map((m, i) => usageEvent(acc, i, hour + m * MINUTE));
    for (const call of calls) await record([call], Date.parse(call.at) + 1_000);
    // An earlier version's step counted the first two, through the 20th minute.
    await dynamo.client.send(
      new PutCommand({ TableName: 'usageAggregates', Item: hourlyForm(acc, calls.slice(0, 2), hour + 20 * MINUTE) }),
    );
    expect(await readerCalls(acc)).toBe(3);

    // The day's end: the hour moves into the day's rollup, counting on from the 20th minute — three calls, not five.
    await new DynamoDbUsageStore(dynamo.client, tables).finishHours(hour + HOUR + STEP_LAG_MS - 1, afterDayOf(hour));
    expect(singlesCounted((await dynamo.scanAll()).usageAggregates, acc)).toEqual([
      expect.objectContaining({ bucket, product: 'echo', calls: 3, n: 3, chargedMicro: 3_000, through: lastMsOf(hour) }),
    ]);
    expect(await readerCalls(acc)).toBe(3);

    // An earlier worker still running adds to the hourly form (the deploy's overlap): the day's count stands.
    await dynamo.client.send(
      new UpdateCommand({
        TableName: 'usageAggregates',
        Key: { pk: `ACCOUNT#${acc}#H`, sk: `${bucket}#echo#S` },
        UpdateExpression: 'SET through = :through, v = :v ADD calls :one, n :one',
        ExpressionAttributeValues: { ':through': lastMsOf(hour), ':v': 2, ':one': 1 },
      }),
    );
    expect(singlesCounted((await dynamo.scanAll()).usageAggregates, acc)).toEqual([expect.objectContaining({ calls: 3 })]);
    expect(await readerCalls(acc)).toBe(3);

    // A late call of the hour: recounted from scratch, in the day's rollup.
    await record([usageEvent(acc, 3, hour + 45 * MINUTE)], afterDayOf(hour) + HOUR);
    expect(singlesCounted((await dynamo.scanAll()).usageAggregates, acc)).toEqual([expect.objectContaining({ calls: 4, n: 4 })]);
    expect(await readerCalls(acc)).toBe(4);
  });

  it('an hour the day’s rollup does not hold yet is counted from the hourly form by the reader and by a step alike', async () => {
    const acc = 'acc_cutover_step';
    const calls = [5, 10, 30].map((m, i) => usageEvent(acc, i, hour + m * MINUTE));
    for (const call of calls) await record([call], Date.parse(call.at) + 1_000);
    await dynamo.client.send(
      new PutCommand({ TableName: 'usageAggregates', Item: hourlyForm(acc, calls.slice(0, 2), hour + 20 * MINUTE) }),
    );
    // A refused call whose step counts the hour so far: it goes on from the hourly form's `through`.
    const refused = { ...usageEvent(acc, 9, hour + 40 * MINUTE), seq: undefined, outcome: 'rejected', status: 429 } as UsageEvent;
    await recordUsageBatch([{ messageId: 'refused', body: JSON.stringify(refused) }], {
      store: new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 50 * MINUTE, 1),
      settings,
    });
    const [held] = singlesCounted((await dynamo.scanAll()).usageAggregates, acc);
    expect(held).toMatchObject({ bucket, calls: 4, rejected: 1, through: hour + 45 * MINUTE });
    expect(await readerCalls(acc)).toBe(4);
  });
});
