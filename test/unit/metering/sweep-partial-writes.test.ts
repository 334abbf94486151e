import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { usageEvent } from '../../helpers/usage-event';

const HOUR = 3_600_000;

const event = usageEvent;

/** One hour's rollup writes are not all-or-nothing: a run that fails after writing some products' rollups must lose nothing. */
describe('the sweep when only some of an hour’s rollup writes land', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  const tables = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };
  const settings = { of: async () => ({ analytics: true }) };
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 25 * 86_400_000;
  const hour = day + 10 * HOUR;
  const bucketOf = (h: number) => new Date(h).toISOString().replace('.000Z', 'Z');
  const countedOf = async (accountId: string, h: number) =>
    (await dynamo.scanAll()).usageAggregates
      .filter((item) => item.pk === `ACCOUNT#${accountId}#H` && item.bucket === bucketOf(h))
      .reduce((sum, item) => sum + Number(item.calls), 0);
  const record = (calls: UsageEvent[], clock: number, tallyEvery?: number, client = dynamo.client) =>
    recordUsageBatch(
      calls.map((e) => ({ messageId: `${e.requestId}@${clock}`, body: JSON.stringify(e) })),
      { store: new DynamoDbUsageStore(client, tables, undefined, () => clock, tallyEvery), settings },
    );
  const readerTotal = async (accountId: string, h: number) => {
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const hours = await reader.aggregates(accountId, 'hour', bucketOf(h), new Date(h + HOUR).toISOString());
    return hours.reduce((sum, x) => sum + x.calls, 0);
  };
  /** A client whose writes of the `maps` rollup fail (throttled past the SDK's retries) while `failing.on`. */
  const throttlingMaps = () => {
    const state = { on: true };
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const input = command.input as {
          TableName?: string;
          Key?: { sk?: string };
          TransactItems?: { Update?: { Key?: { sk?: string } } }[];
        };
        const touchesMaps =
          (command.constructor.name === 'UpdateCommand' &&
            input.TableName === 'usageAggregates' &&
            String(input.Key?.sk).includes('#maps')) ||
          (command.constructor.name === 'TransactWriteCommand' &&
            (input.TransactItems ?? []).some((t) => String(t.Update?.Key?.sk).includes('#maps')));
        if (state.on && touchesMaps) {
          // The other products' writes land first.
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('throttled');
        }
        return dynamo.client.send(command as never);
      },
    } as unknown as typeof dynamo.client;
    return { client, state };
  };

  it('a sweep run that fails after some products’ creates landed: the next run counts the rest (hour with a step)', async () => {
    const acc = 'acc_partial_sweep';
    const at = hour;
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

  it('the usage API stays exact while a sweep run has written one product’s rollup and not yet (or never) the other’s', async () => {
    const acc = 'acc_partial_reader';
    const at = hour + 2 * HOUR;
    await record([event(acc, 0, new Date(at + 60_000), 1)], at + 2 * 60_000);
    await record([event(acc, 1, new Date(at + 40 * 60_000), 1, 'maps')], at + 41 * 60_000);
    expect(await readerTotal(acc, at)).toBe(2);
    const run = at + HOUR + STEP_LAG_MS + 60_000;
    const { client } = throttlingMaps();
    await expect(new DynamoDbUsageStore(client, tables, undefined, Date.now, 1_000_000).finishHours(run - 120_000, run)).rejects.toThrow(
      'throttled',
    );
    expect(await readerTotal(acc, at)).toBe(2);
    await new DynamoDbUsageStore(dynamo.client, tables, undefined, Date.now, 1_000_000).finishHours(run - 120_000, run + 15 * 60_000);
    expect(await countedOf(acc, at)).toBe(2);
    expect(await readerTotal(acc, at)).toBe(2);
  });

  it('a worker step that fails after one product’s rollup landed, then is redelivered: no call lost', async () => {
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
    await new DynamoDbUsageStore(dynamo.client, tables, undefined, Date.now, 1).finishHours(run - 120_000, run);
    expect(await countedOf(acc, at)).toBe(4);
    expect(await readerTotal(acc, at)).toBe(4);
    // And before the sweep, while the hour runs: the reader must not skip maps' call at +2 min.
    expect(midHour).toBe(4);
  });
});
