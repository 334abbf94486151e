import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { matchesFilters } from '../../../lambdas/metering/domain/usage-queries';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageLogs, SLOT_MAX_BYTES } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { itemSize } from '../../../bench/item-size';
import { afterDayOf, allCounted } from '../../helpers/singles-rollups';
import type { LogPageOptions, UsageLog } from '../../../lambdas/shared/usage-logs';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { seededRandom } from '../../helpers/seeded-random';
import { slotCall } from '../../helpers/usage-event';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const tables = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };
const settings = { of: async () => ({ analytics: true }) };
const messages = (events: UsageEvent[], tag: string) => events.map((e, i) => ({ messageId: `${tag}${i}`, body: JSON.stringify(e) }));
const order = (log: Pick<UsageLog, 'at' | 'requestId'>) => `${log.at}#${log.requestId}`;

/**
 * The log reader against a brute-force list: every call of a random mix — lone calls in day slots,
 * quiet calls in hour slots, busy minutes in pages, refused calls as single items, at the edges of
 * days and hours — recorded in shuffled batches with redeliveries, then read page by page with many
 * page sizes, filters and time ranges: exactly the matching calls, newest first, each once.
 */
describe('day slots in the log listing, against a brute-force sorted list', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const readAll = async (accountId: string, options: Omit<LogPageOptions, 'cursor'>) => {
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const read: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      if (pages > 2_000) throw new Error('paging does not end');
      const page = await logs.page(accountId, { ...options, cursor });
      read.push(...page.logs.map(order));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return read;
  };

  /** An account's calls over three days: lone ones (some at 23:59:59.999 and 00:00:00.000), quiet ones, busy minutes, refusals. */
  const mix = (accountId: string, seed: number, start: number) => {
    const random = seededRandom(seed);
    const events: UsageEvent[] = [];
    let seq = 0;
    const edges = [DAY - 1, DAY, 2 * DAY - 1, 2 * DAY, DAY - HOUR, DAY - HOUR - 1, DAY + HOUR - 1];
    const times = [...edges.map((edge) => start + edge), ...Array.from({ length: 60 }, () => start + Math.floor(random() * 3 * DAY))].sort(
      (a, b) => a - b,
    );
    for (const at of times) {
      const kind = random();
      const over: Partial<UsageEvent> = {
        keyId: random() < 0.5 ? 'key_1' : 'key_2',
        product: random() < 0.5 ? 'echo' : 'maps',
        status: random() < 0.2 ? 503 : 200,
        path: random() < 0.5 ? `/a/${seq}` : `/b/${seq}`,
      };
      if (kind < 0.45) events.push(slotCall(accountId, ++seq, at, { ...over, lone: true }));
      else if (kind < 0.7) events.push(slotCall(accountId, ++seq, at, over));
      else if (kind < 0.85) {
        // A busy minute: a page's calls, the first at `at`.
        for (let i = 0; i < 3; i++) events.push(slotCall(accountId, ++seq, at + i, { ...over, used: 50 + i }));
      } else {
        const { seq: _seq, ...refused } = slotCall(accountId, 0, at, { ...over, outcome: 'rejected', status: 429 });
        events.push({ ...refused, requestId: `req_${accountId}_r${Math.floor(random() * 1e9)}` });
      }
    }
    return { events, random };
  };

  const record = async (events: UsageEvent[], random: () => number, now: number) => {
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => now);
    const shuffled = [...events].sort(() => random() - 0.5);
    for (let i = 0; i < shuffled.length; i += 5) await recordUsageBatch(messages(shuffled.slice(i, i + 5), `b${i}`), { store, settings });
    // Redeliveries, some alone as the gateway records a lone call.
    for (const event of shuffled.filter(() => random() < 0.3))
      await recordUsageBatch(messages([event], `r${event.requestId}`), { store, settings });
  };

  it('pages every call exactly once, newest first, for any page size, filter and time range', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 5 * DAY;
    const { events, random } = mix('acc_list', 7, start);
    await record(events, random, start + 3 * DAY);
    const now = new Date(start + 4 * DAY);
    const cases: { name: string; filter?: (log: UsageLog) => boolean; from?: string; to?: string }[] = [
      { name: 'all' },
      { name: 'key', filter: matchesFilters({ keyId: 'key_2' }) },
      { name: 'status', filter: matchesFilters({ status: '5xx' }) },
      { name: 'product', filter: matchesFilters({ product: 'maps' }) },
      { name: 'path', filter: matchesFilters({ pathPrefix: '/b/' }) },
      { name: 'day edge', from: new Date(start + DAY - 1).toISOString(), to: new Date(start + 2 * DAY).toISOString() },
      {
        name: 'inside a day',
        from: new Date(start + DAY + 5 * HOUR).toISOString(),
        to: new Date(start + DAY + 17 * HOUR + 1).toISOString(),
      },
      { name: 'to at a day end', to: new Date(start + DAY - 1).toISOString() },
      { name: 'from at a day start', from: new Date(start + 2 * DAY).toISOString() },
      // The API's bucket form, without milliseconds: the first second after `from` is in the range, the one after `to` is not.
      {
        name: 'whole seconds',
        from: new Date(start + DAY).toISOString().replace('.000Z', 'Z'),
        to: new Date(start + 2 * DAY).toISOString().replace('.000Z', 'Z'),
      },
    ];
    for (const { name, filter, from, to } of cases) {
      const expected = events
        .filter(
          (e) => (!filter || filter(e)) && (!from || Date.parse(e.at) >= Date.parse(from)) && (!to || Date.parse(e.at) <= Date.parse(to)),
        )
        .map(order)
        .sort()
        .reverse();
      for (const limit of [1, 2, 3, 7, 50]) {
        const read = await readAll('acc_list', { limit, now, filter, from, to });
        expect({ name, limit, read }).toEqual({ name, limit, read: expected });
      }
    }
    // A retention of three days hides the calls older than it, its edge inside a day slot's day.
    const saved = process.env.USAGE_LOG_RETENTION_DAYS;
    process.env.USAGE_LOG_RETENTION_DAYS = '3';
    try {
      const later = new Date(start + 4 * DAY + 7 * HOUR + 1);
      const cutoff = later.getTime() - 3 * DAY;
      const kept = events
        .filter((e) => Date.parse(e.at) >= cutoff)
        .map(order)
        .sort()
        .reverse();
      for (const limit of [1, 3, 50]) expect(await readAll('acc_list', { limit, now: later })).toEqual(kept);
    } finally {
      if (saved === undefined) delete process.env.USAGE_LOG_RETENTION_DAYS;
      else process.env.USAGE_LOG_RETENTION_DAYS = saved;
    }
  });

  it('counts every call once in its hour and product, whatever the sweep and late copies did: usage API against the calls', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 6 * DAY;
    const { events, random } = mix('acc_tally', 11, start);
    // A day slot holding calls of eight different hours of one day (one run of sequence numbers).
    const base = 1_000;
    for (let h = 0; h < 8; h++) events.push(slotCall('acc_tally', base + h, start + DAY + (3 * h + 1) * HOUR + 7, { lone: true }));
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const hourOf = (at: string) => `${at.slice(0, 13)}:00:00Z`;
    let recorded: UsageEvent[] = [];
    const expected = (granularity: 'hour' | 'day', product?: string) => {
      const sums = new Map<string, number>();
      for (const e of recorded) {
        if (product && e.product !== product) continue;
        const bucket = granularity === 'hour' ? hourOf(e.at) : `${e.at.slice(0, 10)}T00:00:00Z`;
        sums.set(`${bucket}#${e.product}`, (sums.get(`${bucket}#${e.product}`) ?? 0) + 1);
      }
      return Object.fromEntries([...sums].sort());
    };
    const from = new Date(start).toISOString().replace('.000Z', 'Z');
    const to = new Date(start + 3 * DAY).toISOString().replace('.000Z', 'Z');
    const check = async (when: string) => {
      for (const granularity of ['hour', 'day'] as const)
        for (const product of [undefined, 'maps']) {
          const buckets = await reader.aggregates('acc_tally', granularity, from, to, product);
          const got = Object.fromEntries(buckets.map((b) => [`${b.bucket}#${b.product}`, b.calls]).sort());
          expect({ when, granularity, product, got }).toEqual({ when, granularity, product, got: expected(granularity, product) });
        }
    };
    const shuffled = [...events].sort(() => random() - 0.5);
    const half = Math.floor(shuffled.length / 2);
    const early = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + DAY + 12 * HOUR);
    // Those of the first day and a half as they come (their hours then not over), the rest late, after a sweep of the first day.
    const onTime = shuffled.filter((e) => Date.parse(e.at) < start + DAY + 12 * HOUR);
    const later = shuffled.filter((e) => Date.parse(e.at) >= start + DAY + 12 * HOUR);
    for (let i = 0; i < onTime.length; i += 4)
      await recordUsageBatch(messages(onTime.slice(i, i + 4), `e${i}`), { store: early, settings });
    recorded = onTime;
    await check('before any sweep');
    await early.finishHours(start, afterDayOf(start));
    await check('first day swept');
    const late = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + 2 * DAY + 3 * HOUR);
    for (let i = 0; i < later.length; i += 4) await recordUsageBatch(messages(later.slice(i, i + 4), `l${i}`), { store: late, settings });
    recorded = events;
    await check('second half recorded');
    await late.finishHours(start + DAY, afterDayOf(start + DAY));
    await check('second day swept');
    // Copies of everything, in batches and alone, the next day: late, their hours counted again from scratch.
    const redo = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + 3 * DAY + 5 * HOUR);
    for (let i = 0; i < half; i += 6) await recordUsageBatch(messages(shuffled.slice(i, i + 6), `c${i}`), { store: redo, settings });
    for (const event of shuffled.slice(half).filter(() => random() < 0.4))
      await recordUsageBatch(messages([event], `a${event.requestId}`), { store: redo, settings });
    await redo.finishHours(start + 2 * DAY, afterDayOf(start + 2 * DAY));
    await check('after late copies and every sweep');
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_tally').calls).toBe(events.length);
    // An erasure's receipt counts each call once: day slots by their calls, agents as none.
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    let erased = 0;
    for (let page = { remaining: true }; page.remaining; ) {
      const step = await logs.erasePage('acc_tally', 7);
      erased += step.erased;
      page = step;
    }
    expect(erased).toBe(events.length);
  });

  it('keeps a day slot of many clients with browser-length agents within a write unit, and names each call its own agent', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const random = seededRandom(5);
    // Agents up to the gateway's 512 characters, some of three-byte characters; key ids up to 100; paths up to 300.
    const agent = (i: number) =>
      `Mozilla/5.0 (client ${i}) ${(i % 3 === 0 ? 'AppleWebKit/537.36 (KHTML, like Gecko) ' : 'ブラウザ').repeat(1 + (i % 13) * 5)}`.slice(
        0,
        512,
      );
    const keys = ['key_1', `key_${'k'.repeat(96)}`, 'key_0123456789abcdef01234567', `key_${'x'.repeat(40)}`, 'key_2'];
    const events = Array.from({ length: 64 }, (_, i) =>
      slotCall('acc_wide', 1 + i, start + i * 21 * MINUTE, {
        lone: true,
        keyId: keys[Math.floor(random() * keys.length)]!,
        userAgent: agent(Math.floor(random() * 9)),
        path: `/${'p'.repeat(Math.floor(random() * 3) * 100)}${Math.floor(random() * 1e9).toString(36)}`,
      }),
    );
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + DAY);
    const shuffled = [...events].sort(() => random() - 0.5);
    for (let i = 0, n = 1; i < shuffled.length; i += n, n = 1 + Math.floor(random() * 8))
      await recordUsageBatch(messages(shuffled.slice(i, i + n), `w${i}`), { store, settings });
    expect(await recordUsageBatch(messages(shuffled, 'again'), { store, settings })).toMatchObject({ recorded: 0 });
    const items = (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === 'ACCOUNT#acc_wide');
    for (const item of items) expect({ sk: item.sk, size: itemSize(item) <= SLOT_MAX_BYTES }).toEqual({ sk: item.sk, size: true });
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    for (const limit of [1, 6, 100]) {
      const read: UsageLog[] = [];
      let cursor: string | undefined;
      do {
        const page = await logs.page('acc_wide', { limit, cursor, now: new Date(start + 3 * DAY) });
        read.push(...page.logs);
        cursor = page.nextCursor;
      } while (cursor);
      const want = [...events].sort((a, b) => (order(a) < order(b) ? 1 : -1));
      expect(read.map((l) => [l.requestId, l.keyId, l.userAgent])).toEqual(want.map((e) => [e.requestId, e.keyId, e.userAgent]));
    }
  });

  it("reads within its budget past many hour items after a day slot, and still lists the day slot's calls exactly", async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
    const random = seededRandom(23);
    // A day slot's three lone calls (one near the day's start, one at its end), among 700 refusals (an item each) all over the day.
    const lone = [1, 2 * HOUR, DAY - 1].map((ms, i) => slotCall('acc_sparse', 1 + i, start + ms, { lone: true, keyId: 'key_quiet' }));
    const refused = Array.from({ length: 700 }, (_, i) => {
      const { seq: _seq, ...event } = slotCall('acc_sparse', 0, start + Math.floor(random() * DAY), { outcome: 'rejected', status: 429 });
      return { ...event, requestId: `req_refused_${i}` };
    });
    const all = [...lone, ...refused];
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + DAY + HOUR);
    for (let i = 0; i < all.length; i += 100) await recordUsageBatch(messages(all.slice(i, i + 100), `s${i}`), { store, settings });
    const now = new Date(start + 2 * DAY);
    const quiet = matchesFilters({ keyId: 'key_quiet' });
    for (const [filter, want] of [
      [quiet, lone],
      [undefined, all],
    ] as const)
      for (const limit of [1, 2, 100]) {
        const read = await readAll('acc_sparse', { limit, now, filter });
        expect(read).toEqual(want.map(order).sort().reverse());
      }
    // A filter matching only the day slot's calls takes pages that stop for their budget, and each moves on.
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const first = await logs.page('acc_sparse', { limit: 3, now, filter: quiet });
    expect(first.logs.map((l) => l.requestId)).toEqual([lone[2]!.requestId]);
    expect(first.nextCursor).toBeDefined();
    // 700 items written one by one: a bound for a loaded machine, not a target.
  }, 300_000);

  it('lists and counts once a call stored both in its hour slot and its day slot (a delivery straddling the deploy that marked it)', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
    const random = seededRandom(31);
    const events = Array.from({ length: 24 }, (_, i) =>
      slotCall('acc_both', 1 + i, start + i * 50 * MINUTE + Math.floor(random() * 1000), { lone: true }),
    );
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => start + 2 * DAY);
    // An earlier worker, ignoring the mark, stored some in their hours' slots; the redelivery stores all in their day's.
    const unmarked = events.filter(() => random() < 0.5).map(({ lone: _lone, ...event }) => event);
    await recordUsageBatch(messages(unmarked, 'old'), { store, settings });
    await recordUsageBatch(messages(events, 'new'), { store, settings });
    const items = (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === 'ACCOUNT#acc_both');
    expect(items.filter((item) => String(item.sk).startsWith('M#')).length).toBeGreaterThan(0);
    const want = events.map(order).sort().reverse();
    for (const limit of [1, 2, 5, 100]) expect(await readAll('acc_both', { limit, now: new Date(start + 3 * DAY) })).toEqual(want);
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const from = new Date(start).toISOString().replace('.000Z', 'Z');
    const to = new Date(start + DAY + 23 * HOUR).toISOString().replace('.000Z', 'Z');
    const total = async () => (await reader.aggregates('acc_both', 'day', from, to)).reduce((sum, b) => sum + b.calls, 0);
    expect(await total()).toBe(events.length);
    await store.finishHours(start, afterDayOf(start + DAY));
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_both').calls).toBe(events.length);
    expect(await total()).toBe(events.length);
  });

  it('counts exactly while the clock runs: steps of refusals mid-hour, lone calls a few minutes after them, the sweep at each hour end', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 8 * DAY;
    const random = seededRandom(41);
    let clock = start;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => clock);
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    // Two days of a quiet account: lone calls (ten minutes apart or more), quick follow-ups, refusals that start steps.
    const events: UsageEvent[] = [];
    let seq = 0;
    for (let at = start + 3 * MINUTE; at < start + 2 * DAY - 20 * MINUTE; at += Math.floor((10 + random() * 170) * MINUTE)) {
      const product = random() < 0.5 ? 'echo' : 'maps';
      events.push(slotCall('acc_clock', ++seq, at, { lone: true, product }));
      if (random() < 0.4) events.push(slotCall('acc_clock', ++seq, at + Math.floor(random() * 4 * MINUTE), { product }));
      for (let r = 0; r < 3; r++) {
        const { seq: _seq, ...refused } = slotCall('acc_clock', 0, at + Math.floor(random() * 9 * MINUTE), {
          outcome: 'rejected',
          status: 402,
          product,
        });
        events.push({ ...refused, requestId: `req_clock_${Math.floor(random() * 1e12).toString(36)}` });
      }
    }
    events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const recorded: UsageEvent[] = [];
    const from = new Date(start).toISOString().replace('.000Z', 'Z');
    const to = new Date(start + 2 * DAY - HOUR).toISOString().replace('.000Z', 'Z');
    const check = async (when: number) => {
      const want = new Map<string, number>();
      for (const e of recorded)
        want.set(`${e.at.slice(0, 13)}:00:00Z#${e.product}`, (want.get(`${e.at.slice(0, 13)}:00:00Z#${e.product}`) ?? 0) + 1);
      const got = new Map((await reader.aggregates('acc_clock', 'hour', from, to)).map((b) => [`${b.bucket}#${b.product}`, b.calls]));
      expect({ when, got: Object.fromEntries([...got].sort()) }).toEqual({ when, got: Object.fromEntries([...want].sort()) });
    };
    let swept = start;
    for (let i = 0; i < events.length; ) {
      // Delivered up to four minutes after the call (never late), a few at a time.
      const batch = events.slice(i, i + 1 + Math.floor(random() * 3));
      i += batch.length;
      clock = Math.max(clock, Date.parse(batch.at(-1)!.at) + Math.floor(random() * 4 * MINUTE));
      await recordUsageBatch(messages(batch, `t${i}`), { store, settings });
      recorded.push(...batch);
      // The sweep runs at every hour's end, STEP_LAG_MS after it.
      const hourDone = Math.floor((clock - 6 * MINUTE) / HOUR) * HOUR;
      if (hourDone > swept) {
        await store.finishHours(swept, hourDone + 6 * MINUTE);
        swept = hourDone;
      }
      if (i % 9 < 3) await check(clock);
    }
    clock = start + 2 * DAY + 10 * MINUTE;
    await store.finishHours(swept, clock);
    await check(clock);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, 'acc_clock').calls).toBe(events.length);
  });
});
