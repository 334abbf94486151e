import { DynamoDbUsageStore } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import { callsOfItem, DynamoDbUsageLogs, isAgentKey } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch, type UsageEntry, type UsageStore } from '../../../lambdas/metering/domain/usage';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { allCounted } from '../../helpers/singles-rollups';
import { seededRandom as random } from '../../helpers/seeded-random';

const ACCOUNTS = 25;
const CALLS_PER_ACCOUNT = 16;

describe('usage events recorded exactly once — log pages, single calls, rollups, refunds and metrics (25 interleaved accounts, busy and not, 3× redelivery, failures, a poison message)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  it('counts and logs every served call exactly once', async () => {
    const next = random(42);
    const events: UsageEvent[] = [];
    const seqs = new Map<string, number>();
    for (let i = 0; i < ACCOUNTS * CALLS_PER_ACCOUNT; i++) {
      const account = `acc_x${i % ACCOUNTS}`;
      const refunded = i % 17 === 0;
      // Refused calls carry no sequence number (the admit write did not count them): logged on their own.
      const refused = !refunded && i % 11 === 0;
      const seq = refused ? undefined : (seqs.get(account) ?? 0) + 1;
      if (seq) seqs.set(account, seq);
      events.push({
        v: 1,
        requestId: `req_${i}`,
        accountId: account,
        keyId: `key_${i % 3}`,
        product: i % 5 ? 'echo' : 'maps',
        method: 'GET',
        path: `/p/${i}`,
        status: refunded ? 502 : refused ? 429 : 200,
        outcome: refunded ? 'refunded' : refused ? 'rejected' : 'ok',
        priceMicroCredits: 1_000,
        latencyMs: 10,
        requestBytes: 5,
        responseBytes: 50,
        ip: `198.51.100.${i % 200}`,
        userAgent: 'jest',
        at: new Date(Date.UTC(2026, 2, 1, 10 + (i % 3), i % 60, i % 7)).toISOString(),
        ...(seq ? { seq } : {}),
        // Even accounts busy (their calls go to pages), odd ones calling once in a while (single items); the first five carry no count, as events queued before it existed.
        ...(i % ACCOUNTS < 5 ? {} : { used: (i % ACCOUNTS) % 2 === 0 ? 500 : 1 }),
      });
    }
    // Every message three times, plus a poison message, shuffled.
    const queue = [...events, ...events, ...events].map((e, n) => ({ messageId: `m${n}`, body: JSON.stringify(e) }));
    queue.push({ messageId: 'poison', body: '{"v":1,"requestId":' });
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [queue[i], queue[j]] = [queue[j]!, queue[i]!];
    }

    // One transaction in seven fails after DynamoDB rejected it (throttled): its batch is redelivered.
    const real = new DynamoDbUsageStore(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' });
    const flaky: UsageStore = {
      recordBatch: async (entries: UsageEntry[]) => {
        if (next() < 1 / 7) throw Object.assign(new Error('ProvisionedThroughputExceeded'), { name: 'ThrottlingException' });
        return real.recordBatch(entries);
      },
    };
    const settings = { of: async () => ({ analytics: true }) };
    const counted: UsageEvent[] = [];
    const metrics = { recorded: (fresh: UsageEvent[]) => counted.push(...fresh) };
    let poisonReceives = 0;
    while (queue.length) {
      const batch = queue.splice(0, 1 + Math.floor(next() * 100));
      const { failed } = await recordUsageBatch(batch, { store: flaky, settings, metrics });
      for (const message of batch) {
        if (!failed.has(message.messageId)) continue;
        if (message.messageId === 'poison' && ++poisonReceives >= 5) continue; // parked in the DLQ
        queue.splice(Math.floor(next() * (queue.length + 1)), 0, message);
      }
    }
    expect(poisonReceives).toBe(5);

    const stored = await dynamo.scanAll();
    const logs = new DynamoDbUsageLogs(dynamo.client, 'usageLogs');
    const order = (e: { at: string; requestId: string }) => `${e.at}#${e.requestId}`;
    for (let a = 0; a < ACCOUNTS; a++) {
      const account = `acc_x${a}`;
      const served = events.filter((e) => e.accountId === account);
      // Read back a few at a time through the cursor, across pages: complete, newest first, each once, only this account's.
      const read: { at: string; requestId: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await logs.page(account, { limit: 3, cursor, now: new Date('2026-03-02T00:00:00Z') });
        read.push(...page.logs);
        cursor = page.nextCursor;
      } while (cursor);
      expect(read.map(order)).toEqual(served.map(order).sort().reverse());
      // Each call in one stored item: a page's (one per account and minute a batch touched) or its own
      // (beside them, the agent items their slots name, which hold no call).
      const items = stored.usageLogs.filter((item) => item.pk === `ACCOUNT#${account}` && !isAgentKey(String(item.sk)));
      expect(items.filter((item) => /^[LM]#/.test(String(item.sk))).reduce((sum, item) => sum + Number(item.n ?? 1), 0)).toBe(
        served.length,
      );
      // The calls of accounts that are not busy: each in one slot or single call item, fewer items than calls.
      if (a >= 5 && a % 2 === 1) {
        const mine = items.filter((item) => String(item.sk).startsWith('M#'));
        expect(
          mine
            .flatMap((item) => callsOfItem(item))
            .map(({ log }) => log.requestId)
            .sort(),
        ).toEqual(
          served
            .filter((e) => e.outcome !== 'refunded')
            .map((e) => e.requestId)
            .sort(),
        );
        expect(mine.length).toBeLessThan(served.filter((e) => e.outcome !== 'refunded').length);
      }
      const counted = allCounted(stored.usageAggregates, account);
      expect(counted.calls).toBe(served.length);
      expect(counted.chargedMicro).toBe(served.filter((e) => e.outcome !== 'rejected').length * 1_000);
      const refunds = stored.ledger.filter((item) => item.pk === `ACCOUNT#${account}` && item.type === 'refund');
      expect(refunds).toHaveLength(served.filter((e) => e.outcome === 'refunded').length);
      const balance = stored.ledger.find((item) => item.pk === `ACCOUNT#${account}` && item.sk === 'BALANCE');
      expect(Number(balance?.balance ?? 0)).toBe(refunds.length * 1_000);
    }
    // The metrics saw each call once too.
    expect(counted.map((e) => e.requestId).sort()).toEqual(events.map((e) => e.requestId).sort());
    // Product-wide analytics: the paged calls' rollups, and the single calls' in their accounts' singles rollups.
    const analytics = stored.usageAggregates.filter((item) => String(item.pk).startsWith('ANALYTICS#'));
    const accounts = new Set(events.map((e) => e.accountId));
    expect(
      analytics.reduce((sum, h) => sum + Number(h.calls), 0) +
        [...accounts].reduce((sum, account) => sum + allCounted(stored.usageAggregates, account).analyticsCalls, 0),
    ).toBe(events.length);
  }, 240_000);
});
