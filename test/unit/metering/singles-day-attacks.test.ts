import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_PRODUCTS } from '../../../lambdas/metering/catalog';
import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { seededRandom } from '../../helpers/seeded-random';
import { allCounted, afterDayOf } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MINUTE = 60_000;
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo.stop());

/**
 * An account's quiet calls reach the day's singles rollup by many writers in any order — steps of
 * refused calls, late calls' recounts, the sweep at dense hours and at the day's end, several at once.
 * Whatever the order, the usage API must show every stored call once, for any range, at any moment.
 */
describe('the day singles rollup under interleaved writers', () => {
  const reader = () => new DynamoDbUsageReader(dynamo.client, USAGE_TABLES);
  const store = () => new DynamoDbUsageStore(dynamo.client, USAGE_TABLES);

  /** What the reader shows per hour bucket (calls), summed over products. */
  async function shown(accountId: string, granularity: 'hour' | 'day', from: number, to: number, product?: string) {
    const buckets = await reader().aggregates(accountId, granularity, iso(from), iso(to), product);
    return buckets.reduce((sum, b) => sum + b.calls, 0);
  }
  /** The independent count: calls stored whose time is in [from, to's hour end). */
  const expected = (calls: UsageEvent[], from: number, to: number, product?: string) =>
    calls.filter((c) => {
      const at = Date.parse(c.at);
      return at >= from && at < Math.floor(to / HOUR) * HOUR + HOUR && (!product || c.product === product);
    }).length;

  it('calls either side of midnight, refused (steps) and admitted, are each counted once in their own day', async () => {
    const acc = 'acc_midnight';
    const day = Math.floor(Date.now() / DAY) * DAY - 5 * DAY;
    const midnight = day + DAY;
    const refused = (i: number, at: number): UsageEvent => ({
      ...usageEvent(acc, i, at, 0),
      seq: undefined,
      outcome: 'rejected',
      status: 402,
    });
    const calls = [usageEvent(acc, 0, midnight - 1), usageEvent(acc, 1, midnight), refused(2, midnight - 1), refused(3, midnight)];
    // Each on time; the refused ones start steps (every refused call does here), the one after midnight counting the hour before too.
    for (const call of calls) await recordAt(dynamo.client, [call], Date.parse(call.at) + 1_000, { tallyEvery: 1 });
    await recordAt(dynamo.client, [refused(4, midnight + 10 * MINUTE)], midnight + 10 * MINUTE + 1_000, { tallyEvery: 1 });
    calls.push(refused(4, midnight + 10 * MINUTE));
    expect(await shown(acc, 'hour', day, midnight + 23 * HOUR)).toBe(expected(calls, day, midnight + 23 * HOUR));
    expect(await shown(acc, 'day', day, day + 23 * HOUR)).toBe(2);
    expect(await shown(acc, 'hour', midnight, midnight)).toBe(3);
    await store().finishHours(midnight - HOUR, afterDayOf(midnight));
    expect(allCounted((await dynamo.scanAll()).usageAggregates, acc).calls).toBe(5);
    expect(await shown(acc, 'hour', day + 23 * HOUR, day + 23 * HOUR)).toBe(2);
    expect(await shown(acc, 'hour', midnight, midnight)).toBe(3);
    expect(await shown(acc, 'day', day, midnight)).toBe(5);
  });

  it('counts the hour holding `to` to its end when `to` is that hour’s start as the API passes it (`…T10:00:00.000Z`)', async () => {
    const acc = 'acc_to_on_the_hour';
    const hour = Math.floor(Date.now() / DAY) * DAY - 3 * DAY + 10 * HOUR;
    const calls = [usageEvent(acc, 0, hour - 20 * MINUTE), usageEvent(acc, 1, hour + 20 * MINUTE)];
    for (const call of calls) await recordAt(dynamo.client, [call], Date.parse(call.at) + 1_000);
    // The query's transform gives `to` as toISOString() does: with milliseconds.
    const to = new Date(hour).toISOString();
    const count = async () => (await reader().aggregates(acc, 'hour', iso(hour - HOUR), to)).reduce((sum, b) => sum + b.calls, 0);
    expect(await count()).toBe(2);
    // Counted into the day's rollup, the same.
    await store().finishHours(hour - HOUR, afterDayOf(hour));
    expect(await count()).toBe(2);
  });

  it.each([1, 2, 3])(
    'random calls, late calls, steps and sweeps at once (seed %i): the reader shows every stored call once for any range',
    async (seed) => {
      const random = seededRandom(seed);
      const acc = `acc_fuzz_${seed}`;
      const day = Math.floor(Date.now() / DAY) * DAY - (8 + seed * 2) * DAY;
      const products = ['echo', 'geo', 'ocr'];
      const stored: UsageEvent[] = [];
      let clock = day;
      let i = 0;
      let sweptTo = day - HOUR;
      const end = day + 2 * DAY;
      while (clock < end) {
        clock += Math.floor(random() * 90 * MINUTE);
        const batch: Promise<unknown>[] = [];
        // A few workers at once, each with calls at its clock (some refused, some late).
        for (let w = 0; w < 1 + Math.floor(random() * 3); w++) {
          const late = random() < 0.25;
          const at = late ? clock - Math.floor(random() * 20 * HOUR) : clock - Math.floor(random() * 2 * MINUTE);
          if (at < day) continue;
          const product = products[Math.floor(random() * products.length)]!;
          const call: UsageEvent =
            random() < 0.4
              ? { ...usageEvent(acc, i, at, 0, product), seq: undefined, outcome: 'rejected', status: 402, priceMicroCredits: 0 }
              : usageEvent(acc, i, at, 1, product);
          i++;
          stored.push(call);
          batch.push(recordAt(dynamo.client, [call], clock, { tallyEvery: 2 }));
        }
        // The sweep, beside the workers, now and then.
        if (random() < 0.5 && clock - sweptTo > HOUR) {
          const since = sweptTo;
          batch.push(store().finishHours(since, clock));
          sweptTo = clock;
        }
        await Promise.all(batch);
        // Any range, at any moment.
        for (let q = 0; q < 3; q++) {
          const from = day + Math.floor(random() * 50) * HOUR;
          const to = from + Math.floor(random() * 30) * HOUR;
          const product = random() < 0.3 ? products[Math.floor(random() * products.length)] : undefined;
          const granularity = random() < 0.5 ? 'hour' : 'day';
          const fromDay = granularity === 'day' ? Math.floor(from / DAY) * DAY : from;
          expect([seed, iso(clock), iso(fromDay), iso(to), product, await shown(acc, granularity, fromDay, to, product)]).toEqual([
            seed,
            iso(clock),
            iso(fromDay),
            iso(to),
            product,
            expected(stored, fromDay, to, product),
          ]);
        }
      }
      await store().finishHours(sweptTo, afterDayOf(end));
      const counted = allCounted((await dynamo.scanAll()).usageAggregates, acc);
      expect(counted.calls).toBe(stored.length);
      expect(await shown(acc, 'day', day, end + DAY)).toBe(stored.length);
    },
    120_000,
  );
});

