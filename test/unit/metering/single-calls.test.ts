import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore, lastMsOf, STEP_LAG_MS, storedInPage } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import {
  agentIdOf,
  agentSortKey,
  callsOfItem,
  clientAttribute,
  clientHashOf,
  DynamoDbUsageLogs,
  hourEndOf,
  isAgentKey,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { encodeClient, encodeInlineClient } from '../../../lambdas/shared/adapters/slot-entry';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';
import { afterDayOf, singlesCounted } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';

const HOUR = 3_600_000;

/** What the store keeps of an event: its log, without the envelope. */
const logOf = ({ v: _v, accountId: _a, seq: _s, used: _u, balanceMicro: _b, ...log }: UsageEvent) => log;

const event = usageEvent;

describe('single calls: a call of an account that is not busy is one plain write, counted into its hour in steps', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  const tables = USAGE_TABLES;
  const settings = { of: async () => ({ analytics: true }) };

  it('decides the form from the call alone: busy accounts page, the rest are single, refunds and older events go with pages', () => {
    const at = new Date(Date.UTC(2026, 2, 1, 10, 0, 30));
    expect(storedInPage(event('a', 0, at, 1))).toBe(false);
    expect(storedInPage(event('a', 0, at, 200))).toBe(true);
    expect(storedInPage({ ...event('a', 0, at, 1), outcome: 'refunded' })).toBe(true);
    expect(storedInPage({ ...event('a', 0, at, 1), used: undefined })).toBe(true);
    expect(storedInPage({ ...event('a', 0, at, 0), seq: undefined, outcome: 'rejected', status: 402 })).toBe(false);
  });

  it('stores a call alone in its batch with one conditional write to its slot and no transaction, and a redelivery as a duplicate', async () => {
    const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => now);
    const lone = event('acc_lone', 1, new Date(now - 20_000), 1);
    const [puts, updates] = [dynamo.calls('PutItem usageLogs'), dynamo.calls('UpdateItem usageLogs')];
    const transactions = dynamo.calls('TransactWriteItems');
    const batchGets = dynamo.calls('BatchGetItem');
    const client = clientAttribute(clientHashOf({ keyId: 'key_1', userAgent: 'jest' }));
    expect((await recordUsageBatch([{ messageId: 'm1', body: JSON.stringify(lone) }], { store, settings })).recorded).toBe(1);
    // Its slot's update and the account's entry in the day's sweep list (once a day per worker
    // container); the slot's client holds its user agent itself, so no agent item is read or put.
    expect(dynamo.calls('UpdateItem usageLogs') - updates).toBe(2);
    expect(dynamo.calls('PutItem usageLogs') - puts).toBe(0);
    expect(dynamo.calls('BatchGetItem') - batchGets).toBe(1);
    expect(dynamo.calls('TransactWriteItems') - transactions).toBe(0);
    const alone = (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === 'ACCOUNT#acc_lone');
    expect(alone).toHaveLength(1);
    expect(alone[0]).toMatchObject({ n: 1, [client]: encodeInlineClient('key_1', 'jest') });
    // Met again by the same container in the hour: its agent is put once as the hour's agent item, and named from then on.
    const next = event('acc_lone', 2, new Date(now - 10_000), 1);
    expect((await recordUsageBatch([{ messageId: 'm3', body: JSON.stringify(next) }], { store, settings })).recorded).toBe(1);
    expect(dynamo.calls('UpdateItem usageLogs') - updates).toBe(3);
    expect(dynamo.calls('PutItem usageLogs') - puts).toBe(1);
    const again = await recordUsageBatch([{ messageId: 'm2', body: JSON.stringify(lone) }], { store, settings });
    expect(again).toMatchObject({ recorded: 0, duplicates: 1 });
    // Sequence numbers 1 and 2, one key and agent, one hour: one slot item holds both, one agent item the user agent.
    const items = (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === 'ACCOUNT#acc_lone');
    expect(items).toHaveLength(2);
    const [slot, agent] = [items.find((item) => !isAgentKey(String(item.sk)))!, items.find((item) => isAgentKey(String(item.sk)))!];
    const expiresAt = Math.floor((Math.floor(now / HOUR) * HOUR + HOUR - 1) / 1000) + 90 * 86_400;
    expect(agent).toEqual({ pk: 'ACCOUNT#acc_lone', sk: agentSortKey(hourEndOf(lone.at), agentIdOf('jest')), u: 'jest', expiresAt });
    // The client's key id and user agent held once, under its short hash, in the form its first write chose.
    expect(slot).toMatchObject({ n: 2, [client]: encodeInlineClient('key_1', 'jest') });
    // Whoever reads it, with the hour's agents or without, gets whole logs.
    expect(callsOfItem(slot!, new Map([[String(agent!.sk), 'jest']])).map(({ log }) => log)).toEqual([logOf(lone), logOf(next)]);
    expect(callsOfItem(slot!).map(({ log }) => log)).toEqual([logOf(lone), logOf(next)]);
    expect(slot!.expiresAt).toBe(expiresAt);
    expect(
      (await new DynamoDbUsageLogs(dynamo.client, 'usageLogs').page('acc_lone', { limit: 10, now: new Date(now) })).logs.map(
        (l) => l.requestId,
      ),
    ).toEqual([next.requestId, lone.requestId]);
    // A slot first written by a container that names the agent: the client holds the agent id, and readers join the agent item.
    const third = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => now);
    const spread = [9, 17].map((i) => event('acc_lone', i, new Date(now - 5_000), 1));
    await recordUsageBatch(
      spread.map((e, i) => ({ messageId: `s${i}`, body: JSON.stringify(e) })),
      { store: third, settings },
    );
    const named = (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === 'ACCOUNT#acc_lone' && String(item.sk).endsWith('#Z1'));
    expect(named).toEqual([expect.objectContaining({ n: 1, [client]: encodeClient('key_1', agentIdOf('jest')) })]);
    expect(callsOfItem(named[0]!).map(({ log }) => log.userAgent)).toEqual(['']);
    expect(callsOfItem(named[0]!, new Map([[String(agent!.sk), 'jest']])).map(({ log }) => log)).toEqual([logOf(spread[0]!)]);
  });

  it('counts each single call once across steps, late arrivals and redeliveries; the reader adds the ones no step has counted yet', async () => {
    const start = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    let clock = start;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => clock);
    // Two hours of one call a minute, in batches of three as they arrive; every tenth batch also redelivers the one before, and one call comes 20 minutes late.
    const calls = Array.from({ length: 120 }, (_, i) =>
      event('acc_steps', i, new Date(start + i * 60_000 + 7_000), 1, i % 4 ? 'echo' : 'maps'),
    );
    const late = calls.splice(30, 1)[0]!;
    let previous: UsageEvent[] = [];
    for (let i = 0; i < calls.length; i += 3) {
      const batch = calls.slice(i, i + 3);
      clock = Date.parse(batch.at(-1)!.at) + 10_000;
      if (i === 60) batch.push(late);
      const redelivered = i % 30 === 0 ? previous : [];
      await recordUsageBatch(
        [...batch, ...redelivered].map((e, n) => ({ messageId: `m${i}_${n}`, body: JSON.stringify(e) })),
        { store, settings },
      );
      previous = batch;
    }
    const counted = async () =>
      singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_steps').reduce((sum, item) => sum + item.calls, 0);
    // The late call had its hour counted from scratch; nothing else is counted before its hour is finished, never one twice.
    const tallied = await counted();
    expect(tallied).toBeGreaterThan(20);
    expect(tallied).toBeLessThan(120);
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const total = async () => {
      const hours = await reader.aggregates(
        'acc_steps',
        'hour',
        new Date(start).toISOString().replace('.000Z', 'Z'),
        new Date(start + 3 * HOUR).toISOString(),
      );
      return [
        hours.reduce((sum, h) => sum + h.calls, 0),
        hours.filter((h) => h.product === 'maps').reduce((sum, h) => sum + h.calls, 0),
        hours.reduce((sum, h) => sum + h.chargedMicro, 0),
      ];
    };
    // The reader adds what no rollup holds yet, from the slots.
    expect(await total()).toEqual([120, 30, 120_000]);
    // Once both hours are finished (a quiet account's hours at their day's end), the rollups hold every call once, and the reader still says the same.
    clock = afterDayOf(start + HOUR);
    await store.finishHours(start, clock);
    expect(await counted()).toBe(120);
    expect(await total()).toEqual([120, 30, 120_000]);
    expect(STEP_LAG_MS).toBeGreaterThan(0);
  });

  it('a second worker container meeting the account on the same day reads its sweep-list entry and agent, and writes only the call', async () => {
    const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000;
    const first = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => now);
    await recordUsageBatch([{ messageId: 'c1', body: JSON.stringify(event('acc_sparse', 1, new Date(now - 20_000), 1)) }], {
      store: first,
      settings,
    });
    const second = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => now);
    const [puts, updates] = [dynamo.calls('PutItem usageLogs'), dynamo.calls('UpdateItem usageLogs')];
    await recordUsageBatch([{ messageId: 'c2', body: JSON.stringify(event('acc_sparse', 2, new Date(now - 10_000), 1)) }], {
      store: second,
      settings,
    });
    expect(dynamo.calls('UpdateItem usageLogs') - updates).toBe(1);
    expect(dynamo.calls('PutItem usageLogs') - puts).toBe(0);
    const listed = (await dynamo.scanAll()).usageLogs.filter((item) => String(item.pk).startsWith('SWEEP#') && item.sk === 'acc_sparse');
    expect(listed).toHaveLength(1);
  });

  it('the sweep finishes the hours of an account that stopped calling: counted exactly once, and the reader reads no single item for them', async () => {
    // Noon of yesterday (UTC): an hour that is not its day's last, whatever the time the test runs (three hours back,
    // between 02:00 and 03:00 it was, and the second sweep below then reached the day's end and finished it).
    const hour = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 12 * HOUR;
    let clock = hour + 40 * 60_000;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => clock);
    // Seven calls in the hour's last twenty minutes, then nothing: no step can count calls younger than STEP_LAG_MS.
    const calls = Array.from({ length: 7 }, (_, i) =>
      event('acc_stopped', i, new Date(hour + 40 * 60_000 + i * 3 * 60_000), 1, i % 2 ? 'maps' : 'echo'),
    );
    const [markers, updates] = [dynamo.calls('PutItem usageLogs'), dynamo.calls('UpdateItem usageLogs')];
    for (const call of calls) {
      clock = Date.parse(call.at) + 5_000;
      await recordUsageBatch([{ messageId: call.requestId, body: JSON.stringify(call) }], { store, settings });
    }
    // Seven writes to their slot and one sweep-list entry for the account's day, and its agent for the hour (this container remembers both).
    expect(dynamo.calls('UpdateItem usageLogs') - updates).toBe(8);
    expect(dynamo.calls('PutItem usageLogs') - markers).toBe(1);
    const counted = async () => singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_stopped');
    expect((await counted()).reduce((sum, item) => sum + Number(item.calls), 0)).toBeLessThan(7);

    // A sweep before the hour is STEP_LAG_MS past its end leaves it; so does the one after (its seven calls are a few
    // items: the day's end finishes it); the day's end finishes it; a second run counts nothing again.
    const sweeper = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => clock);
    expect((await sweeper.finishHours(hour + HOUR - 30 * 60_000, hour + HOUR + 60_000)).hours).toBe(0);
    expect(await sweeper.finishHours(hour + HOUR, hour + HOUR + STEP_LAG_MS + 60_000)).toMatchObject({ hours: 1 });
    expect((await counted()).reduce((sum, item) => sum + item.calls, 0)).toBeLessThan(7);
    await sweeper.finishHours(hour + HOUR + STEP_LAG_MS + 60_000, afterDayOf(hour));
    await sweeper.finishHours(hour + HOUR, afterDayOf(hour) + 60_000);
    const rollups = await counted();
    expect(rollups.reduce((sum, item) => sum + Number(item.calls), 0)).toBe(7);
    expect(rollups.filter((item) => item.product === 'maps').reduce((sum, item) => sum + Number(item.calls), 0)).toBe(3);
    expect(rollups.every((item) => Number(item.through) === lastMsOf(hour))).toBe(true);

    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const queries = dynamo.calls('Query usageLogs');
    const hours = await reader.aggregates(
      'acc_stopped',
      'hour',
      new Date(hour).toISOString().replace('.000Z', 'Z'),
      new Date(hour).toISOString().replace('.000Z', 'Z'),
    );
    expect(hours.reduce((sum, h) => sum + h.calls, 0)).toBe(7);
    expect(hours.reduce((sum, h) => sum + h.chargedMicro, 0)).toBe(7_000);
    expect(dynamo.calls('Query usageLogs') - queries).toBe(0);
  });

  it("counts a call whose write lands after another worker's step counted past it: lateness is judged once the write is in", async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
    const at = hour + 10 * 60_000;
    // Worker W takes the call just under STEP_LAG_MS after it was made: not late, by the clock it read when the batch began.
    let clockW = at + STEP_LAG_MS - 1_000;
    const other = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => at + STEP_LAG_MS + 60_000, 1);
    let stepped = false;
    // While W's slot write is on its way, another worker records a refused call of the account, and its step counts
    // the hour through a minute after W's call, which it cannot see yet; W's write lands after that read.
    const slow = {
      send: async (command: { constructor: { name: string }; input: { Key?: { sk?: string } } }) => {
        if (!stepped && command.constructor.name === 'UpdateCommand' && String(command.input.Key?.sk).startsWith('M#')) {
          stepped = true;
          const refused = { ...event('acc_race', 99, new Date(at + 2 * 60_000), 0), seq: undefined, outcome: 'rejected', status: 429 };
          await recordUsageBatch([{ messageId: 'refused', body: JSON.stringify(refused) }], { store: other, settings });
          clockW = at + STEP_LAG_MS + 61_000;
        }
        return dynamo.client.send(command as never);
      },
    } as unknown as typeof dynamo.client;
    const worker = new DynamoDbUsageStore(slow, tables, undefined, () => clockW);
    // An earlier call of the hour, already in its slot: the step gives its product a rollup counted `through` its minute.
    const earlier = event('acc_race', 0, new Date(hour + 60_000), 1);
    await recordUsageBatch([{ messageId: 'earlier', body: JSON.stringify(earlier) }], {
      store: new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 2 * 60_000),
      settings,
    });
    const call = event('acc_race', 1, new Date(at), 1);
    expect((await recordUsageBatch([{ messageId: 'call', body: JSON.stringify(call) }], { store: worker, settings })).recorded).toBe(1);
    expect(stepped).toBe(true);
    await worker.finishHours(hour + HOUR, afterDayOf(hour));
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const bucket = new Date(hour).toISOString().replace('.000Z', 'Z');
    const hours = await reader.aggregates('acc_race', 'hour', bucket, bucket);
    // All three calls, the two admitted ones charged: in the rollups and in what the usage API answers.
    expect(hours.reduce((sum, h) => sum + h.calls, 0)).toBe(3);
    expect(hours.reduce((sum, h) => sum + h.chargedMicro, 0)).toBe(2_000);
    const rollups = singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_race');
    expect(rollups.reduce((sum, item) => sum + Number(item.calls), 0)).toBe(3);
  });

  it('records distinct calls that carry the same request id, in one batch or apart, each once: a call is its account and sequence number', async () => {
    const now = Math.floor(Date.now() / HOUR) * HOUR + 20 * 60_000;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => now);
    const reused = 'Xyz1AbCDEFGHiJk=';
    // Two accounts' calls and two of one account's, all under one request id; a busy account's in a page, the rest in slots.
    const calls = [
      { ...event('acc_same_a', 0, new Date(now - 30_000), 1), requestId: reused },
      { ...event('acc_same_b', 0, new Date(now - 30_000), 1), requestId: reused },
      { ...event('acc_same_b', 1, new Date(now - 20_000), 1), requestId: reused },
      { ...event('acc_same_c', 0, new Date(now - 10_000), 900), requestId: reused },
      { ...event('acc_same_c', 1, new Date(now - 10_000), 900), requestId: reused },
    ];
    const counted: string[] = [];
    const metrics = { recorded: (fresh: UsageEvent[]) => counted.push(...fresh.map((e) => `${e.accountId}:${e.seq}`)) };
    const first = await recordUsageBatch(
      calls.map((e, i) => ({ messageId: `same${i}`, body: JSON.stringify(e) })),
      { store, settings, metrics },
    );
    expect(first).toMatchObject({ recorded: 5, duplicates: 0 });
    // Redelivered, each a duplicate of itself only.
    const again = await recordUsageBatch(
      calls.map((e, i) => ({ messageId: `again${i}`, body: JSON.stringify(e) })),
      { store, settings, metrics },
    );
    expect(again).toMatchObject({ recorded: 0, duplicates: 5 });
    expect(counted.sort()).toEqual(['acc_same_a:1', 'acc_same_b:1', 'acc_same_b:2', 'acc_same_c:1', 'acc_same_c:2']);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const bucket = new Date(Math.floor(now / HOUR) * HOUR).toISOString().replace('.000Z', 'Z');
    for (const [account, n] of [
      ['acc_same_a', 1],
      ['acc_same_b', 2],
      ['acc_same_c', 2],
    ] as const) {
      expect((await logs.page(account, { limit: 10, now: new Date(now) })).logs).toHaveLength(n);
      expect((await reader.aggregates(account, 'hour', bucket, bucket)).reduce((sum, h) => sum + h.calls, 0)).toBe(n);
    }
  });

  it('a call at the first millisecond of an hour counts in that hour only, however the steps fall', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const clock = hour + 3 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => clock);
    const calls = [event('acc_edge', 0, new Date(hour + HOUR - 1), 1), event('acc_edge', 1, new Date(hour + HOUR), 1)];
    // Late (older than STEP_LAG_MS when written): each hour is counted from scratch.
    await recordUsageBatch(
      calls.map((e) => ({ messageId: e.requestId, body: JSON.stringify(e) })),
      { store, settings },
    );
    await store.finishHours(hour, hour + 2 * HOUR + STEP_LAG_MS);
    const items = singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_edge');
    expect(items.map((item) => [item.bucket, item.calls]).sort()).toEqual([
      [new Date(hour).toISOString().replace('.000Z', 'Z'), 1],
      [new Date(hour + HOUR).toISOString().replace('.000Z', 'Z'), 1],
    ]);
  });

  describe('the sweep run', () => {
    // A day of its own, so no other test's accounts are on its sweep lists.
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 20 * 86_400_000;
    const hour = day + 10 * HOUR;
    const cursorOf = async () => (await dynamo.scanAll()).usageAggregates.find((item) => item.pk === 'SWEEP#CURSOR');
    const countedOf = async (accountId: string, bucket: number) =>
      singlesCounted((await dynamo.scanAll()).usageAggregates, accountId)
        .filter((item) => item.bucket === new Date(bucket).toISOString().replace('.000Z', 'Z'))
        .reduce((sum, item) => sum + item.calls, 0);
    const dayItems = async (accountId: string) =>
      (await dynamo.scanAll()).usageAggregates.filter((item) => item.pk === `ACCOUNT#${accountId}#H` && String(item.sk).endsWith('#S'));
    const record = (calls: UsageEvent[], clock: number, tallyEvery?: number) => recordAt(dynamo.client, calls, clock, { tallyEvery });

    it("finishes each closed hour once: a quiet account's hours at the day's end, in one write, and the hours of a run that failed by the next", async () => {
      // Each call written a moment after it was made: none is late, so no step counts any part of the hour.
      const evening = day + 22 * HOUR;
      await record([event('acc_cursor', 0, new Date(evening + 5 * 60_000), 1)], evening + 6 * 60_000);
      await record([event('acc_cursor', 1, new Date(evening + 50 * 60_000), 1, 'maps')], evening + 51 * 60_000);
      const sweeper = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => Date.now());
      const firstRun = evening + HOUR + STEP_LAG_MS + 60_000;
      const [aggregateQueries, logQueries] = [dynamo.calls('Query usageAggregates'), dynamo.calls('Query usageLogs')];
      expect(await sweeper.sweep(firstRun, firstRun - 30 * 60_000)).toMatchObject({ hours: 1, since: firstRun - 30 * 60_000 });
      // Two calls, in no busy minute: a few items, so the hour waits for the day's end. The sweep reads its lists' shards and
      // nothing of the hour: no probe, no rollup read, nothing written.
      expect(await countedOf('acc_cursor', evening)).toBe(0);
      expect(dynamo.calls('Query usageAggregates') - aggregateQueries).toBe(0);
      expect(dynamo.calls('Query usageLogs') - logQueries).toBe(16);
      expect(await cursorOf()).toMatchObject({ through: firstRun });
      // Meanwhile the usage API reads the hour's calls from their items.
      const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
      const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
      expect((await reader.aggregates('acc_cursor', 'hour', iso(evening), iso(evening))).reduce((sum, h) => sum + h.calls, 0)).toBe(2);

      // The next run (a quarter of an hour on) has no hour closed since the last: it finishes nothing, and reads no account's logs.
      const probes = dynamo.calls('Query usageLogs');
      expect(await sweeper.sweep(firstRun + 15 * 60_000, 0)).toMatchObject({ hours: 0 });
      expect(dynamo.calls('Query usageLogs')).toBe(probes);
      expect(await cursorOf()).toMatchObject({ through: firstRun + 15 * 60_000 });

      // A call in the day's last hour, and the run after that hour fails half-way: the cursor stays, so the next run finishes it.
      await record([event('acc_cursor', 2, new Date(evening + HOUR + 10 * 60_000), 1)], evening + HOUR + 11 * 60_000);
      const failing = {
        send: async (command: { constructor: { name: string }; input: { KeyConditionExpression?: string } }) => {
          if (command.constructor.name === 'QueryCommand' && command.input.KeyConditionExpression === 'pk = :pk')
            throw new Error('throttled');
          return dynamo.client.send(command as never);
        },
      } as unknown as typeof dynamo.client;
      const failedRun = evening + 2 * HOUR + STEP_LAG_MS + 60_000;
      await expect(new DynamoDbUsageStore(failing, tables).sweep(failedRun, 0)).rejects.toThrow('throttled');
      expect(await cursorOf()).toMatchObject({ through: firstRun + 15 * 60_000 });
      expect(await sweeper.sweep(failedRun + 15 * 60_000, 0)).toMatchObject({ hours: 1 });
      // The day is over: both hours counted, in one write of the day's item (version 1), which says the day is finished.
      expect(await countedOf('acc_cursor', evening + HOUR)).toBe(1);
      expect(await countedOf('acc_cursor', evening)).toBe(2);
      expect(await dayItems('acc_cursor')).toEqual([expect.objectContaining({ v: 1, f: day + 86_400_000 - 1 })]);
      // The reader now reads no call of the day from its items: the hours with calls are counted, the others known empty.
      const queries = dynamo.calls('Query usageLogs');
      expect((await reader.aggregates('acc_cursor', 'day', iso(day), iso(day + 23 * HOUR))).map((d) => d.calls)).toEqual([2, 1]);
      expect(dynamo.calls('Query usageLogs')).toBe(queries);
    });

    it('finishes an hour of many calls at its end, with the quiet hours before it, so the usage API does not read them from their items', async () => {
      const at = hour + 2 * HOUR;
      await record([event('acc_early', 0, new Date(at - 3 * HOUR), 1)], at - 3 * HOUR + 60_000);
      // Two hundred calls of one key in the hour, four a minute (the admit write counts them): 25 slots, and busy minutes.
      const calls = Array.from({ length: 200 }, (_, i) => event('acc_busyish', i, new Date(at + i * 15_000), (i % 4) + 1));
      for (let i = 0; i < calls.length; i += 20) await record(calls.slice(i, i + 20), Date.parse(calls[i + 19]!.at) + 1_000);
      await record([event('acc_busyish', 200, new Date(at - 2 * HOUR), 1)], at - 2 * HOUR + 1_000);
      await new DynamoDbUsageStore(dynamo.client, tables).finishHours(at + HOUR + STEP_LAG_MS - 1, at + HOUR + STEP_LAG_MS + 60_000);
      expect(await countedOf('acc_busyish', at)).toBe(200);
      // The quiet hour before it too, in the same write; the day is finished through the busy hour.
      expect(await countedOf('acc_busyish', at - 2 * HOUR)).toBe(1);
      expect(await dayItems('acc_busyish')).toEqual([expect.objectContaining({ v: 1, f: at + HOUR - 1 })]);
      // An account with a few calls that day waits for its end.
      expect(await countedOf('acc_early', at - 3 * HOUR)).toBe(0);
    });

    it("keeps an hour's busy mark when another container lists the account for its day after it (marks are updates, never puts)", async () => {
      const at = hour + 3 * HOUR;
      // Container A sees a busy minute of the account's hour first; container B, which has not listed it, lists it after.
      const a = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => at + 2 * 60_000);
      const busy = Array.from({ length: 3 }, (_, i) => event('acc_marks', i, new Date(at + 60_000 + i * 1_000), i + 1));
      await recordUsageBatch(
        busy.map((call) => ({ messageId: call.requestId, body: JSON.stringify(call) })),
        { store: a, settings },
      );
      const quiet = event('acc_marks', 3, new Date(at + 2 * 60_000 + 30_000), 1);
      // B's check of the list races A's mark: it reads no entry, then writes its own.
      const { BatchGetCommand } = require('@aws-sdk/lib-dynamodb');
      const blind = {
        send: (command: { constructor: { name: string } }) =>
          command instanceof BatchGetCommand ? Promise.resolve({ Responses: {} }) : dynamo.client.send(command as never),
      } as unknown as typeof dynamo.client;
      await recordUsageBatch([{ messageId: quiet.requestId, body: JSON.stringify(quiet) }], {
        store: new DynamoDbUsageStore(blind, tables, undefined, () => at + 3 * 60_000),
        settings,
      });
      const entry = (await dynamo.scanAll()).usageLogs.find((item) => String(item.pk).startsWith('SWEEP#') && item.sk === 'acc_marks');
      expect(entry?.h).toEqual(new Set([new Date(at).getUTCHours()]));
    });

    it('counts every hour at its end where logs are kept less than two days (a day-end count could find them expired)', async () => {
      const at = hour + 5 * HOUR;
      await record([event('acc_short_logs', 0, new Date(at + 60_000), 1)], at + 2 * 60_000);
      const retention = process.env.USAGE_LOG_RETENTION_DAYS;
      process.env.USAGE_LOG_RETENTION_DAYS = '1';
      try {
        await new DynamoDbUsageStore(dynamo.client, tables).finishHours(at + HOUR + STEP_LAG_MS - 1, at + HOUR + STEP_LAG_MS + 60_000);
      } finally {
        if (retention === undefined) delete process.env.USAGE_LOG_RETENTION_DAYS;
        else process.env.USAGE_LOG_RETENTION_DAYS = retention;
      }
      expect(await countedOf('acc_short_logs', at)).toBe(1);
    });

    it("counts an hour a worker's step counted part of exactly once", async () => {
      const at = hour + 3 * HOUR;
      // Admitted calls, then a refused one whose step (one in one here) counts the hour so far.
      const calls = [event('acc_stepped', 0, new Date(at + 60_000), 1), event('acc_stepped', 1, new Date(at + 2 * 60_000), 1)];
      await record(calls, at + 3 * 60_000);
      const refused = { ...event('acc_stepped', 9, new Date(at + 20 * 60_000), 0), seq: undefined, outcome: 'rejected', status: 429 };
      await record([refused as UsageEvent], at + 30 * 60_000, 1);
      expect(await countedOf('acc_stepped', at)).toBeGreaterThan(0);
      await record([event('acc_stepped', 2, new Date(at + 40 * 60_000), 1)], at + 41 * 60_000);
      await new DynamoDbUsageStore(dynamo.client, tables, undefined, Date.now, 1).finishHours(at + HOUR + STEP_LAG_MS, afterDayOf(at));
      expect(await countedOf('acc_stepped', at)).toBe(4);
      expect(singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_stepped').every((t) => t.through === lastMsOf(at))).toBe(true);
    });
  });
});
