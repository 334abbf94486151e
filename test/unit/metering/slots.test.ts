import { createHash, randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { itemSize } from '../../../bench/item-size';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import {
  agentItem,
  callsOfItem,
  clientAttribute,
  clientHashOf,
  DynamoDbUsageLogs,
  isAgentKey,
  SLOT_CALLS,
  SLOT_MAX_BYTES,
  singleCallItem,
  perClientSlotSortKey,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { encodeInlineClient } from '../../../lambdas/shared/adapters/slot-entry';
import { legacySlotEntry } from '../../helpers/legacy-slot-entry';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { afterDayOf, allCounted, singlesCounted } from '../../helpers/singles-rollups';
import { seededRandom } from '../../helpers/seeded-random';
import { slotCall } from '../../helpers/usage-event';

const HOUR = 3_600_000;
const tables = { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' };
const settings = { of: async () => ({ analytics: true }) };

const call = slotCall;

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
  const counted = async (accountId: string) => allCounted((await dynamo.scanAll()).usageAggregates, accountId).calls;

  it('keeps concurrent batches holding calls of the same slot, redeliveries among them, to one entry per call', async () => {
    const random = seededRandom(3);
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    // The worker's clock just after the calls: none is late, so no step counts while they are written.
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 5 * 60_000);
    // Three clients (keys and agents) of one account, their calls interleaved: each slot is shared by all three.
    const agents = ['python-requests/2.32.3', 'axios/1.7.7', 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0'];
    const events = Array.from({ length: 4 * SLOT_CALLS }, (_, i) =>
      call('acc_conc', 8 + i, hour + 60_000 + i * 5_000, { keyId: `key_${(i * 7) % 3}`, userAgent: agents[(i * 7) % 3]! }),
    );
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

    const stored = await itemsOf('acc_conc');
    // Each user agent once, in an item of its own for the account's hour; the slots full.
    const agentItems = stored.filter((item) => isAgentKey(String(item.sk)));
    expect(agentItems.map((item) => item.u).sort()).toEqual([...agents].sort());
    const agentsRead = new Map(agentItems.map((item) => [String(item.sk), String(item.u)]));
    const items = stored.filter((item) => !isAgentKey(String(item.sk)));
    expect(items).toHaveLength(4);
    for (const item of items) expect(item.n).toBe(SLOT_CALLS);
    // Each client's key id and agent id held once per slot, beside its calls' entries.
    for (const item of items) {
      const clients = new Set(callsOfItem(item, agentsRead).map(({ log }) => `${log.keyId}|${log.userAgent}`));
      expect(Object.keys(item).filter((name) => /^k.{4}$/.test(name))).toHaveLength(clients.size);
      expect(clients.size).toBeGreaterThan(1);
    }
    expect(items.flatMap((item) => callsOfItem(item, agentsRead).map(({ log }) => log))).toEqual(
      events.map(({ v: _v, accountId: _a, seq: _s, used: _u, balanceMicro: _b, ...log }) => log),
    );
    expect(items.flatMap((item) => callsOfItem(item).map(({ log }) => log.requestId)).sort()).toEqual(
      events.map((e) => e.requestId).sort(),
    );
    expect(await readAll('acc_conc', hour + 2 * HOUR)).toEqual(events.map((e) => e.requestId).reverse());
    await store.finishHours(hour, afterDayOf(hour + HOUR));
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
    await store.finishHours(hour, afterDayOf(hour + HOUR));
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
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_room')).toBe(SLOT_CALLS);
  });

  it('holds the agent in the slot where a call is alone, and names it where holding it would leave no room for calls: no call goes alone for it', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 13 * HOUR;
    const at = (i: number) => hour + 60_000 + i * 1_000;
    const agent = `Mozilla/5.0 ${'x'.repeat(400)}`;
    const client = clientAttribute(clientHashOf({ keyId: 'key_1', userAgent: agent }));
    const digest = (seed: string) => createHash('sha256').update(seed).digest('base64url');
    // A call alone: its client holds the agent, and there is no agent item.
    const lone = call('acc_inline', 8, at(0), { userAgent: agent });
    const fresh = () => new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 30 * 60_000);
    expect((await recordUsageBatch(messages([lone], 'l'), { store: fresh(), settings })).recorded).toBe(1);
    let items = await itemsOf('acc_inline');
    expect(items).toEqual([expect.objectContaining({ n: 1, [client]: encodeInlineClient('key_1', agent) })]);
    // Three more of that slot from another container that has not met the agent: they fit beside the agent.
    const more = [9, 10, 11].map((seq, i) => call('acc_inline', seq, at(1 + i), { userAgent: agent }));
    expect((await recordUsageBatch(messages(more, 'm'), { store: fresh(), settings })).recorded).toBe(3);
    // The slot's last four, in a third fresh container: with the agent held again the slot could pass 1 KB, so the
    // update is refused, and the calls go in naming the agent's item (put now) instead of alone.
    const rest = [12, 13, 14, 15].map((seq, i) => call('acc_inline', seq, at(4 + i), { userAgent: agent }));
    expect((await recordUsageBatch(messages(rest, 'r'), { store: fresh(), settings })).recorded).toBe(4);
    // Eight calls of long, incompressible paths in one batch: too large together with the agent held, so named from the start.
    const wide = Array.from({ length: SLOT_CALLS }, (_, i) =>
      call('acc_inline', 16 + i, at(8 + i), { userAgent: agent, path: `/search/${digest(`w${i}`)}/${digest(`v${i}`).slice(0, 16)}` }),
    );
    expect((await recordUsageBatch(messages(wide, 'w'), { store: fresh(), settings })).recorded).toBe(SLOT_CALLS);
    items = await itemsOf('acc_inline');
    const slots = items.filter((item) => /#Z\d+$/.test(String(item.sk)));
    expect(slots.map((item) => [item.n, itemSize(item) <= SLOT_MAX_BYTES])).toEqual([
      [SLOT_CALLS, true],
      [SLOT_CALLS, true],
    ]);
    expect(items.filter((item) => /^M#.*#[SR]\S+$/.test(String(item.sk)))).toEqual([]);
    expect(items.filter((item) => isAgentKey(String(item.sk))).map((item) => item.u)).toEqual([agent]);
    // Every copy again, in a container that knows the agent and in one that does not: all duplicates; read back whole.
    const all = [lone, ...more, ...rest, ...wide];
    expect(await recordUsageBatch(messages(all, 'again'), { store: fresh(), settings })).toMatchObject({
      recorded: 0,
      duplicates: all.length,
    });
    expect(await readAll('acc_inline', hour + 2 * HOUR)).toEqual(all.map((e) => e.requestId).reverse());
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    expect((await logs.page('acc_inline', { limit: 50, now: new Date(hour + 2 * HOUR) })).logs.map((l) => l.userAgent)).toEqual(
      all.map(() => agent),
    );
  });

  it('keeps every slot within one write unit whatever clients join it, in whatever batches: calls it has no room for stored alone, each call once', async () => {
    const random = seededRandom(11);
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 7 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 50 * 60_000);
    // Clients with agents from a few bytes to the gateway's 512 characters (held apart from the slots); paths from short to
    // ids that do not compress, up to ~260 characters, so eight calls may not fit.
    const clients = Array.from({ length: 6 }, (_, i) => ({
      keyId: `key_room_${i}`,
      userAgent: `agent-${i}/${'x'.repeat(Math.floor(random() ** 3 * 500))}`,
    }));
    const events = Array.from({ length: 12 * SLOT_CALLS }, (_, i) =>
      call('acc_join', 400 + i, hour + 60_000 + i * 20_000, {
        ...clients[Math.floor(random() * (1 + (i % clients.length)))]!,
        path:
          random() < 0.5
            ? `/p/${i}`
            : `/q/${createHash('sha256')
                .update(String(i))
                .digest('base64url')
                .repeat(1 + Math.floor(random() * 6))}`,
      }),
    );
    // Five batches at once, each a random half; then all again.
    const batches = Array.from({ length: 5 }, () => events.filter(() => random() < 0.5));
    await Promise.all(batches.map((batch, b) => recordUsageBatch(messages(batch, `j${b}_`), { store, settings })));
    await recordUsageBatch(messages(events, 'jall'), { store, settings });
    expect(await recordUsageBatch(messages(events, 'jagain'), { store, settings })).toMatchObject({
      recorded: 0,
      duplicates: events.length,
    });
    const items = await itemsOf('acc_join');
    const slots = items.filter((item) => /#Z\d+$/.test(String(item.sk)));
    for (const slot of slots) expect(itemSize(slot)).toBeLessThanOrEqual(SLOT_MAX_BYTES);
    // Some slots were full: their other calls are single items.
    expect(items.some((item) => /^M#.*#S\d+$/.test(String(item.sk)))).toBe(true);
    expect(
      items.flatMap((item) => (String(item.sk).startsWith('M#') ? callsOfItem(item).map(({ log }) => log.requestId) : [])).sort(),
    ).toEqual(events.map((e) => e.requestId).sort());
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_join')).toBe(events.length);
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
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_huge')).toBe(3);
  });

  it('stores the calls of a client whose hash another client of the slot holds (a real collision) alone, nothing lost or doubled, in one batch or apart', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
    // Two key ids whose clients' short hashes collide, found by trying (24 bits: a few thousand tries).
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const keyId = `key_clash_${i}`;
      const name = clientAttribute(clientHashOf({ keyId, userAgent: 'ua' }));
      const other = seen.get(name);
      if (other) pair = [other, keyId];
      else seen.set(name, keyId);
    }
    const [a, b] = pair;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 30 * 60_000);
    // One slot: both clients in one batch; the next: b's calls first, in a batch of their own.
    const together = Array.from({ length: SLOT_CALLS }, (_, i) =>
      call('acc_clash', 80 + i, hour + 60_000 + i * 1_000, { keyId: i % 2 ? b : a, userAgent: 'ua' }),
    );
    const apart = Array.from({ length: SLOT_CALLS }, (_, i) =>
      call('acc_clash', 88 + i, hour + 120_000 + i * 1_000, { keyId: i % 2 ? b : a, userAgent: 'ua' }),
    );
    expect(await recordUsageBatch(messages(together, 't'), { store, settings })).toMatchObject({ recorded: SLOT_CALLS });
    const bFirst = apart.filter((e) => e.keyId === b);
    expect(await recordUsageBatch(messages(bFirst, 'b'), { store, settings })).toMatchObject({ recorded: bFirst.length });
    expect(await recordUsageBatch(messages(apart, 'a'), { store, settings })).toMatchObject({
      recorded: SLOT_CALLS - bFirst.length,
      duplicates: bFirst.length,
    });
    // Every copy again: found where its first went.
    const all = [...together, ...apart];
    expect(await recordUsageBatch(messages(all, 'again'), { store, settings })).toMatchObject({ recorded: 0, duplicates: all.length });
    const items = await itemsOf('acc_clash');
    const slots = items.filter((item) => /#Z\d+$/.test(String(item.sk)));
    const singles = items.filter((item) => /^M#.*#S\d+$/.test(String(item.sk)));
    // In each slot one client holds the hash: the first written (a in the batch of both, b in the other); the other's calls are alone.
    expect(slots.map((slot) => callsOfItem(slot).map(({ log }) => log.keyId))).toEqual([Array(4).fill(a), Array(4).fill(b)]);
    expect(singles.map((item) => callsOfItem(item)[0]!.log.keyId).sort()).toEqual([...Array(4).fill(a), ...Array(4).fill(b)].sort());
    expect(await readAll('acc_clash', hour + 2 * HOUR)).toEqual(all.map((e) => e.requestId).reverse());
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_clash')).toBe(all.length);
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
    await store.finishHours(hour, afterDayOf(hour + 2 * HOUR));
    const rollups = singlesCounted((await dynamo.scanAll()).usageAggregates, 'acc_edge');
    const byHour = new Map<string, number>();
    for (const item of rollups) byHour.set(item.bucket, (byHour.get(item.bucket) ?? 0) + item.calls);
    expect(Object.fromEntries(byHour)).toEqual({
      [new Date(hour).toISOString().replace('.000Z', 'Z')]: 4,
      [new Date(hour + HOUR).toISOString().replace('.000Z', 'Z')]: 4,
    });
  });

  it("names each call's user agent through its hour's agent item: every page of the log reader returns whole logs, and a client whose agent id another agent holds keeps its agent in the slot, each copy alike", async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 9 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 40 * 60_000);
    const agents = [
      'curl/8.5.0',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15',
      'okhttp/4.12.0',
    ];
    // Another agent already holds the id of the third within this hour (what two agents under six bytes of one hash would do).
    const squatted = agentItem('acc_agents', { at: new Date(hour + 60_000).toISOString(), userAgent: agents[2]! });
    await dynamo.client.send(new PutCommand({ TableName: 'usageLogs', Item: { ...squatted, u: 'another-agent/1.0' } }));
    const events = Array.from({ length: 3 * SLOT_CALLS }, (_, i) =>
      call('acc_agents', 64 + i, hour + 60_000 + i * 40_000, { keyId: `key_${i % 2}`, userAgent: agents[i % 3]! }),
    );
    const halves = [events.filter((_, i) => i % 2), events.filter((_, i) => !(i % 2))];
    expect(
      (await Promise.all(halves.map((half, b) => recordUsageBatch(messages(half, `g${b}_`), { store, settings })))).map((r) => r.recorded),
    ).toEqual([halves[0]!.length, halves[1]!.length]);
    // Another worker container (it knows no agent yet) gets every call again: all duplicates, the squatted agent's calls too.
    const other = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 41 * 60_000);
    expect(await recordUsageBatch(messages(events, 'gagain'), { store: other, settings })).toMatchObject({
      recorded: 0,
      duplicates: events.length,
    });

    const stored = await itemsOf('acc_agents');
    // The first two agents in items of their own; the third cannot be named by its id, so its clients hold it in their slots.
    expect(
      stored
        .filter((item) => isAgentKey(String(item.sk)))
        .map((item) => item.u)
        .sort(),
    ).toEqual(['another-agent/1.0', agents[0], agents[1]].sort());
    expect(stored.filter((item) => /^M#.*#[SR]\S+$/.test(String(item.sk)))).toEqual([]);
    const slots = stored.filter((item) => /#Z\d+$/.test(String(item.sk)));
    expect(slots.map((item) => item.n)).toEqual([SLOT_CALLS, SLOT_CALLS, SLOT_CALLS]);
    // Read without the agent items, the third agent's calls are whole: their clients hold it.
    expect(
      slots.flatMap((item) =>
        callsOfItem(item)
          .filter(({ log }) => log.userAgent !== '')
          .map(({ log }) => log.userAgent),
      ),
    ).toEqual(Array(SLOT_CALLS).fill(agents[2]));
    // Read back three at a time, each page from a cursor inside an hour: whole logs, user agents included.
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const read: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await logs.page('acc_agents', { limit: 3, cursor, now: new Date(hour + 2 * HOUR) });
      read.push(...page.logs);
      cursor = page.nextCursor;
    } while (cursor);
    expect(read).toEqual(events.map(({ v: _v, accountId: _a, seq: _s, used: _u, balanceMicro: _b, ...log }) => log).reverse());
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_agents')).toBe(events.length);
    // Erasure deletes the agents with the slots, and counts only calls.
    expect(await logs.erasePage('acc_agents', 100)).toEqual({ erased: events.length, remaining: false });
  });

  it('lists and counts distinct calls that share a request id as distinct: only a sequence number makes two stored calls one', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 40 * 60_000);
    // A client that sends its own request id sends it again: three calls, three sequence numbers, one request id.
    const events = [0, 1, 2].map((i) => ({ ...call('acc_reused', 96 + i, hour + 60_000 + i * 1_000), requestId: 'req_reused' }));
    for (const [i, event] of events.entries())
      expect((await recordUsageBatch(messages([event], `r${i}_`), { store, settings })).recorded).toBe(1);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const page = await logs.page('acc_reused', { limit: 10, now: new Date(hour + 2 * HOUR) });
    expect(page.logs.map((log) => log.path)).toEqual(['/p/98', '/p/97', '/p/96']);
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const bucket = new Date(hour).toISOString().replace('.000Z', 'Z');
    const usage = async () => (await reader.aggregates('acc_reused', 'hour', bucket, bucket)).reduce((sum, b) => sum + b.calls, 0);
    expect(await usage()).toBe(3);
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_reused')).toBe(3);
    expect(await usage()).toBe(3);
  });

  it('reads per-client slots of the earlier form (Brotli entries) beside shared ones: a call stored in both across the deploy is listed, counted and erased once', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
    const agents = ['python-requests/2.32.3', 'axios/1.7.7'];
    const events = Array.from({ length: 2 * SLOT_CALLS }, (_, i) =>
      call('acc_forms', 48 + i, hour + 60_000 + i * 60_000, { keyId: `key_${i % 2}`, userAgent: agents[i % 2]! }),
    );
    const logOf = ({ v: _v, accountId: _a, seq: _s, used: _u, balanceMicro: _b, ...log }: UsageEvent) => log;
    // What the worker stored before slots were shared: a slot per client of the first run, Brotli entries.
    const before = events.slice(0, SLOT_CALLS / 2);
    for (const client of [0, 1]) {
      const written = before.filter((_, i) => i % 2 === client);
      await dynamo.client.send(
        new PutCommand({
          TableName: 'usageLogs',
          Item: {
            pk: 'ACCOUNT#acc_forms',
            sk: perClientSlotSortKey(written[0]!, written[0]!.seq!),
            k: written[0]!.keyId,
            u: written[0]!.userAgent,
            expiresAt: Math.floor((hour + HOUR) / 1000) + 90 * 86_400,
            n: written.length,
            b: written.reduce((sum, e) => sum + 2 + legacySlotEntry(logOf(e), true).byteLength, 0),
            ...Object.fromEntries(written.map((e) => [`c${e.seq! % SLOT_CALLS}`, legacySlotEntry(logOf(e), true)])),
          },
        }),
      );
    }
    const store = new DynamoDbUsageStore(dynamo.client, tables, undefined, () => hour + 20 * 60_000);
    // After the deploy every call is delivered (the first four again: their batch's answer was lost
    // before it): they land in the shared slots too, where the new form puts them.
    await recordUsageBatch(messages(events, 'f'), { store, settings });
    const items = await itemsOf('acc_forms');
    const shared = items.filter((item) => /#Z\d+$/.test(String(item.sk)));
    expect(shared.map((item) => item.n)).toEqual([SLOT_CALLS, SLOT_CALLS]);
    expect(items.filter((item) => /#Z\d+_/.test(String(item.sk)))).toHaveLength(2);
    // Every call once, newest first, however many pages; usage counted once before the sweep and after it.
    expect(await readAll('acc_forms', hour + 2 * HOUR)).toEqual(events.map((e) => e.requestId).reverse());
    const listed = await new DynamoDbUsageLogs(dynamo.client, 'usageLogs').page('acc_forms', {
      limit: 100,
      now: new Date(hour + 2 * HOUR),
    });
    expect(listed.logs).toEqual(events.map(logOf).reverse());
    const reader = new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });
    const bucket = new Date(hour).toISOString().replace('.000Z', 'Z');
    expect((await reader.aggregates('acc_forms', 'hour', bucket, bucket)).reduce((sum, b) => sum + b.calls, 0)).toBe(events.length);
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_forms')).toBe(events.length);
    expect((await reader.aggregates('acc_forms', 'hour', bucket, bucket)).reduce((sum, b) => sum + b.calls, 0)).toBe(events.length);
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    await logs.erasePage('acc_forms', 100);
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
    await store.finishHours(hour, afterDayOf(hour + HOUR));
    expect(await counted('acc_mixed')).toBe(all.length);
    const after = await reader.aggregates('acc_mixed', 'hour', bucket, bucket);
    expect(after).toEqual(before);
    expect(after.find((b) => b.product === 'maps')?.calls).toBe(all.filter((e) => e.product === 'maps').length);
  });
});