describe('the day singles rollup: limits', () => {
  it('a redrive of one quiet account’s day (every call late, its hours counted again by many workers at once) fails no batch', async () => {
    const acc = 'acc_redrive';
    const day = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
    const calls = Array.from({ length: 24 }, (_, h) => usageEvent(acc, h, day + h * HOUR + 30 * MINUTE));
    // Each call's message in its own worker container, all at once, days later: each recounts its hour of the one day item.
    const outcomes = await Promise.all(calls.map((call) => recordAt(dynamo.client, [call], day + 3 * DAY)));
    // A batch failed for meeting other writers goes back to the queue, and after maxReceiveCount (5) tries to the DLQ,
    // its call stored but not counted: an hour the sweep finished shows it to no reader.
    expect(outcomes.flatMap((outcome) => [...outcome.failed])).toEqual([]);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, acc).calls).toBe(24);
  });

  // The day's one item holds an entry per hour and product: past about 200 products called every hour (fewer with
  // long ids and large counters) its put would exceed DynamoDB's 400 KB, and the sweep would fail for the account on
  // every run. The catalog sells at most MAX_PRODUCTS, and a day of them all, with the longest ids and counters far
  // past any real day's, is counted.
  it('an account calling every product of the largest catalog every hour of a quiet day has its day counted (the item’s 400 KB)', async () => {
    const acc = 'acc_many_products';
    const day = Math.floor(Date.now() / DAY) * DAY - 6 * DAY;
    const products = Array.from({ length: MAX_PRODUCTS }, (_, p) => `p${String(p).padStart(30, '0')}`);
    const calls: UsageEvent[] = [];
    for (let h = 0; h < 24; h++)
      for (const [p, product] of products.entries())
        calls.push({
          ...usageEvent(acc, h * 1_000 + p, day + h * HOUR + p * 1_000, 1, product),
          priceMicroCredits: 999_999_999,
          latencyMs: 25_000,
          requestBytes: 99_999_999,
          responseBytes: 99_999_999,
        });
    for (let k = 0; k < calls.length; k += 500) await recordAt(dynamo.client, calls.slice(k, k + 500), day + DAY - 1);
    const store = new DynamoDbUsageStore(dynamo.client, USAGE_TABLES);
    await store.finishHours(day + 23 * HOUR, afterDayOf(day));
    expect(allCounted((await dynamo.scanAll()).usageAggregates, acc).calls).toBe(calls.length);
  }, 300_000);
});

