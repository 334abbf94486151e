import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';
import { afterDayOf, singlesCounted } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';

const HOUR = 3_600_000;

const event = usageEvent;

/**
 * An hour's rollups of several products were once written one by one, and a run that failed half-way
 * lost calls. They are one item now (the day's singles rollup): a write that fails writes none of
 * them, and the next one counts every product, exactly once.
 */
describe('the sweep and worker steps when the write of an hour’s several products fails', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  const tables = USAGE_TABLES;
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 25 * 86_400_000;
  const hour = day + 10 * HOUR;
  const bucketOf = (h: number) => new Date(h).toISOString().replace('.000Z', 'Z');
  const countedOf = async (accountId: string, h: number) =>
    singlesCounted((await dynamo.scanAll()).usageAggregates, accountId)
      .filter((item) => item.bucket === bucketOf(h))
      .reduce((sum, item) => sum + item.calls, 0);
  const record = (calls: UsageEvent[], clock: number, tallyEvery?: number, client = dynamo.client) =>
    recordAt(client, calls, clock, { tallyEvery });
  const readerTotal = async (accountId: string, h: number) => {
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const hours = await reader.aggregates(accountId, 'hour', bucketOf(h), new Date(h + HOUR).toISOString());
    return hours.reduce((sum, x) => sum + x.calls, 0);
  };
  /** A client whose writes of a singles rollup holding a `maps` count fail (throttled past the SDK's retries) while `state.on`. */
  const throttlingMaps = () => {
    const state = { on: true };
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const input = command.input as { TableName?: string; Item?: { h?: Record<string, string> } };
        const touchesMaps =
          command.constructor.name === 'PutCommand' &&
          input.TableName === 'usageAggregates' &&
          Object.keys(input.Item?.h ?? {}).some((name) => name.endsWith('#maps'));
        if (state.on && touchesMaps) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('throttled');
        }
        return dynamo.client.send(command as never);
      },
    } as unknown as typeof dynamo.client;
    return { client, state };
  };

  it('a sweep run whose write fails: the next run counts every product (hour with a step)', async () => {
    const acc = 'acc_partial_sweep';
    // The day's last hour: the run after it finishes the day.
    const at = day + 23 * HOUR;
    await record([event(acc, 0, new Date(at + 60_000), 1)], at + 2 * 60_000);
    const refused = { ...event(acc, 9, new Date(at + 20 * 60_000), 0), seq: undefined, outcome: 'rejected', status: 429 };
    await record([refused as UsageEvent], at + 21 * 60_000, 1);
    // The step counted echo so far; maps' only call comes after it (admitted: starts no step).
    await record([event(acc, 1, new Date(at + 40 * 60_000), 1, 'maps')], at + 41 * 60_000);
    const run = at + HOUR + STEP_LAG_MS + 60_000;
    const { client } = throttlingMaps();
    await expect(new DynamoDbUsageStore(client, tables, undefined, Date.now, 1).sweep(run, run - 30 * 60_000)).rejects.toThrow('throttled');
    // The next run (the cursor stayed) finishes the hour.
    await new DynamoDbUsageStore(dynamo.client, tables, undefined, Date.now, 1).sweep(run + 15 * 60_000, 0);
    expect(await countedOf(acc, at)).toBe(3);
    expect(await readerTotal(acc, at)).toBe(3);
  });

  it('the usage API stays exact while a sweep run’s write of two products fails', async () => {
    const acc = 'acc_partial_reader';
    const at = hour + 2 * HOUR;
    await record([event(acc, 0, new Date(at + 60_000), 1)], at + 2 * 60_000);
    await record([event(acc, 1, new Date(at + 40 * 60_000), 1, 'maps')], at + 41 * 60_000);
    expect(await readerTotal(acc, at)).toBe(2);
    const run = at + HOUR + STEP_LAG_MS + 60_000;
    const { client } = throttlingMaps();
    await expect(
      new DynamoDbUsageStore(client, tables, undefined, Date.now, 1_000_000).finishHours(run - 120_000, afterDayOf(at)),
    ).rejects.toThrow('throttled');
    expect(await countedOf(acc, at)).toBe(0);
    expect(await readerTotal(acc, at)).toBe(2);
    await new DynamoDbUsageStore(dynamo.client, tables, undefined, Date.now, 1_000_000).finishHours(run - 120_000, afterDayOf(at));
    expect(await countedOf(acc, at)).toBe(2);
    expect(await readerTotal(acc, at)).toBe(2);
  });

  it('a worker step whose write fails, then is redelivered: no call lost', async () => {
    const acc = 'acc_partial_step';
    const at = hour + 4 * HOUR;
    await record([event(acc, 0, new Date(at + 60_000), 1), event(acc, 1, new Date(at + 2 * 60_000), 1, 'maps')], at + 3 * 60_000);
    const refused = { ...event(acc, 9, new Date(at + 20 * 60_000), 0), seq: undefined, outcome: 'rejected', status: 429 } as UsageEvent;
    const { client } = throttlingMaps();
    expect((await record([refused], at + 21 * 60_000, 1, client)).failed.size).toBe(1);
    // SQS redelivers the batch a few minutes on: a duplicate, whose step runs again.
    await record([refused], at + 24 * 60_000, 1);
    await record([event(acc, 2, new Date(at + 40 * 60_000), 1, 'maps')], at + 41 * 60_000);
    const midHour = await readerTotal(acc, at);
    const run = at + HOUR + STEP_LAG_MS + 60_000;
    await new DynamoDbUsageStore(dynamo.client, tables, undefined, Date.now, 1).finishHours(run - 120_000, afterDayOf(at));
    expect(await countedOf(acc, at)).toBe(4);
    expect(await readerTotal(acc, at)).toBe(4);
    // And before the sweep, while the hour runs: the reader must not skip maps' call at +2 min.
    expect(midHour).toBe(4);
  });
});
