import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageStore, STEP_LAG_MS, storedInPage } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import { callIdentity, type UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { WEEK_LIST_MIN_RETENTION_DAYS, WEEK_MS, weekEndOf } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { TABLE_SPECS, type TableName } from '../../../lambdas/shared/tables';
import { queryAll } from '../../../lambdas/shared/dynamodb-query';
import { countersOfCall } from '../../../lambdas/shared/usage-counters';
import { applyUsageLogRetention } from '../../../scripts/ops/usage';
import { scenarioClock } from '../../helpers/scenario-clock';
import { allCounted, singlesCounted } from '../../helpers/singles-rollups';
import { slotCall } from '../../helpers/usage-event';
import { USAGE_TABLES } from '../../helpers/usage-worker';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A small seeded generator (mulberry32): the same seed, the same scenario. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p: number) => next() < p };
}

/**
 * The calls of one account from `start` to `end`: quiet calls hours apart (after ten minutes of silence
 * or more: the gateway's `lone` mark), a few calls minutes apart, bursts a second or less apart (some in
 * pages), storms of refused calls (busy hours), refunds, and calls at the last millisecond of a period
 * and the first of the next. `busy` (0 to 1): how much of the account's time is not quiet calls. Marks and
 * minute counts as the gateway sets them.
 */
function callsOf(accountId: string, start: number, end: number, busy: number, rand: ReturnType<typeof random>): UsageEvent[] {
  const times: { at: number; refused: boolean; refunded: boolean }[] = [];
  let t = start + rand.int(0, 6 * HOUR);
  while (t < end) {
    const episode = rand.next();
    const edge = weekEndOf(t);
    if (edge - t < 20 * HOUR && rand.chance(0.5)) {
      // The period's last millisecond (or one just before it), then perhaps the next period's first.
      times.push({ at: edge - rand.int(0, 1) * rand.int(0, 1_000), refused: false, refunded: false });
      if (rand.chance(0.5)) times.push({ at: edge + 1 + rand.int(0, 1) * rand.int(0, 1_000), refused: false, refunded: false });
      t = edge + 1 + rand.int(10 * MINUTE, 20 * HOUR);
    } else if (episode >= busy) {
      times.push({ at: t, refused: false, refunded: false });
      t += rand.int(10 * MINUTE, 20 * HOUR);
    } else if (episode < busy * 0.4) {
      for (let i = rand.int(2, 5); i > 0; i--) {
        times.push({ at: t, refused: rand.chance(0.1), refunded: false });
        t += rand.int(1 * MINUTE, 9 * MINUTE);
      }
      t += rand.int(10 * MINUTE, 12 * HOUR);
    } else if (episode < busy * 0.8) {
      for (let i = rand.int(3, 12); i > 0; i--) {
        times.push({ at: t, refused: rand.chance(0.05), refunded: rand.chance(0.05) });
        t += rand.int(100, 3 * SECOND);
      }
      t += rand.int(10 * MINUTE, 12 * HOUR);
    } else {
      // A storm of refused calls: more single items in an hour than it takes to finish it at once.
      for (let i = rand.int(17, 20); i > 0; i--) {
        times.push({ at: t, refused: true, refunded: false });
        t += rand.int(1 * SECOND, 3 * SECOND);
      }
      t += rand.int(10 * MINUTE, 12 * HOUR);
    }
  }
  const events: UsageEvent[] = [];
  let seq = 0;
  let previous = Number.NEGATIVE_INFINITY;
  const perMinute = new Map<number, number>();
  for (const [i, { at, refused, refunded }] of times.filter(({ at }) => at < end).entries()) {
    const minute = Math.floor(at / MINUTE);
    const used = (perMinute.get(minute) ?? 0) + (refused ? 0 : 1);
    perMinute.set(minute, used);
    const base = slotCall(accountId, 0, at, { used: Math.max(used, 1) });
    if (refused) {
      events.push({ ...base, requestId: `req_${accountId}_r${i}`, seq: undefined, outcome: 'rejected', status: 429 });
      continue;
    }
    seq++;
    events.push({
      ...base,
      requestId: `req_${accountId}_${seq}`,
      product: seq % 3 ? 'echo' : 'maps',
      path: `/p/${seq}`,
      seq,
      ...(refunded ? { outcome: 'refunded' as const, status: 502 } : {}),
      ...(at - previous >= 10 * MINUTE ? { lone: true as const } : {}),
    });
    previous = at;
  }
  return events;
}

type Counts = { calls: number; admitted: number; rejected: number; chargedMicro: number; bytesOut: number };
const COUNTED = ['calls', 'admitted', 'rejected', 'chargedMicro', 'bytesOut'] as const;
/** Taken before the clock is mocked: every scenario lies weeks before it. */
const NOW = Date.now();
const TABLES = Object.fromEntries(Object.keys(TABLE_SPECS).map((name) => [name, name])) as Record<TableName, string>;

