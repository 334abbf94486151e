import { createHash, randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { itemSize } from '../../../bench/item-size';
import { DynamoDbUsageReader } from '../../../lambdas/metering/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import {
  callsOfItem,
  DynamoDbUsageLogs,
  SLOT_CALLS,
  SLOT_MAX_BYTES,
  singleCallItem,
  slotSortKey,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { COMPACT_ENTRY } from '../../../lambdas/shared/adapters/slot-entry';
import { legacySlotEntry } from '../../helpers/legacy-slot-entry';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { seededRandom } from '../../helpers/seeded-random';

const HOUR = 3_600_000;
const tables = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };
const settings = { of: async () => ({ analytics: true }) };

/** An admitted call of an account that is not busy (one call so far in its minute). */
function call(accountId: string, seq: number, at: number, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    v: 1,
    requestId: `req_${accountId}_${seq}`,
    accountId,
    keyId: 'key_1',
    product: seq % 3 ? 'echo' : 'maps',
    method: 'GET',
    path: `/p/${seq}`,
    status: 200,
    outcome: 'ok',
    priceMicroCredits: 1_000,
    latencyMs: 12,
    upstreamLatencyMs: 9,
    requestBytes: 3,
    responseBytes: 80,
    ip: '198.51.100.7',
    userAgent: 'python-requests/2.32.3',
    at: new Date(at).toISOString(),
    seq,
    used: 1,
    ...over,
  };
}

const messages = (events: UsageEvent[], tag: string) => events.map((e, i) => ({ messageId: `${tag}${i}`, body: JSON.stringify(e) }));