describe('the day singles rollup beside a worker of the earlier version (the deploy overlap)', () => {
  // Once the day's item holds an hour, a late call an earlier version's worker records (during the deploy's overlap, up to
  // the worker's 30 s) has its hour recounted from scratch in the hourly form only, through the hour's end; no writer of
  // the new version counts the hour again (the sweep finished it, no step of the new version is started). Each form's
  // entry is a whole count through its `through`, so the fresher one — at the same `through`, the larger — is the hour's.
  it('a late call an earlier worker recounts into the hourly form, for an hour the day holds, is shown, and counted on from there', async () => {
    const acc = 'acc_old_late';
    const hour = Math.floor(Date.now() / DAY) * DAY - 7 * DAY + 10 * HOUR;
    const bucket = iso(hour);
    const calls = [5, 10, 30].map((m, i) => usageEvent(acc, i, hour + m * MINUTE));
    for (const call of calls) await recordAt(dynamo.client, [call], Date.parse(call.at) + 1_000);
    await new DynamoDbUsageStore(dynamo.client, USAGE_TABLES).finishHours(hour, afterDayOf(hour));
    // The earlier worker stores a late call as this version does (a single call item or slot, no step of this
    // version: recorded at a clock where it is not late) and recounts its hour from scratch in the hourly form.
    const late = usageEvent(acc, 3, hour + 45 * MINUTE);
    await recordAt(dynamo.client, [late], Date.parse(late.at) + 1_000);
    await dynamo.client.send(
      new PutCommand({
        TableName: 'usageAggregates',
        Item: {
          pk: `ACCOUNT#${acc}#H`,
          sk: `${bucket}#echo#S`,
          product: 'echo',
          bucket,
          through: hour + HOUR - 1,
          v: 1,
          n: 4,
          calls: 4,
          admitted: 4,
          chargedMicro: 4_000,
        },
      }),
    );
    const shown = (await new DynamoDbUsageReader(dynamo.client, USAGE_TABLES).aggregates(acc, 'hour', bucket, bucket)).reduce(
      (sum, b) => sum + b.calls,
      0,
    );
    expect(shown).toBe(4);
    // A late call the new version records recounts the hour from scratch into the day's item: five, in either form's reading.
    await recordAt(dynamo.client, [usageEvent(acc, 4, hour + 50 * MINUTE)], afterDayOf(hour) + DAY);
    const reader = new DynamoDbUsageReader(dynamo.client, USAGE_TABLES);
    expect((await reader.aggregates(acc, 'hour', bucket, bucket)).reduce((sum, b) => sum + b.calls, 0)).toBe(5);
    expect(allCounted((await dynamo.scanAll()).usageAggregates, acc).calls).toBe(5);
  });
});
