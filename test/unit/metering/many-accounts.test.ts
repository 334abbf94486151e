import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { countersOfCall } from '../../../lambdas/shared/usage-counters';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { afterDayOf, allCounted } from '../../helpers/singles-rollups';
import { seededRandom } from '../../helpers/seeded-random';
import { type LogFilters, matchesFilters } from '../../../lambdas/metering/domain/usage-queries';
import { DynamoDbUsageLogs } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import type { UsageLog } from '../../../lambdas/shared/usage-logs';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const ACCOUNTS = 60;
const tables = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };
const settings = { of: async () => ({ analytics: true }) };
const hex = (random: () => number, n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

/** What the world sends, as the gateway queues it: paths, agents and addresses the project did not write. */
const PATHS = ['/v1/items', '/caf\u00e9/men\u00fc', '/%E2%82%AC/x%20y', '/emoji/\u{1F600}', '/a'.repeat(300), '/', '/x/../y', '/\u0000/z'];
const AGENTS = ['', 'curl/8.5.0', 'Mozilla/5.0 '.repeat(40).slice(0, 512), 'python-requests/2.32.3', '\u00e9\u00e8 agent'];
const IPS = ['198.51.100.7', '2001:db8::1', '::1', '2001:DB8:0:0:0:0:0:1', '010.001.002.003', '::ffff:192.0.2.1', 'fe80::1%eth0'];

/**
 * Many small accounts, each calling a few times across an hour and a day boundary, their events
 * delivered at least once, late and out of order, to worker containers running batches at once,
 * with the sweep run on time, twice, late and beside the workers: every call must be counted and
 * logged exactly once, as an independent count kept here says, at every point along the way.
 */
describe('many small accounts: every call counted and logged exactly once, whatever the delivery', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  it('agrees with an independent count in the usage API (hour and day, per product, refusals), the log explorer, and after erasure', async () => {
    const random = seededRandom(Number(process.env.SEED ?? 1811));
    // From 22:40 to 01:20 three days ago: two hour boundaries and a day boundary.
    const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 2 * 24 * HOUR;
    const start = day - HOUR - 20 * MINUTE;
    const end = day + HOUR + 20 * MINUTE;
    const calls: UsageEvent[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const accountId = `acc_many${a}`;
      const keys = Array.from({ length: 1 + (a % 2) }, () => `key_${hex(random, 24)}`);
      // A few calls in half an hour around one of the boundaries (23:00, midnight, 01:00), now and then at its very edge.
      const count = 2 + Math.floor(random() * 7);
      const boundary = day + (Math.floor(random() * 3) - 1) * HOUR;
      const times = Array.from({ length: count }, () =>
        random() < 0.1 ? boundary - Math.floor(random() * 2) : boundary - 15 * MINUTE + Math.floor(random() * 30 * MINUTE),
      );
      // One account in six also has a burst at the start of a minute: its first calls go to slots, the rest (two a second and more) to pages.
      if (a % 6 === 0) {
        const minute = Math.floor((boundary - 5 * MINUTE + Math.floor(random() * 10 * MINUTE)) / MINUTE) * MINUTE;
        times.push(...Array.from({ length: 25 }, (_, i) => minute + i * 200));
      }
      times.sort((x, y) => x - y);
      let seq = 0;
      const perMinute = new Map<number, number>();
      for (const at of times) {
        const roll = random();
        const outcome = roll < 0.12 ? 'rejected' : roll < 0.18 ? 'refunded' : 'ok';
        const minute = Math.floor(at / MINUTE);
        const used = (perMinute.get(minute) ?? 0) + (outcome === 'rejected' ? 0 : 1);
        perMinute.set(minute, used);
        if (outcome !== 'rejected') seq++;
        calls.push({
          v: 1,
          // Now and then a request id another call already had (another account's, or this one's).
          requestId:
            calls.length && random() < 0.05
              ? calls[Math.floor(random() * calls.length)]!.requestId
              : random() < 0.5
                ? hex(random, 32)
                : `${hex(random, 12)}AbC=`,
          accountId,
          keyId: keys[Math.floor(random() * keys.length)]!,
          product: random() < 0.3 ? 'maps' : 'echo',
          method: ['GET', 'POST', 'HEAD', 'DELETE'][Math.floor(random() * 4)]!,
          path: PATHS[Math.floor(random() * PATHS.length)]!,
          status: outcome === 'rejected' ? (random() < 0.5 ? 402 : 429) : outcome === 'refunded' ? 502 : random() < 0.2 ? 404 : 200,
          outcome,
          priceMicroCredits: 1_000 * (1 + (a % 3)),
          latencyMs: Math.floor(random() * 200),
          ...(outcome === 'rejected' ? {} : { upstreamLatencyMs: Math.floor(random() * 150) }),
          requestBytes: Math.floor(random() * 2_000),
          responseBytes: Math.floor(random() * 20_000),
          ip: IPS[Math.floor(random() * IPS.length)]!,
          userAgent: AGENTS[Math.floor(random() * AGENTS.length)]!,
          at: new Date(at).toISOString(),
          ...(outcome === 'rejected' ? {} : { seq }),
          used,
        });
      }
    }

    // Each call queued once, delivered one to three times, each copy after a delay: mostly seconds, one in five minutes late.
    const deliveries = calls.flatMap((call) =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        call,
        arrives: Date.parse(call.at) + (random() < 1 / 5 ? 4 * MINUTE + Math.floor(random() * 12 * MINUTE) : Math.floor(random() * 40_000)),
      })),
    );
    deliveries.sort((x, y) => x.arrives - y.arrives);

    // Three containers; refused calls start counting steps more often than in production (one in two), so steps meet each other and the sweep.
    const containers = Array.from({ length: 3 }, () => {
      const box = { clock: start };
      return { box, store: new DynamoDbUsageStore(dynamo.client, tables, undefined, () => box.clock, 2) };
    });
    // Rollup writes throttled past the SDK's retries now and then: a worker's batch fails (and is redelivered), a sweep run fails (the next makes it up).
    const flaky = (p: number) =>
      ({
        send: async (command: {
          constructor: { name: string };
          input: { TableName?: string; TransactItems?: { Update?: { TableName?: string } }[] };
        }) => {
          const aggregates =
            (command.constructor.name === 'UpdateCommand' && command.input.TableName === 'usageAggregates') ||
            (command.constructor.name === 'TransactWriteCommand' &&
              (command.input.TransactItems ?? []).some((t) => t.Update?.TableName === 'usageAggregates'));
          if (aggregates && random() < p) throw new Error('throttled');
          return dynamo.client.send(command as never);
        },
      }) as unknown as typeof dynamo.client;
    const flakyContainers = Array.from({ length: 3 }, () => {
      const box = { clock: start };
      return { box, store: new DynamoDbUsageStore(flaky(0.3), tables, undefined, () => box.clock, 2) };
    });
    const sweeper = { clock: start };
    const sweepStore = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => sweeper.clock);
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const recorded = new Map<string, UsageEvent>();
    const identity = (e: UsageEvent) => `${e.accountId}|${e.requestId}|${e.at}`;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

    /** The usage API's hour buckets of every account against the calls recorded so far. */
    const checkCounts = async (label: string) => {
      for (let a = 0; a < ACCOUNTS; a++) {
        const accountId = `acc_many${a}`;
        const mine = [...recorded.values()].filter((e) => e.accountId === accountId);
        for (const granularity of ['hour', 'day'] as const) {
          const expected = new Map<string, Record<string, number>>();
          for (const e of mine) {
            const bucket = granularity === 'hour' ? `${e.at.slice(0, 13)}:00:00Z` : `${e.at.slice(0, 10)}T00:00:00Z`;
            const sum = expected.get(`${bucket} ${e.product}`) ?? {};
            for (const [name, value] of Object.entries(countersOfCall(e)))
              if (name !== 'latencyMsSum') sum[name] = (sum[name] ?? 0) + value;
            expected.set(`${bucket} ${e.product}`, sum);
          }
          const buckets = await reader.aggregates(accountId, granularity, iso(start - 2 * HOUR), iso(end + HOUR));
          const got = new Map(
            buckets.map(({ bucket, product, avgLatencyMs: _l, ...counters }) => [
              `${bucket} ${product}`,
              Object.fromEntries(Object.entries(counters).filter(([, v]) => v !== 0)),
            ]),
          );
          const want = new Map([...expected].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([, n]) => n !== 0))]));
          expect({ label, accountId, granularity, buckets: Object.fromEntries(got) }).toEqual({
            label,
            accountId,
            granularity,
            buckets: Object.fromEntries(want),
          });
        }
      }
    };

    let nextSweep = start + 15 * MINUTE;
    let checks = 0;
    while (deliveries.length) {
      // Up to three batches at once, one per container, each what arrived within its batching window.
      const wave: { container: (typeof containers)[number]; batch: typeof deliveries }[] = [];
      for (const container of containers) {
        if (!deliveries.length) break;
        const opens = deliveries[0]!.arrives;
        let n = 0;
        while (n < deliveries.length && deliveries[n]!.arrives <= opens + 10_000 && n < 40) n++;
        const batch = deliveries.splice(0, Math.max(1, Math.floor(n * (0.4 + random() * 0.6))));
        container.box.clock = batch.at(-1)!.arrives + 500;
        wave.push({ container, batch });
        flakyContainers[containers.indexOf(container)]!.box.clock = container.box.clock;
      }
      const waveClock = Math.max(...wave.map((w) => w.container.box.clock));
      // The sweep every 15 minutes of the simulated clock: sometimes beside the batches, sometimes run twice, sometimes late.
      const sweeps: Promise<unknown>[] = [];
      if (waveClock >= nextSweep) {
        const late = random() < 0.2 ? 20 * MINUTE : 0;
        if (waveClock >= nextSweep + late) {
          sweeper.clock = waveClock;
          const runStore = random() < 0.3 ? new DynamoDbUsageStore(flaky(0.3), tables) : sweepStore;
          sweeps.push(runStore.sweep(nextSweep + late, nextSweep + late - 30 * MINUTE).catch(() => undefined));
          if (random() < 0.3) sweeps.push(sweepStore.sweep(nextSweep + late, nextSweep + late - 30 * MINUTE).catch(() => undefined));
          nextSweep += 15 * MINUTE;
        }
      }
      const results = await Promise.all(
        wave.map(({ container, batch }, w) =>
          recordUsageBatch(
            batch.map(({ call }, i) => ({ messageId: `w${checks}_${w}_${i}`, body: JSON.stringify(call) })),
            { store: random() < 0.2 ? flakyContainers[w]!.store : container.store, settings },
          ),
        ),
      );
      await Promise.all(sweeps);
      for (const [w, result] of results.entries()) {
        const batch = wave[w]!.batch;
        for (const [i, delivery] of batch.entries()) {
          if (result.failed.has(`w${checks}_${w}_${i}`)) {
            // SQS redelivers it after the visibility timeout.
            deliveries.push({ call: delivery.call, arrives: delivery.arrives + 30_000 + Math.floor(random() * 60_000) });
            deliveries.sort((x, y) => x.arrives - y.arrives);
          } else recorded.set(identity(delivery.call), delivery.call);
        }
      }
      // Every few waves, the usage API must already say exactly what was recorded.
      if (++checks % 25 === 0) await checkCounts(`after wave ${checks}`);
    }
    await checkCounts('all delivered');
    expect(recorded.size).toBe(calls.length);

    // Once the sweep has finished every hour (a quiet account's at its day's end), the rollups alone hold every call once.
    sweeper.clock = afterDayOf(end);
    await sweepStore.sweep(afterDayOf(end), 0);
    await checkCounts('swept');
    const rollups = (await dynamo.scanAll()).usageAggregates.filter((item) => String(item.pk).startsWith('ACCOUNT#acc_many'));
    for (let a = 0; a < ACCOUNTS; a++) {
      const mine = calls.filter((e) => e.accountId === `acc_many${a}`);
      const held = allCounted(rollups, `acc_many${a}`);
      expect([a, held.calls]).toEqual([a, mine.length]);
      expect([a, held.chargedMicro]).toEqual([a, mine.reduce((sum, e) => sum + countersOfCall(e).chargedMicro, 0)]);
    }

    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    // The log explorer: each filter, read a few at a time through the cursor, is exactly the matching calls, newest first.
    const order = (l: { at: string; requestId: string }) => `${l.at}#${l.requestId}`;
    const strip = ({ v: _v, accountId: _a, seq: _s, used: _u, balanceMicro: _b, ...log }: UsageEvent): UsageLog => log;
    for (let a = 0; a < ACCOUNTS; a += 3) {
      const accountId = `acc_many${a}`;
      const mine = calls.filter((e) => e.accountId === accountId).map(strip);
      const filterSets: LogFilters[] = [
        {},
        { status: '402' },
        { status: '429' },
        { status: '2xx' },
        { status: '5xx' },
        { product: 'maps' },
        { keyId: mine[0]!.keyId },
        { pathPrefix: '/caf\u00e9' },
        { from: new Date(day - 10 * MINUTE).toISOString(), to: new Date(day + 10 * MINUTE).toISOString() },
      ];
      for (const filters of filterSets) {
        const keep = matchesFilters(filters);
        const want = mine
          .filter((l) => keep(l) && (!filters.from || l.at >= filters.from) && (!filters.to || l.at <= filters.to))
          .sort((x, y) => (order(x) < order(y) ? 1 : -1));
        const read: UsageLog[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await logs.page(accountId, {
            limit: 1 + Math.floor(random() * 4),
            cursor,
            from: filters.from,
            to: filters.to,
            filter: keep,
            now: new Date(),
          });
          read.push(...page.logs);
          cursor = page.nextCursor;
          expect(++pages).toBeLessThan(100);
        } while (cursor);
        expect({ accountId, filters, logs: read }).toEqual({ accountId, filters, logs: want });
      }
    }

    // Erasure, a few items a step, leaves nothing of any account it erases, and counts every call once.
    for (let a = 0; a < ACCOUNTS; a += 7) {
      const accountId = `acc_many${a}`;
      let erased = 0;
      for (let step = 0; step < 100; step++) {
        const page = await logs.erasePage(accountId, 3);
        erased += page.erased;
        if (!page.remaining) break;
      }
      expect([accountId, erased]).toEqual([accountId, calls.filter((e) => e.accountId === accountId).length]);
      expect(await logs.any(accountId)).toBe(false);
    }
  }, 600_000);
});
