import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageLogs, logPageItem, pageSortKey, singleSortKey } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import type { UsageLog } from '../../../lambdas/shared/usage-logs';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

const NOW = new Date('2026-03-02T00:00:00Z');
const log = (requestId: string, at: string): UsageLog => ({
  requestId, at, keyId: 'key_1', product: 'echo', method: 'GET', path: `/p/${requestId}`, status: 200, outcome: 'ok',
  priceMicroCredits: 1, latencyMs: 3, requestBytes: 0, responseBytes: 10, ip: '203.0.113.9', userAgent: 'jest',
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
    for (const { at, requestId, ...rest } of legacy) items.push({ pk: 'ACCOUNT#acc_ann', sk: `${at}#${requestId}`, ...rest, expiresAt: Math.floor(NOW.getTime() / 1000) + 3600 });
    // Past its TTL (not yet swept), and past the 90 days: never shown.
    const swept = log('x1', '2026-03-01T10:19:00.000Z');
    items.push({ ...logPageItem('acc_ann', singleSortKey(swept), [swept]), expiresAt: Math.floor(NOW.getTime() / 1000) - 1 });
    const ancient = log('x2', '2025-11-01T10:00:00.000Z');
    items.push(logPageItem('acc_ann', singleSortKey(ancient), [ancient]));
    // Another account's page, newer than all of them.
    const other = log('o1', '2026-03-01T23:00:00.000Z');
    items.push(logPageItem('acc_bob', singleSortKey(other), [other]));
    for (let i = 0; i < items.length; i += 25) await dynamo.client.send(new BatchWriteCommand({ RequestItems: { usageLogs: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
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
    // One query of the pages and one of the single calls, each stopped where the page of logs was full.
    expect(dynamo.calls('Query usageLogs') - before).toBe(2);
  });
});
