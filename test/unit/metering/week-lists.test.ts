import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageStore, STEP_LAG_MS, WEEK_LIST_MIN_RETENTION_DAYS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import {
  DynamoDbUsageLogs,
  SWEEP_SHARDS,
  sweepMarkerItem,
  sweepWeekMarkerItem,
  WEEK_MS,
  weekEndOf,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { ITEMS } from '../../../lambdas/shared/items';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { allCounted } from '../../helpers/singles-rollups';
import { slotCall } from '../../helpers/usage-event';
import { USAGE_TABLES } from '../../helpers/usage-worker';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const settings = { of: async () => ({ analytics: true }) };

/** A seven-day period wholly past, `back` periods before the current one. */
const periodStart = (back: number) => weekEndOf(Date.now()) + 1 - (back + 1) * WEEK_MS;
/** The first sweep run after the period's last hour closed (its end, the step lag, a few minutes). */
const afterPeriod = (start: number) => start + WEEK_MS + 10 * MINUTE;
/** Four calls a day at the hours given, each after a long silence (the gateway's `lone` mark), numbered on from `seq`. */
const quietDays = (accountId: string, start: number, days: number, hours = [3, 9, 15, 21], seq = 100) =>
  Array.from({ length: days }, (_, d) =>
    hours.map((h, i) => slotCall(accountId, seq + d * hours.length + i, start + d * DAY + h * HOUR, { lone: true })),
  ).flat();

/**
 * An account whose calls all come after long silences (lone calls, in day slots) is listed once a
 * seven-day period, not once a day, and the sweep finishes each of its days at the period's end:
 * counted exactly once, readable throughout, erased with the account.
 */
describe('week lists: lone calls list their account once a seven-day period', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const lists = async () => (await dynamo.scanAll()).usageLogs.filter((item) => String(item.pk).startsWith('SWEEP#'));
  const dayItems = async (accountId: string) =>
    (await dynamo.scanAll()).usageAggregates.filter((item) => item.pk === `ACCOUNT#${accountId}#H` && ITEMS.singlesDay.matches(item));
  const weekItems = async (accountId: string) =>
    (await dynamo.scanAll()).usageAggregates.filter((item) => item.pk === `ACCOUNT#${accountId}#H` && ITEMS.singlesWeek.matches(item));
  const weekSk = (start: number) => `W#${new Date(start + WEEK_MS - 1).toISOString().slice(0, 10)}`;
  const reader = () => new DynamoDbUsageReader(dynamo.client, USAGE_TABLES);
  const bucket = (at: number) => new Date(at).toISOString().replace('.000Z', 'Z');
  /** The containers' clock: a minute after the call each records (on time, so no call is late). */
  let clock = 0;
  const container = () => new DynamoDbUsageStore(dynamo.client, USAGE_TABLES, undefined, () => clock);
  /** Each call handed alone, a minute after it was made, to one of `containers` (as gateway containers record lone calls), in turn. */
  const recordAlone = async (events: UsageEvent[], containers: DynamoDbUsageStore[] = [container()]) => {
    for (const [i, event] of events.entries()) {
      clock = Date.parse(event.at) + MINUTE;
      await recordUsageBatch([{ messageId: `${event.requestId}#${i}`, body: JSON.stringify(event) }], {
        store: containers[i % containers.length]!,
        settings,
      });
    }
  };
  /** A client that counts the puts of days' singles rollups, and the queries of each account's partitions. */
  const watched = () => {
    const puts: string[] = [];
    const queries: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const { input } = command;
        if (command.constructor.name === 'PutCommand' && input.TableName === 'usageAggregates')
          puts.push(String((input.Item as { pk: string; sk: string }).sk));
        if (command.constructor.name === 'QueryCommand')
          queries.push(String((input.ExpressionAttributeValues as Record<string, unknown>)[':pk']));
        return dynamo.client.send(command as never);
      },
    } as unknown as typeof dynamo.client;
    return { client, puts, queries };
  };

  it('lists an account calling four times a day once for its week, lets the usage API count its days from their slots, and finishes all seven at the week’s end in one write, once', async () => {
    const start = periodStart(2);
    const events = quietDays('acc_week', start, 7);
    // Two gateway containers meet the account in turn: each checks the week list once, and one entry is written.
    await recordAlone(events, [container(), container()]);
    const mine = (await lists()).filter((item) => item.sk === 'acc_week');
    expect(mine).toEqual([expect.objectContaining(sweepWeekMarkerItem(start, 'acc_week'))]);
    expect(mine[0]!.pk).toBe(`SWEEP#W#${new Date(start + WEEK_MS - 1).toISOString().slice(0, 10)}#${String(mine[0]!.pk).slice(-2)}`);

    const from = bucket(start);
    const to = bucket(start + WEEK_MS - HOUR);
    // Summed over the day's products.
    const perDay = async () => {
      const days: Record<string, number> = {};
      for (const b of await reader().aggregates('acc_week', 'day', from, to))
        days[b.bucket.slice(0, 10)] = (days[b.bucket.slice(0, 10)] ?? 0) + b.calls;
      return days;
    };
    const fourEachDay = Object.fromEntries(Array.from({ length: 7 }, (_, d) => [new Date(start + d * DAY).toISOString().slice(0, 10), 4]));
    // The days' ends pass: the day lists do not name the account, nothing is counted yet, and the usage API reads the slots.
    const sweeper = watched();
    const store = new DynamoDbUsageStore(sweeper.client, USAGE_TABLES);
    await store.finishHours(start, start + WEEK_MS - HOUR + 10 * MINUTE);
    expect(await dayItems('acc_week')).toEqual([]);
    expect(await perDay()).toEqual(fourEachDay);

    // The week's last hour closes: every day is finished in one put of the week's rollup, after three queries for the
    // whole week (its calls' two key ranges, its days' rollups) and a read of the week item, not three queries and a put a day.
    const queriedBefore = sweeper.queries.length;
    await store.finishHours(start + WEEK_MS - HOUR + 10 * MINUTE, afterPeriod(start));
    expect(sweeper.queries.slice(queriedBefore).filter((pk) => pk.startsWith('ACCOUNT#acc_week'))).toHaveLength(3);
    expect(await dayItems('acc_week')).toEqual([]);
    const [week] = await weekItems('acc_week');
    expect(week).toMatchObject({ sk: weekSk(start), f: start + WEEK_MS - 1, v: 1 });
    expect(Object.keys(week!.h as object)).toHaveLength(28);
    expect(sweeper.puts).toEqual([weekSk(start)]);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_week').calls).toBe(28);
    expect(await perDay()).toEqual(fourEachDay);
    // The usage API reads no slot of a finished week: its items alone answer.
    const logQueries = dynamo.calls('Query usageLogs');
    expect(await perDay()).toEqual(fourEachDay);
    expect(dynamo.calls('Query usageLogs')).toBe(logQueries);

    // A run over the same hour again (a retry, an overlapping run) counts nothing twice and writes nothing.
    await store.finishHours(start + WEEK_MS - HOUR + 10 * MINUTE, afterPeriod(start));
    expect(sweeper.puts).toEqual([weekSk(start)]);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_week').calls).toBe(28);
  });

  it('counts once a day its day list finished too, and costs an account calling once a week one day’s count', async () => {
    const start = periodStart(3);
    // Lone calls on three days; on the second a burst of ordinary calls lists the day, which its end finishes.
    const lone = quietDays('acc_both', start, 3, [4, 16]);
    const burst = [0, 1, 2].map((i) => slotCall('acc_both', 200 + i, start + DAY + 16 * HOUR + (i + 1) * MINUTE));
    const once = [slotCall('acc_once', 7, start + 4 * DAY + 12 * HOUR, { lone: true })];
    await recordAlone([...lone, ...once]);
    clock = Date.parse(burst[2]!.at) + MINUTE;
    await recordUsageBatch(
      burst.map((e) => ({ messageId: e.requestId, body: JSON.stringify(e) })),
      { store: container(), settings },
    );
    expect((await lists()).filter((item) => item.sk === 'acc_both').map((item) => item.pk)).toEqual(
      expect.arrayContaining([
        sweepWeekMarkerItem(start, 'acc_both').pk,
        sweepMarkerItem(new Date(start + DAY).toISOString().slice(0, 10), 'acc_both').pk,
      ]),
    );
    const sweeper = watched();
    const store = new DynamoDbUsageStore(sweeper.client, USAGE_TABLES);
    await store.finishHours(start, start + 2 * DAY + 10 * MINUTE);
    // The second day was finished at its end, with its lone calls.
    expect((await dayItems('acc_both')).map((item) => String(item.sk).slice(0, 10))).toEqual([
      new Date(start + DAY).toISOString().slice(0, 10),
    ]);
    await store.finishHours(start + 2 * DAY + 10 * MINUTE, afterPeriod(start));
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_both').calls).toBe(lone.length + burst.length);
    // The first and third days in the week's item; the second stays its day list's.
    const [both] = await weekItems('acc_both');
    expect(Object.keys(both!.h as object).map((name) => name.slice(0, 1))).toEqual(['0', '0', '2', '2']);
    // The weekly caller: its one day read and written, none of its six empty days.
    expect(await dayItems('acc_once')).toEqual([]);
    expect(await weekItems('acc_once')).toEqual([expect.objectContaining({ h: { '412#echo': expect.any(String) } })]);
    expect(sweeper.puts).toEqual([`${new Date(start + DAY).toISOString().slice(0, 10)}#S`, weekSk(start), weekSk(start)]);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_once').calls).toBe(1);
  });

  it('finishes the period a sweep outage longer than its catch-up skipped the end of, while its week list is kept', async () => {
    const start = periodStart(6);
    await recordAlone(quietDays('acc_outage', start, 7, [10]));
    // The last run got to the period's sixth day; the next comes 50 hours after the period's end, past the catch-up.
    await dynamo.client.send(
      new PutCommand({ TableName: 'usageAggregates', Item: { ...ITEMS.sweepCursor.key({}), through: start + 5 * DAY } }),
    );
    const now = start + WEEK_MS + 50 * HOUR;
    const { since } = await new DynamoDbUsageStore(dynamo.client, USAGE_TABLES).sweep(now, now - 30 * MINUTE);
    expect(since).toBeGreaterThan(start + WEEK_MS + STEP_LAG_MS);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_outage').calls).toBe(7);
    expect(await weekItems('acc_outage')).toEqual([expect.objectContaining({ sk: weekSk(start), f: start + WEEK_MS - 1 })]);
  });

  it('counts the days in day items when the week item would outgrow its limit (many products an hour), exactly once', async () => {
    const start = periodStart(7);
    await recordAlone(quietDays('acc_wide', start, 3));
    // A limit of a few entries stands for DynamoDB's 400 KB.
    const store = new DynamoDbUsageStore(dynamo.client, USAGE_TABLES, undefined, undefined, undefined, 300);
    await store.finishHours(start + WEEK_MS - HOUR + 10 * MINUTE, afterPeriod(start));
    expect(await weekItems('acc_wide')).toEqual([]);
    expect((await dayItems('acc_wide')).map((item) => item.f)).toEqual([0, 1, 2].map((d) => start + (d + 1) * DAY - 1));
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_wide').calls).toBe(12);
    const days = await reader().aggregates('acc_wide', 'day', bucket(start), bucket(start + WEEK_MS - HOUR));
    expect(days.reduce((sum, b) => sum + b.calls, 0)).toBe(12);
  });

  it('goes on from where a run out of time stopped in the week list, skipping and repeating no account', async () => {
    const start = periodStart(4);
    const accounts = Array.from({ length: 30 }, (_, i) => `acc_wlim_${String(i).padStart(2, '0')}`);
    await recordAlone(accounts.map((id, i) => slotCall(id, 1, start + (i % 7) * DAY + 5 * HOUR, { lone: true })));
    const store = new DynamoDbUsageStore(dynamo.client, USAGE_TABLES);
    const last = start + WEEK_MS - HOUR;
    const marks: number[] = [];
    let resumeAccount: string | undefined;
    // Each run has time for 7 accounts; the next goes on from its mark.
    for (let run = 0; run < 10; run++) {
      let left = 7;
      // The week's last hour alone (its end and the step lag just past `since`).
      const { stoppedAt } = await store.finishHours(last + HOUR + 5 * MINUTE - 1, afterPeriod(start), undefined, {
        timeLeft: () => left-- > 0,
        resume: marks.length ? { hour: last, shard: marks.at(-1)!, account: resumeAccount } : undefined,
        stopped: async (mark) => {
          marks.push(mark.shard);
          resumeAccount = mark.account;
        },
      });
      if (!stoppedAt) break;
    }
    expect(marks.length).toBeGreaterThanOrEqual(4);
    expect(marks.every((shard) => shard >= SWEEP_SHARDS)).toBe(true);
    for (const id of accounts) expect(allCounted((await dynamo.scanAll()).usageAggregates, id).calls).toBe(1);
  });

  it('keeps lone calls on the day list when the logs are kept under ten days, and finishes a week entry made before at each day’s end', async () => {
    const start = periodStart(5);
    await recordAlone([slotCall('acc_short', 1, start + 2 * HOUR, { lone: true })]);
    const saved = process.env.USAGE_LOG_RETENTION_DAYS;
    process.env.USAGE_LOG_RETENTION_DAYS = String(WEEK_LIST_MIN_RETENTION_DAYS - 1);
    try {
      await recordAlone([slotCall('acc_short', 2, start + DAY + 2 * HOUR, { lone: true })]);
      expect((await lists()).filter((item) => item.sk === 'acc_short').map((item) => item.pk)).toEqual(
        expect.arrayContaining([
          sweepWeekMarkerItem(start, 'acc_short').pk,
          sweepMarkerItem(new Date(start + DAY).toISOString().slice(0, 10), 'acc_short').pk,
        ]),
      );
      // The first day's end finishes the week entry's day (in the week's item); the second's, the day list's.
      const store = new DynamoDbUsageStore(dynamo.client, USAGE_TABLES);
      await store.finishHours(start, start + DAY + 10 * MINUTE);
      expect(await weekItems('acc_short')).toEqual([expect.objectContaining({ f: start + DAY - 1 })]);
      expect(await dayItems('acc_short')).toEqual([]);
      await store.finishHours(start + DAY + 10 * MINUTE, start + 2 * DAY + 10 * MINUTE);
      expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_short').calls).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.USAGE_LOG_RETENTION_DAYS;
      else process.env.USAGE_LOG_RETENTION_DAYS = saved;
    }
  });

  it('agrees with the calls stored through a mid-period pass, the period-end pass run three times at once, and late and redelivered calls after it', async () => {
    const start = periodStart(1);
    const id = 'acc_wrace';
    // Lone calls every day at 05:00 and 17:00 (echo and maps by turn); on the third day also a burst of ordinary calls (its day list).
    const lone = quietDays(id, start, 7, [5, 17]);
    const burst = [0, 1, 2].map((i) => slotCall(id, 300 + i, start + 2 * DAY + 17 * HOUR + (i + 1) * MINUTE));
    const stored = new Map<string, UsageEvent>();
    const deliver = async (events: UsageEvent[], at: number) => {
      clock = at;
      await recordUsageBatch(
        events.map((e, i) => ({ messageId: `${e.requestId}@${at}#${i}`, body: JSON.stringify(e) })),
        { store: container(), settings },
      );
      for (const e of events) stored.set(e.requestId, e);
    };
    const store = new DynamoDbUsageStore(dynamo.client, USAGE_TABLES);
    /** The usage API against a count of the calls stored, by hour and by day, over the period and over a range inside it, with and without a product filter. */
    const agrees = async (when: string) => {
      const ranges = [
        [start, start + WEEK_MS - HOUR],
        [start + DAY + 12 * HOUR, start + 5 * DAY + 6 * HOUR],
      ] as const;
      for (const [from, to] of ranges)
        for (const granularity of ['hour', 'day'] as const)
          for (const product of [undefined, 'maps']) {
            const want = new Map<string, number>();
            for (const e of stored.values()) {
              const at = Date.parse(e.at);
              if (at < Math.floor(from / HOUR) * HOUR || at >= Math.floor(to / HOUR) * HOUR + HOUR || (product && e.product !== product))
                continue;
              const key = `${granularity === 'day' ? `${e.at.slice(0, 10)}T00:00:00Z` : bucket(Math.floor(at / HOUR) * HOUR)}#${e.product}`;
              want.set(key, (want.get(key) ?? 0) + 1);
            }
            const got = (await reader().aggregates(id, granularity, bucket(from), bucket(to), product)).map((b) => [
              `${b.bucket}#${b.product}`,
              b.calls,
            ]);
            expect({ when, from: bucket(from), granularity, product, got: Object.fromEntries(got) }).toEqual({
              when,
              from: bucket(from),
              granularity,
              product,
              got: Object.fromEntries([...want].sort(([a], [b]) => a.localeCompare(b))),
            });
          }
    };
    for (const e of lone.filter((e) => Date.parse(e.at) < start + 2 * DAY + 17 * HOUR)) await deliver([e], Date.parse(e.at) + MINUTE);
    await deliver(burst, Date.parse(burst[2]!.at) + MINUTE);
    for (const e of lone.filter((e) => Date.parse(e.at) >= start + 2 * DAY + 17 * HOUR)) await deliver([e], Date.parse(e.at) + MINUTE);
    await agrees('before any pass');
    // The day ends pass; on the fifth day, the week lists are finished as `ops usage retention` does before it shortens the expiry.
    await store.finishHours(start, start + 4 * DAY + 10 * MINUTE);
    await store.finishWeekLists(start + 4 * DAY + 12 * HOUR);
    await agrees('after the mid-period pass');
    await store.finishHours(start + 4 * DAY + 10 * MINUTE, start + WEEK_MS - HOUR + 10 * MINUTE);
    // The period's end: three runs at once (a retry meeting the run it retries, an overlapping schedule).
    await Promise.all(
      [0, 1, 2].map(() =>
        new DynamoDbUsageStore(dynamo.client, USAGE_TABLES).finishHours(start + WEEK_MS - HOUR + 10 * MINUTE, afterPeriod(start)),
      ),
    );
    await agrees('after the period-end pass');
    expect(allCounted((await dynamo.scanAll()).usageAggregates, id).calls).toBe(stored.size);
    // Late calls in hours the passes counted (a new product in one of them), and a redelivery, after the period's end.
    const late = [
      slotCall(id, 400, start + 5 * HOUR + 7 * MINUTE, { lone: true, product: 'geo' }),
      slotCall(id, 401, start + 5 * DAY + 5 * HOUR + 30 * MINUTE, { product: 'geo' }),
      slotCall(id, 402, start + 3 * DAY + 17 * HOUR + 40 * MINUTE, { product: 'echo' }),
    ];
    await deliver([late[0]!, lone[3]!], afterPeriod(start) + HOUR);
    await agrees('after a late call and a redelivery');
    await Promise.all([deliver([late[1]!], afterPeriod(start) + 2 * HOUR), store.finishWeekLists(afterPeriod(start) + 2 * HOUR)]);
    await deliver([late[2]!, lone[9]!], afterPeriod(start) + 3 * HOUR);
    await agrees('after more late calls');
    await store.finishHours(afterPeriod(start), afterPeriod(start) + DAY);
    await agrees('after the next day’s end');
    expect(allCounted((await dynamo.scanAll()).usageAggregates, id).calls).toBe(stored.size);
  });

  it('takes the account off this and the last week list when it is erased', async () => {
    const now = Date.now();
    await recordAlone([slotCall('acc_wgone', 1, now - WEEK_MS, { lone: true }), slotCall('acc_wgone', 2, now - MINUTE, { lone: true })]);
    expect((await lists()).filter((item) => item.sk === 'acc_wgone')).toHaveLength(2);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    while ((await logs.erasePage('acc_wgone', 100)).remaining);
    expect((await lists()).filter((item) => item.sk === 'acc_wgone')).toEqual([]);
  });
});