describe('slots: calls of an account that is not busy share an item per run of sequence numbers, each recorded exactly once', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const itemsOf = async (accountId: string) => (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === `ACCOUNT#${accountId}`);
  const readAll = async (accountId: string, now: number) => {
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const read: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await logs.page(accountId, { limit: 3, cursor, now: new Date(now) });
      read.push(...page.logs.map((l) => l.requestId));
      cursor = page.nextCursor;
    } while (cursor);
    return read;
  };
  const counted = async (accountId: string) =>
    (await dynamo.scanAll()).usageAggregates
      .filter((item) => item.pk === `ACCOUNT#${accountId}#H`)
      .reduce((sum, item) => sum + Number(item.calls), 0);

  it('keeps concurrent batches holding calls of the same slot, redeliveries among them, to one entry per call', async () => {
    const random = seededRandom(3);
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    // The worker's clock just after the calls: none is late, so no step counts while they are written.
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 5 * 60_000);
    const events = Array.from({ length: 4 * SLOT_CALLS }, (_, i) => call('acc_conc', 8 + i, hour + 60_000 + i * 5_000));
    // Five workers at once, each with a random half of the calls: every call in two or three batches, some in none yet.
    const batches = Array.from({ length: 5 }, () => events.filter(() => random() < 0.5));
    const results = await Promise.all(batches.map((batch, b) => recordUsageBatch(messages(batch, `c${b}_`), { store, settings })));
    // Then every call once more, as SQS redelivers: what the workers missed is recorded now, the rest are duplicates.
    const last = await recordUsageBatch(messages(events, 'again'), { store, settings });
    const recorded = [...results, last].reduce((sum, r) => sum + r.recorded, 0);
    const duplicates = [...results, last].reduce((sum, r) => sum + r.duplicates, 0);
    expect(recorded).toBe(events.length);
    // Every delivery beyond a call's first is a duplicate.
    expect(duplicates).toBe(batches.reduce((sum, b) => sum + b.length, 0));

    const items = await itemsOf('acc_conc');
    expect(items.filter((item) => String(item.sk).startsWith('M#'))).toHaveLength(4);
    for (const item of items) expect(item.n).toBe(SLOT_CALLS);
    expect(items.flatMap((item) => callsOfItem(item).map(({ log }) => log.requestId)).sort()).toEqual(
      events.map((e) => e.requestId).sort(),
    );
    expect(await readAll('acc_conc', hour + 2 * HOUR)).toEqual(events.map((e) => e.requestId).reverse());
    await store.finishHours(hour, hour + HOUR + STEP_LAG_MS + 60_000);
    expect(await counted('acc_conc')).toBe(events.length);
    // Erasure deletes the slots and counts the calls they held.
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    expect(await logs.erasePage('acc_conc', 100)).toEqual({ erased: events.length, remaining: false });
    expect(await logs.any('acc_conc')).toBe(false);
  });

  it('records what is left of a batch retried after it failed part-way, whether a write was lost or only its answer', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
    const events = Array.from({ length: 3 * SLOT_CALLS }, (_, i) => call('acc_retry', 16 + i, hour + 120_000 + i * 30_000));
    let updates = 0;
    const sent: Promise<unknown>[] = [];
    // The second slot write fails before DynamoDB sees it; the third is applied but its answer is lost.
    const flaky = {
      send: async (command: { constructor: { name: string } }) => {
        const n = command.constructor.name === 'UpdateCommand' ? ++updates : 0;
        if (n === 2) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        const reply = dynamo.client.send(command as never);
        sent.push(reply.catch(() => undefined));
        await reply;
        if (n === 3) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        return reply;
      },
    } as unknown as typeof dynamo.client;
    const store = new DynamoDbUsageStore(flaky, tables, undefined, () => hour + 30 * 60_000);
    const first = await recordUsageBatch(messages(events, 'r1_'), { store, settings });
    expect(first.failed.size).toBe(events.length);
    // Writes of the failed attempt still in flight land before SQS would redeliver.
    await Promise.all(sent);
    const retried = await recordUsageBatch(messages(events, 'r2_'), { store, settings });
    // The slots written the first time (one, and the one whose answer was lost) are found; the third is written now.
    expect(retried).toMatchObject({ recorded: SLOT_CALLS, duplicates: 2 * SLOT_CALLS });
    const items = await itemsOf('acc_retry');
    expect(items.reduce((sum, item) => sum + Number(item.n ?? 0), 0)).toBe(events.length);
    expect(await readAll('acc_retry', hour + 2 * HOUR)).toEqual(events.map((e) => e.requestId).reverse());
    await store.finishHours(hour, hour + HOUR + STEP_LAG_MS + 60_000);
    expect(await counted('acc_retry')).toBe(events.length);
  });

  it('never grows a slot past one write unit: a call with no room left is stored alone, and its copies find it there', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 30 * 60_000);
    const agent = `Mozilla/5.0 ${'(compatible; a very long agent) '.repeat(12)}`;
    // Paths that do not compress (ids): ~100 bytes an entry, so eight calls and the agent do not fit in 1 KB.
    const digest = (seed: string) => createHash('sha256').update(seed).digest('base64url');
    const events = Array.from({ length: SLOT_CALLS }, (_, i) =>
      call('acc_room', 24 + i, hour + 60_000 + i * 1_000, { userAgent: agent, path: `/search/${digest(`a${i}`)}/${digest(`b${i}`)}` }),
    );
    for (const [i, event] of events.entries()) await recordUsageBatch(messages([event], `o${i}_`), { store, settings });
    const items = await itemsOf('acc_room');
    const slot = items.find((item) => String(item.sk).includes('#Z'))!;
    expect(itemSize(slot)).toBeLessThanOrEqual(SLOT_MAX_BYTES);
    expect(Number(slot.n)).toBeLessThan(SLOT_CALLS);
    expect(items.filter((item) => /^M#.*#S\d+$/.test(String(item.sk)))).toHaveLength(SLOT_CALLS - Number(slot.n));
    // Redelivered, one by one and all together: each is found where its first copy went.
    for (const [i, event] of events.entries())
      expect(await recordUsageBatch(messages([event], `p${i}_`), { store, settings })).toMatchObject({ recorded: 0, duplicates: 1 });
    expect(await recordUsageBatch(messages(events, 'all_'), { store, settings })).toMatchObject({ recorded: 0, duplicates: SLOT_CALLS });
    expect(await readAll('acc_room', hour + 2 * HOUR)).toEqual(events.map((e) => e.requestId).reverse());
    await store.finishHours(hour, hour + HOUR + STEP_LAG_MS + 60_000);
    expect(await counted('acc_room')).toBe(SLOT_CALLS);
  });

  it('stores a call too large for any slot alone (the longest user agent and path the gateway queues), batched with others or not, and its copies find it there', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 30 * 60_000);
    // The gateway keeps 512 characters of a user agent; a path may be 1,024, and random ones do not compress.
    const agent = `Mozilla/5.0 ${'x'.repeat(500)}`;
    const path = () => `/${randomBytes(750).toString('base64url')}`;
    const huge = [0, 1].map((i) => call('acc_huge', 40 + i, hour + 60_000 + i * 1_000, { userAgent: agent, path: path() }));
    const plain = call('acc_huge', 42, hour + 62_000);
    expect(await recordUsageBatch(messages([...huge, plain], 'h_'), { store, settings })).toMatchObject({ recorded: 3, duplicates: 0 });
    const items = await itemsOf('acc_huge');
    for (const item of items.filter((i) => String(i.sk).includes('#Z'))) expect(itemSize(item)).toBeLessThanOrEqual(SLOT_MAX_BYTES);
    expect(items.filter((item) => /^M#.*#S\d+$/.test(String(item.sk)))).toHaveLength(2);
    expect(await recordUsageBatch(messages([...huge, plain], 'h2_'), { store, settings })).toMatchObject({ recorded: 0, duplicates: 3 });
    expect(await readAll('acc_huge', hour + 2 * HOUR)).toEqual([plain, huge[1]!, huge[0]!].map((e) => e.requestId));
    await store.finishHours(hour, hour + HOUR + STEP_LAG_MS + 60_000);
    expect(await counted('acc_huge')).toBe(3);
  });

  it('stores a call alone when its slot key is held by another client (a hash collision), and its copies find it there', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 30 * 60_000);
    const event = call('acc_clash', 41, hour + 90_000);
    // What another key's calls would have written under the same short hash.
    await dynamo.client.send(
      new PutCommand({
        TableName: 'usageLogs',
        Item: { pk: 'ACCOUNT#acc_clash', sk: slotSortKey(event, 41), k: 'key_other', u: 'other-agent', n: 0, b: 0 },
      }),
    );
    expect(await recordUsageBatch(messages([event], 'x'), { store, settings })).toMatchObject({ recorded: 1 });
    expect(await recordUsageBatch(messages([event], 'y'), { store, settings })).toMatchObject({ recorded: 0, duplicates: 1 });
    const alone = (await itemsOf('acc_clash')).filter((item) => String(item.sk).endsWith('#S41'));
    expect(alone).toHaveLength(1);
    expect(callsOfItem(alone[0]!)[0]!.log).toMatchObject({ requestId: event.requestId, keyId: 'key_1' });
  });

  it('splits a slot at an hour boundary, decided by each call alone, and counts each part in its own hour', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 8 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + HOUR + 10 * 60_000);
    const events = Array.from({ length: SLOT_CALLS }, (_, i) => call('acc_edge', 32 + i, hour + HOUR - 4_000 + i * 1_000));
    // The last calls first, then the earlier, then all again.
    await recordUsageBatch(messages(events.slice(4), 'b'), { store, settings });
    await recordUsageBatch(messages(events.slice(0, 4), 'a'), { store, settings });
    expect(await recordUsageBatch(messages(events, 'c'), { store, settings })).toMatchObject({ recorded: 0, duplicates: SLOT_CALLS });
    const slots = (await itemsOf('acc_edge')).filter((item) => String(item.sk).includes('#Z'));
    expect(slots.map((item) => [String(item.sk).slice(2, 26), item.n]).sort()).toEqual([
      [new Date(hour + HOUR - 1).toISOString(), 4],
      [new Date(hour + 2 * HOUR - 1).toISOString(), 4],
    ]);
    await store.finishHours(hour, hour + 2 * HOUR + STEP_LAG_MS + 60_000);
    const rollups = (await dynamo.scanAll()).usageAggregates.filter((item) => item.pk === 'ACCOUNT#acc_edge#H');
    const byHour = new Map<string, number>();
    for (const item of rollups) byHour.set(String(item.bucket), (byHour.get(String(item.bucket)) ?? 0) + Number(item.calls));
    expect(Object.fromEntries(byHour)).toEqual({
      [new Date(hour).toISOString().replace('.000Z', 'Z')]: 4,
      [new Date(hour + HOUR).toISOString().replace('.000Z', 'Z')]: 4,
    });
  });

  it('reads and guards slots holding entries of the earlier Brotli form beside compact ones: logs in order, usage and erasure counted once, redeliveries refused', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
    const events = Array.from({ length: 2 * SLOT_CALLS }, (_, i) => call('acc_forms', 48 + i, hour + 60_000 + i * 60_000));
    const logOf = ({ v: _v, accountId: _a, seq: _s, used: _u, balanceMicro: _b, ...log }: UsageEvent) => log;
    // What the worker stored before the compact form: the first half of each slot, Brotli entries.
    for (const slot of [0, 1]) {
      const written = events.slice(slot * SLOT_CALLS, slot * SLOT_CALLS + SLOT_CALLS / 2);
      await dynamo.client.send(
        new PutCommand({
          TableName: 'usageLogs',
          Item: {
            pk: 'ACCOUNT#acc_forms',
            sk: slotSortKey(written[0]!, written[0]!.seq!),
            k: 'key_1',
            u: 'python-requests/2.32.3',
            expiresAt: Math.floor((hour + HOUR) / 1000) + 90 * 86_400,
            n: written.length,
            b: written.reduce((sum, e) => sum + 2 + legacySlotEntry(logOf(e), true).byteLength, 0),
            ...Object.fromEntries(written.map((e) => [`c${e.seq! % SLOT_CALLS}`, legacySlotEntry(logOf(e), true)])),
          },
        }),
      );
    }
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 20 * 60_000);
    // Every call delivered now: the Brotli-stored ones are duplicates, the rest land in the same slots in the compact form.
    expect(await recordUsageBatch(messages(events, 'f'), { store, settings })).toMatchObject({
      recorded: SLOT_CALLS,
      duplicates: SLOT_CALLS,
    });
    const slots = (await itemsOf('acc_forms')).filter((item) => String(item.sk).includes('#Z'));
    expect(slots).toHaveLength(2);
    for (const slot of slots) {
      const entries = Object.keys(slot).filter((name) => /^c\d+$/.test(name));
      expect(entries.filter((name) => (slot[name] as Uint8Array)[0] === COMPACT_ENTRY)).toHaveLength(SLOT_CALLS / 2);
      expect(slot.n).toBe(SLOT_CALLS);
    }
    expect(slots.flatMap((item) => callsOfItem(item).map(({ log }) => log))).toEqual(events.map(logOf));
    expect(await readAll('acc_forms', hour + 2 * HOUR)).toEqual(events.map((e) => e.requestId).reverse());
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const bucket = new Date(hour).toISOString().replace('.000Z', 'Z');
    expect((await reader.aggregates('acc_forms', 'hour', bucket, bucket)).reduce((sum, b) => sum + b.calls, 0)).toBe(events.length);
    await store.finishHours(hour, hour + HOUR + STEP_LAG_MS + 60_000);
    expect(await counted('acc_forms')).toBe(events.length);
    expect((await reader.aggregates('acc_forms', 'hour', bucket, bucket)).reduce((sum, b) => sum + b.calls, 0)).toBe(events.length);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    expect(await logs.erasePage('acc_forms', 100)).toEqual({ erased: events.length, remaining: false });
    expect(await logs.any('acc_forms')).toBe(false);
  });

  it('reads single call items stored before slots beside them: logs newest first, usage counted once', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
    const old = Array.from({ length: 5 }, (_, i) => call('acc_mixed', 1 + i, hour + 60_000 + i * 60_000));
    for (const { v: _v, accountId, seq, used: _u, balanceMicro: _b, ...log } of old)
      await dynamo.client.send(new PutCommand({ TableName: 'usageLogs', Item: singleCallItem(accountId, log, seq, true) }));
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 20 * 60_000);
    const fresh = Array.from({ length: 6 }, (_, i) => call('acc_mixed', 6 + i, hour + 6 * 60_000 + i * 60_000));
    await recordUsageBatch(messages(fresh, 'f'), { store, settings });
    const all = [...old, ...fresh];
    expect(await readAll('acc_mixed', hour + 2 * HOUR)).toEqual(all.map((e) => e.requestId).reverse());
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const bucket = new Date(hour).toISOString().replace('.000Z', 'Z');
    const before = await reader.aggregates('acc_mixed', 'hour', bucket, bucket);
    expect(before.reduce((sum, b) => sum + b.calls, 0)).toBe(all.length);
    await store.finishHours(hour, hour + HOUR + STEP_LAG_MS + 60_000);
    expect(await counted('acc_mixed')).toBe(all.length);
    const after = await reader.aggregates('acc_mixed', 'hour', bucket, bucket);
    expect(after).toEqual(before);
    expect(after.find((b) => b.product === 'maps')?.calls).toBe(all.filter((e) => e.product === 'maps').length);
  });
});