interface Scenario {
  seed: number;
  /** Seven-day periods before the current one that the scenario starts. */
  back: number;
  periods: number;
  /** The logs' retention (days; the default when absent), and a shorter one set, deployed and applied (`ops usage retention`) mid-scenario. */
  retention?: number;
  shorten?: { to: number; afterDays: number };
}

/**
 * Seeded random mixes of lone calls, ordinary ones, pages and refused calls of a few accounts over two or
 * three seven-day periods, each call delivered on time or late (minutes to days after, before and after its
 * week's pass), some twice, to a few worker containers; the sweep runs at every day's end and at random
 * hours; expired items are deleted at once (DynamoDB's TTL at its quickest). At every day's end, at other
 * runs and after some deliveries, the usage API (hours, and days) must count exactly the calls stored so
 * far, and each singles rollup exactly the calls up to its `through`: none lost, none counted twice.
 */
describe('week lists: seeded random mixes against a brute-force count', () => {
  // The usage API, erasure and the retention read the time: the moment the scenario is at (`scene.at`).
  const scene = scenarioClock();

  const reader = () => new DynamoDbUsageReader(scene.dynamo.client, USAGE_TABLES);
  const bucket = (at: number) => new Date(Math.floor(at / HOUR) * HOUR).toISOString().replace('.000Z', 'Z');
  const setRetention = (days?: number) => {
    if (days === undefined) delete process.env.USAGE_LOG_RETENTION_DAYS;
    else process.env.USAGE_LOG_RETENTION_DAYS = String(days);
  };

  it.each<Scenario>([
    // At the shortest retention that lists lone calls by week: the usage API's window barely covers a period and its pass.
    { seed: 1, back: 5, periods: 2, retention: WEEK_LIST_MIN_RETENTION_DAYS },
    // Three days, set and applied mid-period: days older than that still wait on their week list.
    { seed: 3, back: 3, periods: 2, shorten: { to: 3, afterDays: 11 } },
  ])('seed $seed: the usage API and the rollups agree with the calls stored at every sweep run', async (scenario) => {
    const { seed, periods } = scenario;
    const rand = random(seed);
    setRetention(scenario.retention);
    const start = weekEndOf(NOW) + 1 - scenario.back * WEEK_MS;
    const end = start + periods * WEEK_MS;
    const shortenAt = scenario.shorten ? start + scenario.shorten.afterDays * DAY + rand.int(0, 23) * HOUR : Number.POSITIVE_INFINITY;
    const accounts = [`acc_p${seed}_a`, `acc_p${seed}_b`, `acc_p${seed}_c`];
    const calls = accounts.flatMap((id, i) => callsOf(id, start, end, [0.05, 0.15, 0.35][i]!, rand));

    // Each call's deliveries: on time (under the step lag) or late, and now and then again (a redelivery) — late by
    // two days at most, inside every retention here (a late call's hour is counted again from its items).
    const deliveries: { at: number; event: UsageEvent }[] = [];
    const lateDelay = () => (rand.chance(0.5) ? rand.int(STEP_LAG_MS, 3 * HOUR) : rand.int(3 * HOUR, 2 * DAY));
    for (const event of calls) {
      const at = Date.parse(event.at);
      deliveries.push({ at: at + (rand.chance(0.9) ? rand.int(0, 3 * MINUTE) : lateDelay()), event });
      if (rand.chance(0.1)) deliveries.push({ at: at + (rand.chance(0.3) ? rand.int(0, 3 * MINUTE) : lateDelay()), event });
    }
    deliveries.sort((a, b) => a.at - b.at);
    // Batches: deliveries within 20 s of the batch's first, up to 10 messages, taken when the last arrives.
    const batches: { first: number; at: number; events: UsageEvent[] }[] = [];
    for (const delivery of deliveries) {
      const last = batches.at(-1);
      if (last && delivery.at - last.first <= 20 * SECOND && last.events.length < 10) {
        last.events.push(delivery.event);
        last.at = delivery.at;
      } else batches.push({ first: delivery.at, at: delivery.at, events: [delivery.event] });
    }
    // Sweep runs: each day's last hour, and now and then another hour, a minute after they close (skipping the others only
    // leaves their hours to the day's end, as logs are kept two days or more here).
    const runs: number[] = [];
    for (let day = start; day < end + 3 * DAY; day += DAY) {
      runs.push(day + DAY + STEP_LAG_MS + MINUTE);
      if (rand.chance(0.4)) runs.push(day + rand.int(1, 23) * HOUR + STEP_LAG_MS + MINUTE);
    }
    runs.sort((a, b) => a - b);

    const containers = [0, 1, 2].map(() => new DynamoDbUsageStore(scene.dynamo.client, USAGE_TABLES, undefined, () => scene.at));
    const sweeper = new DynamoDbUsageStore(scene.dynamo.client, USAGE_TABLES);
    const stored = new Map<string, UsageEvent>();

    const partition = (table: 'usageLogs' | 'usageAggregates', pk: string) =>
      queryAll(scene.dynamo.client, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } });
    /** DynamoDB's TTL at its quickest: every expired item of the accounts' logs is deleted. */
    const expire = async () => {
      for (const accountId of accounts)
        for (const item of await partition('usageLogs', `ACCOUNT#${accountId}`))
          if (Number(item.expiresAt ?? Number.POSITIVE_INFINITY) <= scene.at / 1000)
            await scene.dynamo.client.send(new DeleteCommand({ TableName: 'usageLogs', Key: { pk: item.pk, sk: item.sk } }));
    };
    const expectedBuckets = (accountId: string, day: boolean) => {
      const sums = new Map<string, Counts>();
      for (const event of stored.values()) {
        if (event.accountId !== accountId) continue;
        const hour = bucket(Date.parse(event.at));
        const key = `${day ? `${hour.slice(0, 10)}T00:00:00Z` : hour}#${event.product}`;
        const sum = sums.get(key) ?? { calls: 0, admitted: 0, rejected: 0, chargedMicro: 0, bytesOut: 0 };
        const counters = countersOfCall(event);
        for (const name of COUNTED) sum[name] += counters[name];
        sums.set(key, sum);
      }
      return Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b)));
    };
    const check = async (when: string, days: boolean) => {
      await expire();
      for (const accountId of accounts) {
        const usageAggregates = await partition('usageAggregates', `ACCOUNT#${accountId}#H`);
        for (const granularity of days ? (['hour', 'day'] as const) : (['hour'] as const)) {
          const answered = await reader().aggregates(accountId, granularity, bucket(start), bucket(end + 3 * DAY));
          const got = Object.fromEntries(
            answered.map((b) => [`${b.bucket}#${b.product}`, Object.fromEntries(COUNTED.map((name) => [name, b[name]]))]),
          );
          expect({ when, accountId, granularity, buckets: got }).toEqual({
            when,
            accountId,
            granularity,
            buckets: expectedBuckets(accountId, granularity === 'day'),
          });
        }
        // Each hour's singles rollup counts exactly the calls up to its `through`.
        for (const tally of singlesCounted(usageAggregates, accountId)) {
          const hour = Date.parse(tally.bucket);
          const upTo = [...stored.values()].filter(
            (event) =>
              event.accountId === accountId &&
              !storedInPage(event) &&
              event.product === tally.product &&
              Date.parse(event.at) >= hour &&
              Date.parse(event.at) <= tally.through,
          ).length;
          expect({ when, accountId, bucket: tally.bucket, product: tally.product, n: tally.n, calls: tally.calls }).toEqual({
            when,
            accountId,
            bucket: tally.bucket,
            product: tally.product,
            n: upTo,
            calls: upTo,
          });
        }
      }
    };

    let b = 0;
    let checks = 0;
    for (const run of runs) {
      for (; b < batches.length && batches[b]!.at < run; b++) {
        const batch = batches[b]!;
        if (batch.at >= shortenAt && process.env.USAGE_LOG_RETENTION_DAYS !== String(scenario.shorten!.to)) {
          // The shorter retention is deployed; an hour later the operator applies it to the stored logs.
          scene.at = shortenAt;
          setRetention(scenario.shorten!.to);
          await check('once the shorter retention is deployed', true);
          scene.at = shortenAt + HOUR;
          await applyUsageLogRetention({ dynamo: scene.dynamo.client, tables: TABLES }, scenario.shorten!.to, scene.at);
          await check('once the stored logs are brought under it', true);
        }
        scene.at = batch.at;
        const outcome = await recordUsageBatch(
          batch.events.map((event, i) => ({ messageId: `${callIdentity(event)}@${batch.at}#${i}`, body: JSON.stringify(event) })),
          { store: containers[b % containers.length]!, settings: { of: async () => ({ analytics: true }) } },
        );
        expect(outcome.failed.size).toBe(0);
        for (const event of batch.events) stored.set(callIdentity(event), event);
        if (rand.chance(0.01)) await check(`after the batch at ${new Date(batch.at).toISOString()}`, false);
      }
      scene.at = run;
      await sweeper.finishHours(run - 2 * MINUTE, run);
      // Every day's end is checked (days too at a period's end), and a third of the other runs.
      const dayEnd = (run - STEP_LAG_MS - MINUTE) % DAY === 0;
      if (dayEnd || rand.chance(0.3)) {
        await check(`after the run at ${new Date(run).toISOString()}`, (run - STEP_LAG_MS - MINUTE) % WEEK_MS === 0 || rand.chance(0.2));
        checks++;
      }
    }
    expect(b).toBe(batches.length);
    expect(checks).toBeGreaterThan(periods * 7);
    // Every period is over and swept: every call is in a rollup.
    for (const accountId of accounts)
      expect(allCounted(await partition('usageAggregates', `ACCOUNT#${accountId}#H`), accountId).calls).toBe(
        [...stored.values()].filter((e) => e.accountId === accountId).length,
      );
    expect(calls.filter((event) => event.lone).length).toBeGreaterThan(10 * periods);
  });
});
