import { itemSize } from '../../../bench/item-size';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore, slotPeriodOf, storedInPage } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import {
  DAY_SLOTS,
  DynamoDbUsageLogs,
  HOUR_SLOTS,
  SLOT_MAX_BYTES,
  shortenUsageLogRetention,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { ITEMS } from '../../../lambdas/shared/items';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { afterDayOf, allCounted, singlesCounted } from '../../helpers/singles-rollups';
import { seededRandom } from '../../helpers/seeded-random';
import { slotCall } from '../../helpers/usage-event';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const tables = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };
const settings = { of: async () => ({ analytics: true }) };

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
/** An admitted call of a browser client; mark it `lone` when its account had been silent ten minutes or more (the gateway's mark). */
const call = (accountId: string, seq: number, at: number, over: Partial<UsageEvent> = {}) =>
  slotCall(accountId, seq, at, { userAgent: BROWSER, ...over });

const messages = (events: UsageEvent[], tag: string) => events.map((e, i) => ({ messageId: `${tag}${i}`, body: JSON.stringify(e) }));
const newestFirst = (events: UsageEvent[]) =>
  [...events].sort((a, b) => (`${a.at}#${a.requestId}` < `${b.at}#${b.requestId}` ? 1 : -1)).map((e) => e.requestId);

