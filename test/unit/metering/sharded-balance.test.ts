import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedger } from '../../../lambdas/billing/adapters/dynamodb-ledger';
import { DynamoDbMeter } from '../../../lambdas/metering/adapters/dynamodb-meter';
import type { MeterDecision } from '../../../lambdas/metering/domain/model';
import { balanceShards, collectBalanceShards } from '../../../lambdas/shared/adapters/dynamodb-balance';
import { balanceKey, MICRO_PER_CREDIT } from '../../../lambdas/shared/credits';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { seededRandom as random } from '../../helpers/seeded-random';

const SHARDS = 16;
const CONTAINERS = 25;
const CALLS = 500;
const PRICE = MICRO_PER_CREDIT;
/**
 * 500 concurrent calls through the local transaction proxy take ~20 s on a quiet 2-core machine, and
 * up to four minutes at a load of 17 (measured): a deadline with room for that, as it asserts no timing.
 */
const STORM_TIMEOUT_MS = 480_000;

/**
 * A sharded balance (plan `balanceShards`) against DynamoDB's protocol (dynalite behind the local
 * transaction proxy): 500 concurrent calls of one account over 25 simulated gateway containers,
 * each with its own meter (its own stale-window memory and shard picks).
 */
describe('sharded balance: one account over many containers', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const fund = (accountId: string, credits: number) =>
    dynamo.client.send(new PutCommand({ TableName: 'ledger', Item: { ...balanceKey(accountId), balance: credits * PRICE } }));
  const containers = (seed: number) => {
    const next = random(seed);
    return Array.from({ length: CONTAINERS }, () => new DynamoDbMeter(dynamo.client, 'ledger', (shards) => Math.floor(next() * shards)));
  };
  const storm = (meters: DynamoDbMeter[], accountId: string, limitPerMinute: number, now: Date) =>
    Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        meters[i % meters.length]!.admit({ accountId, priceMicro: PRICE, limitPerMinute, now, shards: SHARDS }),
      ),
    );
  const shardBalances = async (accountId: string) => (await balanceShards(dynamo.client, 'ledger', accountId)).map((s) => s.balance ?? 0);

  it(
    'never spends more than the balance, loses or strands no credit, and numbers every admitted call uniquely',
    async () => {
      await fund('acc_big', 300);
      const meters = containers(7);
      const now = new Date('2026-03-01T10:00:10Z');
      const decisions: MeterDecision[] = await storm(meters, 'acc_big', 960_000, now);

      const admitted = decisions.filter((d) => d.admitted);
      expect(admitted.length).toBeLessThanOrEqual(300);
      const balances = await shardBalances('acc_big');
      expect(balances.every((b) => b >= 0)).toBe(true);
      // Credits only moved between the balance item and its shards: what is left is what was not spent.
      expect(balances.reduce((a, b) => a + b, 0)).toBe((300 - admitted.length) * PRICE);
      expect(await new DynamoDbLedger(dynamo.client, 'ledger').balance('acc_big')).toBe((300 - admitted.length) * PRICE);
      expect(new Set(admitted.map((d) => (d as { seq: number }).seq)).size).toBe(admitted.length);
      expect(decisions.every((d) => d.partial)).toBe(true);

      // Whatever the storm left in any shard can still be spent: the account reaches exactly zero, then 402.
      let more = 0;
      for (let i = 0; ; i++) {
        const decision = await meters[i % CONTAINERS]!.admit({
          accountId: 'acc_big',
          priceMicro: PRICE,
          limitPerMinute: 960_000,
          now,
          shards: SHARDS,
        });
        if (!decision.admitted) {
          expect(decision.reason).toBe('insufficient_credit');
          break;
        }
        more++;
      }
      expect(admitted.length + more).toBe(300);
      expect((await shardBalances('acc_big')).every((b) => b === 0)).toBe(true);
    },
    STORM_TIMEOUT_MS,
  );

  it(
    "never admits more than the plan's limit a minute, each shard its share",
    async () => {
      await fund('acc_fast', 10_000);
      const now = new Date('2026-03-01T10:00:30Z');
      const decisions = await storm(containers(11), 'acc_fast', 160, now);
      const admitted = decisions.filter((d) => d.admitted).length;
      // A call its shard refuses for the limit goes to the next: the whole limit is used, never more.
      expect(admitted).toBe(160);
      expect(decisions.filter((d) => !d.admitted).every((d) => !d.admitted && d.reason === 'rate_limited')).toBe(true);
      expect(await new DynamoDbLedger(dynamo.client, 'ledger').balance('acc_fast')).toBe((10_000 - admitted) * PRICE);

      // Leaving the sharded plan (ops set-plan): what the shards hold goes back to the balance item, nothing lost.
      const held = (await shardBalances('acc_fast')).slice(1).reduce((a, b) => a + b, 0);
      expect(held).toBeGreaterThan(0);
      expect(await collectBalanceShards(dynamo.client, 'ledger', 'acc_fast')).toEqual({ moved: held, left: 0 });
      const after = await shardBalances('acc_fast');
      expect(after.slice(1).every((b) => b === 0)).toBe(true);
      expect(after[0]).toBe((10_000 - admitted) * PRICE);
    },
    STORM_TIMEOUT_MS,
  );

  it('admits a small limit whole, one call at a time from one container, then refuses without a write', async () => {
    await fund('acc_small', 100);
    const meter = containers(3)[0]!;
    const now = new Date('2026-03-01T10:00:40Z');
    const admit = () => meter.admit({ accountId: 'acc_small', priceMicro: PRICE, limitPerMinute: 16, now, shards: SHARDS });
    for (let i = 0; i < 16; i++) expect(await admit()).toMatchObject({ admitted: true });
    // Every shard refused once; from then on this container knows them full until the minute ends.
    expect(await admit()).toMatchObject({ admitted: false, reason: 'rate_limited' });
    const writes = dynamo.calls('UpdateItem ledger');
    expect(await admit()).toMatchObject({ admitted: false, reason: 'rate_limited' });
    expect(dynamo.calls('UpdateItem ledger')).toBe(writes);
  });

  it('answers 429, not 402, when the minute is used up while credit is left', async () => {
    await fund('acc_two', 3);
    const meter = containers(9)[0]!;
    const now = new Date('2026-03-01T10:00:45Z');
    const admit = () => meter.admit({ accountId: 'acc_two', priceMicro: PRICE, limitPerMinute: 2, now, shards: 2 });
    expect(await admit()).toMatchObject({ admitted: true });
    expect(await admit()).toMatchObject({ admitted: true });
    expect(await admit()).toMatchObject({ admitted: false, reason: 'rate_limited' });
    expect(await admit()).toMatchObject({ admitted: false, reason: 'rate_limited' });
    expect(await new DynamoDbLedger(dynamo.client, 'ledger').balance('acc_two')).toBe(1 * PRICE);
  });

  it('collects the shards back while calls still spend from them, losing and inventing nothing', async () => {
    await fund('acc_busy', 1_000);
    const meters = containers(13);
    const now = new Date('2026-03-01T10:00:55Z');
    const spend = Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        meters[i % CONTAINERS]!.admit({ accountId: 'acc_busy', priceMicro: PRICE, limitPerMinute: 960_000, now, shards: SHARDS }),
      ),
    );
    const collected = await Promise.all([
      collectBalanceShards(dynamo.client, 'ledger', 'acc_busy'),
      collectBalanceShards(dynamo.client, 'ledger', 'acc_busy'),
    ]);
    const admitted = (await spend).filter((d) => d.admitted).length;
    expect(collected.every(({ moved, left }) => moved >= 0 && left >= 0)).toBe(true);
    expect(await new DynamoDbLedger(dynamo.client, 'ledger').balance('acc_busy')).toBe((1_000 - admitted) * PRICE);
    expect((await shardBalances('acc_busy')).every((b) => b >= 0)).toBe(true);
  });

  it('a clawback reaches the credit already moved into shards: the account cannot go on spending it', async () => {
    await fund('acc_clawed', 100);
    const meters = containers(5);
    const now = new Date('2026-03-01T10:00:50Z');
    const admit = (i: number) =>
      meters[i % CONTAINERS]!.admit({ accountId: 'acc_clawed', priceMicro: PRICE, limitPerMinute: 960_000, now, shards: SHARDS });
    for (let i = 0; i < 20; i++) expect(await admit(i)).toMatchObject({ admitted: true });
    expect((await shardBalances('acc_clawed')).slice(1).some((b) => b > 0)).toBe(true);
    // Everything that is left is taken back (a refund of the purchase).
    await new DynamoDbLedger(dynamo.client, 'ledger').post(
      'acc_clawed',
      { type: 'clawback', amountMicro: -80 * PRICE, reason: 'refund' },
      'clawback:test',
    );
    expect((await shardBalances('acc_clawed')).slice(1).every((b) => b === 0)).toBe(true);
    for (let i = 0; i < 20; i++) expect(await admit(i)).toMatchObject({ admitted: false, reason: 'insufficient_credit' });
    expect(await new DynamoDbLedger(dynamo.client, 'ledger').balance('acc_clawed')).toBe(0);
  });

  it(
    'refuses an exhausted account in a couple of reads: 200 concurrent calls on 100 credits, money exact, then 402s with no writes',
    async () => {
      await fund('acc_poor', 100);
      let sends = 0;
      const counting = new Proxy(dynamo.client, {
        get: (target, prop) => (prop === 'send' ? (command: never) => ((sends += 1), target.send(command)) : Reflect.get(target, prop)),
      });
      const next = random(11);
      const meters = Array.from(
        { length: CONTAINERS },
        () => new DynamoDbMeter(counting, 'ledger', (shards) => Math.floor(next() * shards)),
      );
      const now = new Date('2026-03-01T10:00:20Z');
      const admit = (i: number) =>
        meters[i % CONTAINERS]!.admit({ accountId: 'acc_poor', priceMicro: PRICE, limitPerMinute: 960_000, now, shards: SHARDS });
      const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => admit(i)));
      expect(decisions.filter((d) => d.admitted)).toHaveLength(100);
      expect(decisions.filter((d) => !d.admitted).every((d) => !d.admitted && d.reason === 'insufficient_credit')).toBe(true);
      expect(await new DynamoDbLedger(dynamo.client, 'ledger').balance('acc_poor')).toBe(0);
      // Every container now knows the balance item is short: a refusal reads the shards and writes nothing.
      sends = 0;
      const refusals = await Promise.all(Array.from({ length: CONTAINERS }, (_, i) => admit(i)));
      expect(refusals.every((d) => !d.admitted)).toBe(true);
      expect(sends / CONTAINERS).toBeLessThanOrEqual(2);
    },
    STORM_TIMEOUT_MS,
  );

  it('splits the limit into shares that add up to it exactly', () => {
    for (const [limit, shards] of [
      [160, 16],
      [1_000, 16],
      [17, 16],
      [960_000, 16],
      [5, 5],
    ] as const) {
      const shares = Array.from({ length: shards }, (_, s) => DynamoDbMeter.shareOf(limit, shards, s));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(limit);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });
});
