import { DynamoDbUsageStore, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';
import { afterDayOf, singlesCounted } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';
import { sweepMarkerItem } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const event = (accountId: string, i: number, at: number, product = 'echo') => usageEvent(accountId, i, at, 1, product);

describe('the sweep cursor under overlapping, failing, late and catching-up runs', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  const tables = USAGE_TABLES;
  const settings = { of: async () => ({ analytics: true }) };
  const record = (calls: UsageEvent[], clock: number) => recordAt(dynamo.client, calls, clock, { tallyEvery: 1_000_000 });
  const scan = async () => (await dynamo.scanAll()).usageAggregates;
  const cursorOf = async () => Number((await scan()).find((item) => item.pk === 'SWEEP#CURSOR')?.through);
  const countedByHour = async (accountId: string) => {
    const byHour = new Map<string, number>();
    for (const item of singlesCounted(await scan(), accountId)) byHour.set(item.bucket, (byHour.get(item.bucket) ?? 0) + item.calls);
    return byHour;
  };
  /** A store whose run fails (times out) at its (k+1)th hour: the account is on its days' lists alone, read once an hour (its list's shard). */
  const failingAfter = (k: number, delayMs = 0) => {
    let hours = 0;
    const shard = `#${sweepMarkerItem('any day', 'acc_cursor_chaos').pk.split('#').pop()}`;
    return new DynamoDbUsageStore(
      {
        send: async (command: { constructor: { name: string }; input: { ExpressionAttributeValues?: Record<string, unknown> } }) => {
          const pk = String(command.input.ExpressionAttributeValues?.[':pk'] ?? '');
          if (command.constructor.name === 'QueryCommand' && pk.startsWith('SWEEP#') && pk.endsWith(shard)) {
            await new Promise((r) => setTimeout(r, delayMs));
            if (++hours > k) throw new Error('timed out');
          }
          return dynamo.client.send(command as never);
        },
      } as unknown as typeof dynamo.client,
      tables,
    );
  };

  // Its own days, so no other test's accounts are on its lists.
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 30 * 86_400_000;

  it('first run (no cursor), a catch-up of more than a day that fails half-way, overlapping runs, a late retry of an old event', async () => {
    const acc = 'acc_cursor_chaos';
    // One call in each of 40 hours, from 02:00 of day 0 to 17:00 of day 1, each written at once.
    const hours = Array.from({ length: 40 }, (_, i) => day + 2 * HOUR + i * HOUR);
    for (const [i, h] of hours.entries()) await record([event(acc, i, h + 10 * MINUTE, i % 3 ? 'echo' : 'maps')], h + 11 * MINUTE);
    const closes = (h: number) => h + HOUR + STEP_LAG_MS;
    // The first run after deploy: two runs' span, so it finishes 02:00 (closes 03:05) only.
    const first = closes(hours[0]!) + 10 * MINUTE;
    expect(await new DynamoDbUsageStore(dynamo.client, tables).sweep(first, first - 30 * MINUTE)).toMatchObject({ hours: 1 });
    expect(await cursorOf()).toBe(first);
    // The sweep stops for 30 hours; the run after catches up but fails at the 20th hour: the cursor is past the 19 it finished.
    const catchUp = first + 30 * HOUR;
    await expect(failingAfter(19).sweep(catchUp, 0)).rejects.toThrow('timed out');
    expect(await cursorOf()).toBe(closes(hours[19]!));
    // Two runs overlap (the retry of that run and the next one, a quarter on); one fails again, the other finishes all.
    const next = catchUp + 15 * MINUTE;
    const results = await Promise.allSettled([
      failingAfter(5, 5).sweep(catchUp, 0),
      new DynamoDbUsageStore(dynamo.client, tables).sweep(next, 0),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(await cursorOf()).toBe(next);
    // A late retry of an old event finishes nothing and leaves the cursor.
    expect(await new DynamoDbUsageStore(dynamo.client, tables).sweep(first + 15 * MINUTE, 0)).toMatchObject({ hours: 0 });
    expect(await cursorOf()).toBe(next);
    // Every hour of the day that ended by `next` counted exactly once (a call an hour: its hours wait for the day's end).
    const counted = await countedByHour(acc);
    const closed = hours.filter((h) => afterDayOf(h) <= next);
    expect(closed.length).toBe(22);
    for (const h of closed)
      expect([new Date(h).toISOString(), counted.get(new Date(h).toISOString().replace('.000Z', 'Z'))]).toEqual([
        new Date(h).toISOString(),
        1,
      ]);
    expect(hours.filter((h) => counted.has(new Date(h).toISOString().replace('.000Z', 'Z')))).toHaveLength(22);
    // And the next day's hours are finished by the runs that follow, at its end.
    const last = afterDayOf(hours.at(-1)!);
    await new DynamoDbUsageStore(dynamo.client, tables).sweep(last, 0);
    const after = await countedByHour(acc);
    expect(hours.map((h) => after.get(new Date(h).toISOString().replace('.000Z', 'Z')))).toEqual(hours.map(() => 1));
  });

  /** A sweeper that, right after it read an hour's calls (and before it writes), lets `meanwhile` run. */
  const interleaved = (meanwhile: () => Promise<unknown>) => {
    let done = false;
    return new DynamoDbUsageStore(
      {
        send: async (command: {
          constructor: { name: string };
          input: { TableName?: string; ConsistentRead?: boolean; Limit?: number; ExpressionAttributeValues?: Record<string, unknown> };
        }) => {
          const result = await dynamo.client.send(command as never);
          if (
            !done &&
            command.constructor.name === 'QueryCommand' &&
            command.input.TableName === 'usageLogs' &&
            command.input.ConsistentRead &&
            // The calls, not the sweep list (read consistently too, before them).
            !String(command.input.ExpressionAttributeValues?.[':pk']).startsWith('SWEEP#')
          ) {
            done = true;
            await meanwhile();
          }
          return result;
        },
      } as unknown as typeof dynamo.client,
      tables,
    );
  };
  const countedIn = async (accountId: string, h: number) =>
    (await countedByHour(accountId)).get(new Date(h).toISOString().replace('.000Z', 'Z'));

  it("a late call's recount, or a next-hour step, landing between the sweep's read of the calls and its write: each call once", async () => {
    // The day's last hour: the sweep after it finishes the day.
    const base = day + 3 * 86_400_000 + 23 * HOUR;
    const run = base + HOUR + STEP_LAG_MS + MINUTE;
    // A late call (another product) whose from-scratch recount lands in between.
    await record([event('acc_race_late', 0, base + 5 * MINUTE), event('acc_race_late', 1, base + 6 * MINUTE, 'maps')], base + 7 * MINUTE);
    const late = event('acc_race_late', 2, base + 50 * MINUTE, 'maps');
    await interleaved(() => record([late], run + 10)).finishHours(run - 2 * MINUTE, run);
    expect(await countedIn('acc_race_late', base)).toBe(3);
    // A refused call of the next hour whose step finishes this hour, in between.
    await record([event('acc_race_step', 0, base + 5 * MINUTE), event('acc_race_step', 1, base + 6 * MINUTE, 'maps')], base + 7 * MINUTE);
    const refused = {
      ...event('acc_race_step', 9, base + HOUR + 2 * MINUTE),
      seq: undefined,
      outcome: 'rejected',
      status: 429,
    } as UsageEvent;
    const step = () =>
      recordUsageBatch([{ messageId: 'step', body: JSON.stringify(refused) }], {
        store: new DynamoDbUsageStore(dynamo.client, tables, undefined, () => run + 10, 1),
        settings,
      });
    await interleaved(step).finishHours(run - 2 * MINUTE, run);
    expect(await countedIn('acc_race_step', base)).toBe(2);
    // The same, the interleaved writer landing after the sweep's write instead.
    await record([event('acc_race_after', 0, base + 5 * MINUTE), event('acc_race_after', 1, base + 6 * MINUTE, 'maps')], base + 7 * MINUTE);
    await new DynamoDbUsageStore(dynamo.client, tables).finishHours(run - 2 * MINUTE, run);
    await record([event('acc_race_after', 2, base + 50 * MINUTE, 'maps')], run + 10);
    expect(await countedIn('acc_race_after', base)).toBe(3);
  });
});
