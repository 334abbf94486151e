import { DynamoDbUsageStore, STEP_LAG_MS, SweepFailed } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import {
  DynamoDbUsageLogs,
  SWEEP_SHARDS,
  sweepWeekMarkerItem,
  WEEK_MS,
  weekEndOf,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { queryAll } from '../../../lambdas/shared/dynamodb-query';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { allCounted, singlesCounted } from '../../helpers/singles-rollups';
import { slotCall } from '../../helpers/usage-event';
import { USAGE_TABLES } from '../../helpers/usage-worker';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const settings = { of: async () => ({ analytics: true }) };
/** Taken before the clock is mocked: the scenarios' periods lie weeks before it. */
const NOW = Date.now();
const periodStart = (back: number) => weekEndOf(NOW) + 1 - back * WEEK_MS;

/**
 * The week pass under the sweep's failure modes — runs that failed for a day and catch up over the
 * period's end, run out of time in the week list's shards, meet an account that cannot be counted
 * there, overlap — and erasure mid-period and just after a period's end: every lone call counted once,
 * the usage API (and the export, which reads it from the epoch) exact at every step.
 */
describe('week lists under failing, catching-up and overlapping sweep runs, and erasure', () => {
  let dynamo: LocalDynamo;
  let clock = 0;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Each call handed alone to a worker a minute after it was made. */
  const recordAlone = async (events: UsageEvent[]) => {
    for (const event of events) {
      clock = Date.parse(event.at) + MINUTE;
      const store = new DynamoDbUsageStore(dynamo.client, USAGE_TABLES, undefined, () => clock);
      await recordUsageBatch([{ messageId: event.requestId, body: JSON.stringify(event) }], { store, settings });
    }
  };
  const aggregatesOf = (accountId: string) =>
    queryAll(dynamo.client, {
      TableName: 'usageAggregates',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}#H` },
    });
  /** What the usage API answers per day, and the export (hours from the epoch) in all. */
  const answered = async (accountId: string) => {
    const reader = new DynamoDbUsageReader(dynamo.client, USAGE_TABLES);
    const days: Record<string, number> = {};
    for (const b of await reader.aggregates(accountId, 'day', '2020-01-01T00:00:00Z', new Date(clock).toISOString()))
      days[b.bucket.slice(0, 10)] = (days[b.bucket.slice(0, 10)] ?? 0) + b.calls;
    const exported = (await reader.aggregates(accountId, 'hour', new Date(0).toISOString(), new Date(clock).toISOString())).reduce(
      (sum, b) => sum + b.calls,
      0,
    );
    return { days, exported };
  };
  const truth = (events: UsageEvent[], accountId: string) => {
    const days: Record<string, number> = {};
    for (const e of events.filter((e) => e.accountId === accountId)) days[e.at.slice(0, 10)] = (days[e.at.slice(0, 10)] ?? 0) + 1;
    return { days, exported: Object.values(days).reduce((a, b) => a + b, 0) };
  };
  /** The sweep's clock at `at`, through a client that can fail one account's counting. */
  const sweeper = (failing?: { accountId: string }) =>
    new DynamoDbUsageStore(
      {
        send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          const values = (command.input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
          if (failing && command.constructor.name === 'QueryCommand' && values[':pk'] === `ACCOUNT#${failing.accountId}`)
            throw new Error('throttled');
          return dynamo.client.send(command as never);
        },
      } as unknown as typeof dynamo.client,
      USAGE_TABLES,
    );

  it('finishes the week after hours of failed runs, a run out of time in its shards with a failing account, and overlapping runs: once each', async () => {
    const start = periodStart(4);
    const end = start + WEEK_MS;
    const accounts = Array.from({ length: 12 }, (_, i) => `acc_wrun_${String(i).padStart(2, '0')}`);
    // One or two lone calls each on days of the period, the last at its last millisecond; one account's next at the first of the next.
    const events = accounts.flatMap((id, i) => [
      slotCall(id, 1, start + (i % 7) * DAY + (3 + i) * HOUR, { lone: true }),
      ...(i % 3 === 0 ? [slotCall(id, 2, end - 1, { lone: true })] : []),
      ...(i === 3 ? [slotCall(id, 3, end, { lone: true })] : []),
    ]);
    await recordAlone(events.filter((e) => Date.parse(e.at) < end - 2 * HOUR));
    /** The accounts in the order the sweep reads the week list: shard by shard, then by id. */
    const listOrder = [...accounts].sort(
      (a, b) => sweepWeekMarkerItem(start, a).pk.localeCompare(sweepWeekMarkerItem(start, b).pk) || a.localeCompare(b),
    );
    const failing = listOrder[2]!;

    // The sweep runs until three hours before the period's end, then fails for hours; calls go on being recorded.
    clock = end - 3 * HOUR + STEP_LAG_MS + MINUTE;
    await sweeper().sweep(clock, clock - HOUR);
    await recordAlone(events.filter((e) => Date.parse(e.at) >= end - 2 * HOUR));
    for (const id of accounts) expect(await answered(id)).toEqual(truth(events, id));

    // The run two hours after the period's end catches up: time for five accounts, and the third in the week list cannot be counted.
    clock = end + 2 * HOUR;
    let left = 5;
    const run = sweeper({ accountId: failing }).sweep(clock, 0, () => left-- > 0);
    await expect(run).rejects.toThrow(SweepFailed);
    const cursor = (
      await queryAll(dynamo.client, {
        TableName: 'usageAggregates',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'SWEEP#CURSOR' },
      })
    )[0]!;
    // The hours before the period's last were finished; its mark is in the week list, before the failing account.
    expect(Number(cursor.through)).toBe(end - HOUR + STEP_LAG_MS);
    expect(cursor).toMatchObject({ hour: end - HOUR });
    expect(Number(cursor.shard)).toBeGreaterThanOrEqual(SWEEP_SHARDS);
    expect(Number(cursor.shard)).toBeLessThanOrEqual(SWEEP_SHARDS + Number(sweepWeekMarkerItem(start, failing).pk.slice(-2)));
    for (const id of accounts) expect(await answered(id)).toEqual(truth(events, id));
    expect(allCounted(await aggregatesOf(failing), failing).calls).toBe(0);

    // Two runs overlap an hour later, and the failure is gone: each account's calls counted once, every day finished.
    clock = end + 3 * HOUR;
    await Promise.all([sweeper().sweep(clock, 0), sweeper().sweep(clock + MINUTE, 0)]);
    for (const id of accounts) {
      const aggregates = await aggregatesOf(id);
      const mine = events.filter((e) => e.accountId === id && Date.parse(e.at) < end);
      expect({ id, counted: allCounted(aggregates, id).calls }).toEqual({ id, counted: mine.length });
      expect(singlesCounted(aggregates, id).every((tally) => tally.n === tally.calls && tally.calls >= 1)).toBe(true);
      expect(await answered(id)).toEqual(truth(events, id));
    }
    // The next period's first millisecond waits for its own week.
    expect(singlesCounted(await aggregatesOf(accounts[3]!), accounts[3]!).map((t) => t.bucket)).not.toContain(
      new Date(end).toISOString().replace('.000Z', 'Z'),
    );
  });

  it('erases mid-period and just after the period’s end before its pass: nothing listed, nothing counted back after', async () => {
    const start = periodStart(6);
    const end = start + WEEK_MS;
    const events = [
      ...[0, 1, 2].map((d) => slotCall('acc_werase_mid', d + 1, start + d * DAY + 5 * HOUR, { lone: true })),
      ...[0, 3, 6].map((d, i) => slotCall('acc_werase_end', i + 1, start + d * DAY + 7 * HOUR, { lone: true })),
      slotCall('acc_werase_end', 4, end - 1, { lone: true }),
    ];
    await recordAlone(events);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const lists = async (accountId: string) =>
      (await dynamo.scanAll()).usageLogs.filter((item) => String(item.pk).startsWith('SWEEP#') && item.sk === accountId);
    // Mid-period, and two minutes after its end (the week's pass runs at five).
    clock = start + 3 * DAY + 12 * HOUR;
    while ((await logs.erasePage('acc_werase_mid', 2)).remaining);
    clock = end + 2 * MINUTE;
    expect(await answered('acc_werase_end')).toEqual(truth(events, 'acc_werase_end'));
    while ((await logs.erasePage('acc_werase_end', 2)).remaining);
    expect(await lists('acc_werase_mid')).toEqual([]);
    expect(await lists('acc_werase_end')).toEqual([]);
    clock = end + STEP_LAG_MS + MINUTE;
    await sweeper().finishHours(clock - 2 * MINUTE, clock);
    for (const id of ['acc_werase_mid', 'acc_werase_end']) {
      expect(await aggregatesOf(id)).toEqual([]);
      expect(await answered(id)).toEqual({ days: {}, exported: 0 });
    }
  });

  it('finishes the last day of an account whose only item or list entry was written moments before the pass, which an eventually consistent read would miss', async () => {
    const start = periodStart(8);
    const end = start + WEEK_MS;
    /** A client whose eventually consistent queries of the logs miss items created in the second before (the scenario's clock). */
    const created = new Map<string, number>();
    const eventual = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const { input } = command;
        const name = command.constructor.name;
        if ((name === 'PutCommand' || name === 'UpdateCommand') && input.TableName === 'usageLogs') {
          const key = (input.Item ?? input.Key) as { pk: string; sk: string };
          if (!created.has(`${key.pk}|${key.sk}`)) created.set(`${key.pk}|${key.sk}`, clock);
        }
        const output = (await dynamo.client.send(command as never)) as { Items?: Record<string, unknown>[] };
        if (name === 'QueryCommand' && input.TableName === 'usageLogs' && !input.ConsistentRead && output.Items) {
          const pk = String((input.ExpressionAttributeValues as Record<string, unknown>)[':pk']);
          output.Items = output.Items.filter((item) => !((created.get(`${pk}|${item.sk}`) ?? Number.NEGATIVE_INFINITY) > clock - 1_000));
        }
        return output;
      },
    } as unknown as typeof dynamo.client;
    const early = slotCall('acc_wlag', 1, start + 2 * DAY + 9 * HOUR, { lone: true });
    const last = slotCall('acc_wlag', 2, end - 1, { lone: true });
    // Accounts whose only call of the period (lone), or of the day (not lone: the day list), is its last millisecond's.
    const onlyLone = slotCall('acc_wlag_once', 1, end - 1, { lone: true });
    const onlyOfDay = slotCall('acc_dlag_once', 1, end - 1);
    for (const [event, writtenAt] of [
      [early, Date.parse(early.at) + MINUTE],
      // On time (its hour's step lag not yet over), a moment before the sweep's run.
      [last, end + STEP_LAG_MS - 200],
      [onlyLone, end + STEP_LAG_MS - 150],
      [onlyOfDay, end + STEP_LAG_MS - 100],
    ] as const) {
      clock = writtenAt;
      const store = new DynamoDbUsageStore(eventual, USAGE_TABLES, undefined, () => clock);
      await recordUsageBatch([{ messageId: event.requestId, body: JSON.stringify(event) }], { store, settings });
    }
    clock = end + STEP_LAG_MS;
    await new DynamoDbUsageStore(eventual, USAGE_TABLES).finishHours(clock - MINUTE, clock);
    const lastHour = `${last.at.slice(0, 13)}:00:00Z`;
    const counted = async (accountId: string) =>
      singlesCounted(await aggregatesOf(accountId), accountId).map((t) => [t.bucket, t.calls] as [string, number]);
    expect(await counted('acc_wlag')).toEqual([
      [`${early.at.slice(0, 13)}:00:00Z`, 1],
      [lastHour, 1],
    ]);
    expect(await counted('acc_wlag_once')).toEqual([[lastHour, 1]]);
    expect(await counted('acc_dlag_once')).toEqual([[lastHour, 1]]);
  });
});
