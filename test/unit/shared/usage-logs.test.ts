import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, type QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeLogCursor, encodeLogCursor, matchesFilters } from '../../../lambdas/metering/domain/usage-queries';
import {
  DynamoDbUsageLogs,
  logPageItem,
  PAGE_READ_BUDGET,
  pageSortKey,
  shortenUsageLogRetention,
  singleSortKey,
} from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { type UsageLog, usageLogRetentionDays } from '../../../lambdas/shared/usage-logs';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

const NOW = new Date('2026-03-02T00:00:00Z');
const log = (requestId: string, at: string): UsageLog => ({
  requestId,
  at,
  keyId: 'key_1',
  product: 'echo',
  method: 'GET',
  path: `/p/${requestId}`,
  status: 200,
  outcome: 'ok',
  priceMicroCredits: 1,
  latencyMs: 3,
  requestBytes: 0,
  responseBytes: 10,
  ip: '203.0.113.9',
  userAgent: 'jest',
});
const order = (l: UsageLog) => `${l.at}#${l.requestId}`;

/** The usage log store's reading, over every stored form at once: pages that overlap in time, singles, the per-call form, expired items. */
describe('DynamoDbUsageLogs.page', () => {
  let dynamo: LocalDynamo;
  let logs: DynamoDbUsageLogs;
  const expected: UsageLog[] = [];

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const items: Record<string, unknown>[] = [];
    // Two concurrent batches wrote pages of the same minute whose calls interleave, some at the same millisecond.
    const a = [0, 2, 4, 6, 8].map((s) => log(`a${s}`, `2026-03-01T10:17:${String(s * 5).padStart(2, '0')}.000Z`));
    const b = [1, 3, 4, 7, 9].map((s) => log(`b${s}`, `2026-03-01T10:17:${String(s * 5).padStart(2, '0')}.000Z`));
    items.push(logPageItem('acc_ann', pageSortKey(a.at(-1)!.at, 10), a), logPageItem('acc_ann', pageSortKey(b.at(-1)!.at, 11), b));
    // A later minute's page and a refused call stored alone inside it.
    const later = [log('c1', '2026-03-01T10:18:01.000Z'), log('c2', '2026-03-01T10:18:30.000Z')];
    items.push(logPageItem('acc_ann', pageSortKey(later.at(-1)!.at, 20), later));
    const refused = log('r1', '2026-03-01T10:18:15.000Z');
    items.push(logPageItem('acc_ann', singleSortKey(refused), [refused]));
    // The earlier one-call form, older than every page.
    const legacy = [log('l1', '2026-03-01T09:00:00.000Z'), log('l2', '2026-03-01T09:30:00.000Z')];
    for (const { at, requestId, ...rest } of legacy)
      items.push({ pk: 'ACCOUNT#acc_ann', sk: `${at}#${requestId}`, ...rest, expiresAt: Math.floor(NOW.getTime() / 1000) + 3600 });
    // Past its TTL (not yet swept), and past the 90 days: never shown.
    const swept = log('x1', '2026-03-01T10:19:00.000Z');
    items.push({ ...logPageItem('acc_ann', singleSortKey(swept), [swept]), expiresAt: Math.floor(NOW.getTime() / 1000) - 1 });
    const ancient = log('x2', '2025-11-01T10:00:00.000Z');
    items.push(logPageItem('acc_ann', singleSortKey(ancient), [ancient]));
    // Another account's page, newer than all of them.
    const other = log('o1', '2026-03-01T23:00:00.000Z');
    items.push(logPageItem('acc_bob', singleSortKey(other), [other]));
    for (let i = 0; i < items.length; i += 25)
      await dynamo.client.send(
        new BatchWriteCommand({ RequestItems: { usageLogs: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
      );
    expected.push(...[...a, ...b, ...later, refused, ...legacy].sort((x, y) => (order(x) < order(y) ? 1 : -1)));
  });
  afterAll(() => dynamo.stop());

  it.each([1, 2, 3, 5, 50])('reads every log once, exactly newest first, %i at a time through the cursor', async (limit) => {
    const read: UsageLog[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await logs.page('acc_ann', { limit, cursor, now: NOW });
      expect(page.logs.length).toBeLessThanOrEqual(limit);
      read.push(...page.logs);
      cursor = page.nextCursor;
      expect(++pages).toBeLessThan(40);
    } while (cursor);
    expect(read.map(order)).toEqual(expected.map(order));
    expect(read.find((l) => l.requestId === 'b4')).toEqual(log('b4', '2026-03-01T10:17:20.000Z'));
  });

  it('answers an empty page, not an error, for a cursor past the 90 days (paging reached the edge a while ago)', async () => {
    await expect(logs.page('acc_ann', { limit: 5, cursor: '2025-11-01T09:00:00.000Z#x', now: NOW })).resolves.toEqual({ logs: [] });
    await expect(logs.page('acc_ann', { limit: 5, cursor: '2000-01-01T00:00:00.000Z#x', now: NOW })).resolves.toEqual({ logs: [] });
  });

  it('reads only as far as the page of logs needs', async () => {
    const before = dynamo.calls('Query usageLogs');
    const page = await logs.page('acc_ann', { limit: 2, now: NOW });
    expect(page.logs.map((l) => l.requestId)).toEqual(['c2', 'r1']);
    // One query of each range (pages; hour slots and single calls; day slots), each stopped where the page of logs was full.
    expect(dynamo.calls('Query usageLogs') - before).toBe(3);
  });
});

/**
 * A filter that matches little on a busy account: each page reads a bounded number of stored items and,
 * where it stops short, says where to go on, so a request never reads the whole retention period, and
 * paging through the cursors still returns every match once, newest first.
 */
describe('DynamoDbUsageLogs.page on a busy account with a rare filter', () => {
  let dynamo: LocalDynamo;
  const matching: UsageLog[] = [];
  const failed = (l: UsageLog): UsageLog => ({ ...l, status: 503 });

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    const items: Record<string, unknown>[] = [];
    const add = (l: UsageLog) => items.push(logPageItem('acc_busy', singleSortKey(l), [l]));
    // 600 calls ten seconds apart, three of them failed.
    for (let i = 0; i < 600; i++) {
      const at = new Date(Date.parse('2026-03-01T00:00:00.000Z') + i * 10_000).toISOString();
      const l = [5, 333, 590].includes(i) ? failed(log(`s${i}`, at)) : log(`s${i}`, at);
      add(l);
      if (l.status === 503) matching.push(l);
    }
    // 400 calls at one millisecond (nothing to stop between), one failed.
    for (let i = 0; i < 400; i++) {
      const l =
        i === 17
          ? failed(log(`t${String(i).padStart(3, '0')}`, '2026-03-01T12:00:00.000Z'))
          : log(`t${String(i).padStart(3, '0')}`, '2026-03-01T12:00:00.000Z');
      add(l);
      if (l.status === 503) matching.push(l);
    }
    // The earlier one-call form, older than all of them: 400 calls, one failed.
    for (let i = 0; i < 400; i++) {
      const { at, requestId, ...rest } =
        i === 200
          ? failed(log(`l${i}`, new Date(Date.parse('2026-02-20T00:00:00.000Z') + i * 1000).toISOString()))
          : log(`l${i}`, new Date(Date.parse('2026-02-20T00:00:00.000Z') + i * 1000).toISOString());
      items.push({ pk: 'ACCOUNT#acc_busy', sk: `${at}#${requestId}`, ...rest, expiresAt: Math.floor(NOW.getTime() / 1000) + 3600 });
      if (rest.status === 503) matching.push({ at, requestId, ...rest });
    }
    for (let i = 0; i < items.length; i += 25)
      await dynamo.client.send(
        new BatchWriteCommand({ RequestItems: { usageLogs: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
      );
    matching.sort((x, y) => (order(x) < order(y) ? 1 : -1));
  });
  afterAll(() => dynamo.stop());

  it('reads a bounded number of items a page and still returns every match once, newest first, through the cursors', async () => {
    let fetched = 0;
    const counting = {
      send: async (command: QueryCommand) => {
        const out = await dynamo.client.send(command);
        fetched += out.Items?.length ?? 0;
        return out;
      },
    } as unknown as DynamoDBDocumentClient;
    const logs = new DynamoDbUsageLogs(counting, 'usageLogs');
    const filters = { status: '5xx' as const };
    const read: UsageLog[] = [];
    const perPage: number[] = [];
    let cursor: string | undefined;
    do {
      fetched = 0;
      const page = await logs.page('acc_busy', { limit: 50, cursor, now: NOW, filter: matchesFilters(filters) });
      perPage.push(fetched);
      read.push(...page.logs);
      // The cursor goes through the API's encoding, as a client's would.
      cursor = page.nextCursor && decodeLogCursor('acc_busy', filters, encodeLogCursor('acc_busy', filters, page.nextCursor));
      expect(perPage.length).toBeLessThan(30);
    } while (cursor);
    expect(read.map(order)).toEqual(matching.map(order));
    // 1,400 items in all; a page reads its budget (and what its queries fetched ahead), except the one
    // that must read the 400 calls of one millisecond whole to move past them.
    expect(perPage.length).toBeGreaterThanOrEqual(4);
    expect(perPage.filter((n) => n > PAGE_READ_BUDGET + 100)).toHaveLength(1);
    expect(Math.max(...perPage)).toBeLessThanOrEqual(400 + PAGE_READ_BUDGET + 100);
  });
});

/** The stage's usage-log retention: writers and readers follow it, and stored logs can be brought under a shorter one. */
describe('usage-log retention as a stage setting', () => {
  let dynamo: LocalDynamo;
  const saved = process.env.USAGE_LOG_RETENTION_DAYS;
  const at = '2026-03-01T10:17:05.000Z';
  const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  afterEach(() => {
    if (saved === undefined) delete process.env.USAGE_LOG_RETENTION_DAYS;
    else process.env.USAGE_LOG_RETENTION_DAYS = saved;
  });

  it('is 90 days unless USAGE_LOG_RETENTION_DAYS says otherwise, and refuses a value that is not whole days', () => {
    delete process.env.USAGE_LOG_RETENTION_DAYS;
    expect(usageLogRetentionDays()).toBe(90);
    expect(logPageItem('acc_1', pageSortKey(at, 1), [log('a', at)]).expiresAt).toBe(epoch(at) + 90 * 86_400);
    process.env.USAGE_LOG_RETENTION_DAYS = '30';
    expect(logPageItem('acc_1', pageSortKey(at, 1), [log('a', at)]).expiresAt).toBe(epoch(at) + 30 * 86_400);
    process.env.USAGE_LOG_RETENTION_DAYS = '30.5';
    expect(() => usageLogRetentionDays()).toThrow(/whole number/);
  });

  it('shows only logs inside the retention window', async () => {
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const old = log('old', '2026-02-10T10:00:00.000Z');
    const recent = log('new', '2026-02-28T10:00:00.000Z');
    for (const l of [old, recent])
      await dynamo.client.send(new PutCommand({ TableName: 'usageLogs', Item: logPageItem('acc_win', singleSortKey(l), [l]) }));
    process.env.USAGE_LOG_RETENTION_DAYS = '10';
    expect((await logs.page('acc_win', { limit: 10, now: NOW })).logs.map((l) => l.requestId)).toEqual(['new']);
    process.env.USAGE_LOG_RETENTION_DAYS = '90';
    expect((await logs.page('acc_win', { limit: 10, now: NOW })).logs.map((l) => l.requestId)).toEqual(['new', 'old']);
  });

  it('shortens the expiry of stored pages, slots, singles and per-call items to newest call + days, leaves seq blocks and shorter expiries alone', async () => {
    process.env.USAGE_LOG_RETENTION_DAYS = '90';
    const page = logPageItem('acc_ret', pageSortKey('2026-03-01T10:17:50.000Z', 1), [
      log('p1', '2026-03-01T10:17:01.000Z'),
      log('p2', '2026-03-01T10:17:50.000Z'),
    ]);
    const single = {
      pk: 'ACCOUNT#acc_ret',
      sk: 'M#2026-03-01T11:00:00.000Z#S7',
      d: new Uint8Array([1]),
      expiresAt: epoch('2026-03-01T11:00:00.000Z') + 90 * 86_400,
    };
    const slot = {
      pk: 'ACCOUNT#acc_ret',
      sk: 'M#2026-03-01T12:59:59.999Z#Z3_AbCdEf12',
      k: 'key_1',
      u: 'jest',
      n: 1,
      c1: new Uint8Array([1]),
      expiresAt: epoch('2026-03-01T12:59:59.999Z') + 90 * 86_400,
    };
    const legacy = {
      pk: 'ACCOUNT#acc_ret',
      sk: '2026-03-01T09:00:00.000Z#req_9',
      status: 200,
      expiresAt: epoch('2026-03-01T09:00:00.000Z') + 90 * 86_400,
    };
    const seqBlock = {
      pk: 'ACCOUNT#acc_ret',
      sk: 'SEQ#000000000000001',
      s: new Set([1]),
      expiresAt: epoch('2026-03-01T11:00:00.000Z') + 90 * 86_400,
    };
    const alreadyShort: Record<string, unknown> = {
      ...logPageItem('acc_ret', singleSortKey(log('s1', '2026-03-01T12:00:00.000Z')), [log('s1', '2026-03-01T12:00:00.000Z')]),
      expiresAt: epoch('2026-03-01T12:00:00.000Z') + 86_400,
    };
    for (const Item of [page, single, slot, legacy, seqBlock, alreadyShort])
      await dynamo.client.send(new PutCommand({ TableName: 'usageLogs', Item }));
    const progress: number[] = [];
    const result = await shortenUsageLogRetention(dynamo.client, 'usageLogs', 7, {
      segments: 2,
      onProgress: (seen) => progress.push(seen),
    });
    expect(result.shortened).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeGreaterThan(0);
    const expiry = async (sk: string) =>
      (await dynamo.client.send(new GetCommand({ TableName: 'usageLogs', Key: { pk: 'ACCOUNT#acc_ret', sk } }))).Item?.expiresAt;
    expect(await expiry(String(page.sk))).toBe(epoch('2026-03-01T10:17:50.000Z') + 7 * 86_400);
    expect(await expiry(single.sk)).toBe(epoch('2026-03-01T11:00:00.000Z') + 7 * 86_400);
    // A slot: its hour's end, the newest call it may hold.
    expect(await expiry(slot.sk)).toBe(epoch('2026-03-01T12:59:59.999Z') + 7 * 86_400);
    expect(await expiry(legacy.sk)).toBe(epoch('2026-03-01T09:00:00.000Z') + 7 * 86_400);
    expect(await expiry(seqBlock.sk)).toBe(seqBlock.expiresAt);
    expect(await expiry(String(alreadyShort.sk))).toBe(alreadyShort.expiresAt);
    // Run again: nothing left to shorten.
    const again = await shortenUsageLogRetention(dynamo.client, 'usageLogs', 7);
    expect(again.shortened).toBe(0);
  });
});