describe('day slots: calls made after a long silence share a slot of their day, each recorded, listed and counted exactly once', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const itemsOf = async (accountId: string) => (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === `ACCOUNT#${accountId}`);
  const readAll = async (accountId: string, now: number, limit: number) => {
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const read: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await logs.page(accountId, { limit, cursor, now: new Date(now) });
      read.push(...page.logs.map((l) => l.requestId));
      cursor = page.nextCursor;
    } while (cursor);
    return read;
  };

  it('decides the period by the event alone: a lone call its day, any other call its hour; a refund still goes to a page', () => {
    const at = Date.parse('2026-03-01T10:17:03.120Z');
    expect(slotPeriodOf(call('a', 1, at, { lone: true }))).toBe(DAY_SLOTS);
    expect(slotPeriodOf(call('a', 2, at))).toBe(HOUR_SLOTS);
    expect(storedInPage(call('a', 3, at, { lone: true, outcome: 'refunded' }))).toBe(true);
  });

  it("keeps a quiet account's four calls of a day in one item within a write unit, and lists them newest first among hour slots and pages, through every page size", async () => {
    const day = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => day + DAY + 10 * 60_000);
    // Four calls hours apart (each after a long silence), then a burst after the last: two more
    // quiet calls (hour slot) and a busy minute (a page), all in the last call's hour.
    const lone = [1, 7, 13, 19].map((h, i) => call('acc_day', 9 + i, day + h * HOUR + 61_000 * i, { lone: true }));
    const burst = [call('acc_day', 13, day + 19 * HOUR + 120_000), call('acc_day', 14, day + 19 * HOUR + 150_000)];
    const busy = Array.from({ length: 6 }, (_, i) =>
      call('acc_day', 15 + i, day + 19 * HOUR + 30 * 60_000 + 100 * i, { used: 10 + i, product: 'maps' }),
    );
    expect(busy.every(storedInPage)).toBe(true);
    const all = [...lone, ...burst, ...busy];
    // Each lone call alone, as the gateway records it; then everything again, as queued copies after doubted writes.
    for (const [i, event] of lone.entries()) await recordUsageBatch(messages([event], `g${i}`), { store, settings });
    await recordUsageBatch(messages([...burst, ...busy], 'q'), { store, settings });
    expect(await recordUsageBatch(messages(all, 'r'), { store, settings })).toMatchObject({ recorded: 0, duplicates: all.length });

    const items = await itemsOf('acc_day');
    const daySlots = items.filter((item) => ITEMS.logDaySlot.matches(item));
    expect(daySlots).toHaveLength(1);
    expect(daySlots[0]).toMatchObject({ sk: `N#${new Date(day + DAY - 1).toISOString()}#Z1`, n: 4 });
    expect(itemSize(daySlots[0]!)).toBeLessThanOrEqual(SLOT_MAX_BYTES);
    // Kept as long as the day's last call would be.
    expect(daySlots[0]!.expiresAt).toBe(Math.floor((day + DAY - 1) / 1000) + 90 * 86_400);

    for (const limit of [1, 2, 3, 5, 100]) expect(await readAll('acc_day', day + 2 * DAY, limit)).toEqual(newestFirst(all));
  });

  it('counts day-slot calls in their own hours once: the usage API before and after the sweep finishes the day, the sweep itself, and a late copy', async () => {
    const day = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => day + DAY + 10 * 60_000);
    const lone = [0, 5, 11, 23].map((h, i) => call('acc_count', 17 + i, day + h * HOUR + 59 * 60_000, { lone: true }));
    const quiet = [call('acc_count', 21, day + 11 * HOUR + 59 * 60_000 + 30_000)];
    const all = [...lone, ...quiet];
    await recordUsageBatch(messages(all, 'a'), { store, settings });
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const from = new Date(day).toISOString().replace('.000Z', 'Z');
    const to = new Date(day + 23 * HOUR).toISOString().replace('.000Z', 'Z');
    const byHour = (buckets: { bucket: string; calls: number }[]) =>
      Object.fromEntries(
        [...new Set(buckets.map((b) => b.bucket))].map((bucket) => [
          bucket,
          buckets.filter((b) => b.bucket === bucket).reduce((sum, b) => sum + b.calls, 0),
        ]),
      );
    const expected = { [hourOf(day)]: 1, [hourOf(day + 5 * HOUR)]: 1, [hourOf(day + 11 * HOUR)]: 2, [hourOf(day + 23 * HOUR)]: 1 };
    expect(byHour(await reader.aggregates('acc_count', 'hour', from, to))).toEqual(expected);

    await store.finishHours(day, afterDayOf(day));
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_count').calls).toBe(all.length);
    expect(byHour(singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_count'))).toEqual(expected);
    expect(byHour(await reader.aggregates('acc_count', 'hour', from, to))).toEqual(expected);

    // A copy delivered the next day (late: its hour is counted again from scratch) adds nothing.
    expect(await recordUsageBatch(messages([lone[1]!], 'late'), { store, settings })).toMatchObject({ duplicates: 1 });
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_count').calls).toBe(all.length);
    // A lone call delivered late for the first time (its gateway write failed, the queue retried for hours) is counted once, in its hour.
    const delayed = call('acc_count', 22, day + 23 * HOUR + 59 * 60_000 + 50_000, { lone: true, product: 'maps' });
    await recordUsageBatch(messages([delayed], 'd'), { store, settings });
    expect(byHour(singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_count'))).toEqual({
      ...expected,
      [hourOf(day + 23 * HOUR)]: 2,
    });
    expect(byHour(await reader.aggregates('acc_count', 'hour', from, to))).toEqual({ ...expected, [hourOf(day + 23 * HOUR)]: 2 });
  });

  it('lists exactly, in any interleaving of lone calls, hour slots and pages across days and batches, redelivered', async () => {
    const random = seededRandom(18);
    const start = Math.floor(Date.now() / DAY) * DAY - 6 * DAY;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + 3 * DAY);
    const events: UsageEvent[] = [];
    let at = start + 30 * 60_000;
    for (let seq = 1; seq <= 90; seq++) {
      const gap = random() < 0.4 ? (15 + random() * 600) * 60_000 : random() * 5 * 60_000;
      at += Math.round(gap);
      const lone = gap >= 10 * 60_000 || seq === 1;
      const used = !lone && random() < 0.3 ? 40 : 1;
      events.push(call('acc_mix', seq, at, { ...(lone ? { lone: true as const } : {}), used, keyId: random() < 0.5 ? 'key_1' : 'key_2' }));
    }
    expect(events.filter((e) => e.lone).length).toBeGreaterThan(20);
    const shuffled = [...events].sort(() => random() - 0.5);
    for (let i = 0; i < shuffled.length; i += 7) await recordUsageBatch(messages(shuffled.slice(i, i + 7), `b${i}`), { store, settings });
    expect(await recordUsageBatch(messages(shuffled.slice(0, 30), 'again'), { store, settings })).toMatchObject({ recorded: 0 });
    const now = at + DAY;
    for (const limit of [1, 4, 25]) expect(await readAll('acc_mix', now, limit)).toEqual(newestFirst(events));
    const items = await itemsOf('acc_mix');
    expect(items.filter((item) => ITEMS.logDaySlot.matches(item)).reduce((sum, item) => sum + Number(item.n), 0)).toBe(
      events.filter((e) => e.lone).length,
    );
    for (const item of items.filter((i) => /^[MN]#/.test(String(i.sk)))) expect(itemSize(item)).toBeLessThanOrEqual(SLOT_MAX_BYTES);
  });

  it('erases day slots and their agents with the account, and brings them under a shorter retention by their day', async () => {
    const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => day + DAY + 10 * 60_000);
    const lone = [2, 9, 16].map((h, i) => call('acc_gone', 1 + i, day + h * HOUR, { lone: true }));
    await recordUsageBatch(messages(lone, 'x'), { store, settings });
    await shortenUsageLogRetention(dynamo.client, 'usageLogs', 30);
    const [slot] = (await itemsOf('acc_gone')).filter((item) => ITEMS.logDaySlot.matches(item));
    expect(slot!.expiresAt).toBe(Math.floor((day + DAY - 1) / 1000) + 30 * 86_400);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    expect(await logs.erasePage('acc_gone', 100)).toEqual({ erased: 3, remaining: false });
    expect(await itemsOf('acc_gone')).toEqual([]);
  });
});

const hourOf = (at: number) => new Date(Math.floor(at / HOUR) * HOUR).toISOString().replace('.000Z', 'Z');
