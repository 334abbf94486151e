import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { CatalogSchema } from '../../../lambdas/metering/catalog-schema';
import {
  DynamoDbAccountSettings,
  DynamoDbLowBalanceNoticeState,
  DynamoDbUsageStore,
} from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import { Gateway } from '../../../lambdas/metering/domain/gateway';
import { isLoneCall, LONE_CALL_SILENCE_MS, type LoneCalls, StoreLoneCalls } from '../../../lambdas/metering/domain/lone-calls';
import type { MeterDecision, UsageEvent } from '../../../lambdas/metering/domain/model';
import type { UpstreamResult } from '../../../lambdas/metering/domain/ports';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { DynamoDbUsageLogs } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { balanceKey } from '../../../lambdas/shared/credits';
import { ITEMS } from '../../../lambdas/shared/items';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { usageEvent } from '../../helpers/usage-event';
import { USAGE_TABLES } from '../../helpers/usage-worker';

const SECRET = `omn_live_${'a'.repeat(43)}`;
const catalog = CatalogSchema.parse({
  products: { echo: { upstream: 'https://echo.example', priceMicroCredits: 1_000_000, timeoutMs: 1000 } },
  plans: { free: { requestsPerMinute: 10 } },
});
const NOW = new Date('2026-03-01T10:00:30Z');

/** A gateway whose meter says when the account last called, over a lone-call port that records what it is given. */
function gatewayWith(options: {
  previousCallAt?: string;
  partial?: boolean;
  upstream?: UpstreamResult;
  record?: (event: UsageEvent) => Promise<boolean>;
}) {
  const queued: UsageEvent[] = [];
  const direct: UsageEvent[] = [];
  const begun: { accountId: string; balanceMicro: number }[] = [];
  const errors: unknown[] = [];
  const loneCalls: LoneCalls = {
    begin: (accountId, balanceMicro) => {
      begun.push({ accountId, balanceMicro });
      return {
        record: async (event) => {
          const recorded = await (options.record?.(event) ?? Promise.resolve(true));
          if (recorded) direct.push(event);
          return recorded;
        },
      };
    },
  };
  const decision: MeterDecision = {
    admitted: true,
    balanceMicro: 9_000_000,
    used: 1,
    resetAt: 0,
    seq: 5,
    ...(options.previousCallAt ? { previousCallAt: options.previousCallAt } : {}),
    ...(options.partial ? { partial: true as const } : {}),
  };
  const gateway = new Gateway({
    keys: { resolve: async () => ({ accountId: 'acc_1', keyId: 'key_1', plan: 'free', status: 'active' }) },
    meter: { admit: async () => decision },
    upstream: {
      forward: async () => options.upstream ?? { kind: 'response', status: 200, headers: {}, body: Buffer.from('{}') },
    },
    usage: { publish: async (event) => void queued.push(event) },
    onUnqueuedEvent: () => {},
    catalog,
    upstreamBase: () => 'https://echo.example/',
    now: () => NOW,
    loneCalls,
    onLoneCallError: (_event, error) => errors.push(error),
  });
  const call = () =>
    gateway.handle({
      requestId: 'req-1',
      secret: SECRET,
      product: 'echo',
      path: 'x',
      method: 'GET',
      rawQuery: '',
      headers: {},
      ip: '203.0.113.5',
      userAgent: 'curl',
      receivedAt: NOW,
    });
  return { call, queued, direct, begun, errors };
}

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('lone calls: a call after a long silence of its account is recorded by the gateway, not queued', () => {
  it('tells a lone call by the silence before it: none before, or ten minutes and more', () => {
    expect(isLoneCall(NOW, undefined)).toBe(true);
    expect(isLoneCall(NOW, ago(LONE_CALL_SILENCE_MS))).toBe(true);
    expect(isLoneCall(NOW, ago(LONE_CALL_SILENCE_MS - 1))).toBe(false);
    expect(isLoneCall(NOW, ago(1_000))).toBe(false);
  });

  it("records an account's first call and a call after an hour's silence directly, and queues a call a minute after another", async () => {
    for (const previousCallAt of [undefined, ago(3_600_000)]) {
      const { call, queued, direct, begun } = gatewayWith({ previousCallAt });
      expect((await call()).status).toBe(200);
      expect({ queued: queued.length, direct: direct.length }).toEqual({ queued: 0, direct: 1 });
      // Begun with the balance the admit write left, before the upstream answered.
      expect(begun).toEqual([{ accountId: 'acc_1', balanceMicro: 9_000_000 }]);
      // Marked lone: the store keeps it in its day's slot, and so every copy of it.
      expect(direct[0]).toMatchObject({ accountId: 'acc_1', seq: 5, status: 200, outcome: 'ok', lone: true });
    }
    const busy = gatewayWith({ previousCallAt: ago(60_000) });
    await busy.call();
    expect({ queued: busy.queued.length, direct: busy.direct.length, begun: busy.begun.length }).toEqual({
      queued: 1,
      direct: 0,
      begun: 0,
    });
    expect(busy.queued[0]!.lone).toBeUndefined();
  });

  it("queues a sharded plan's call (its write saw one shard), and whatever the recording declines or fails", async () => {
    const sharded = gatewayWith({ partial: true });
    await sharded.call();
    expect({ queued: sharded.queued.length, begun: sharded.begun.length }).toEqual({ queued: 1, begun: 0 });
    expect(sharded.queued[0]!.lone).toBeUndefined();

    // Queued after all, it keeps its mark: the worker writes it to the slot the gateway would have.
    const declined = gatewayWith({ record: async () => false });
    await declined.call();
    expect(declined.queued).toHaveLength(1);
    expect(declined.queued[0]!.lone).toBe(true);

    const failed = gatewayWith({
      record: async () => {
        throw new Error('ProvisionedThroughputExceeded');
      },
    });
    expect((await failed.call()).status).toBe(200);
    expect(failed.queued).toHaveLength(1);
    expect(failed.errors).toHaveLength(1);
  });
});

describe('StoreLoneCalls on DynamoDB: recorded once, as the worker records it', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const account = async (accountId: string, fields: Record<string, unknown>) =>
    dynamo.client.send(
      new PutCommand({
        TableName: 'accounts',
        Item: { ...ITEMS.account.key({ accountId }), email: `${accountId}@example.org`, ...fields },
      }),
    );
  const funded = async (accountId: string) =>
    dynamo.client.send(new PutCommand({ TableName: 'ledger', Item: { ...balanceKey(accountId), balance: 50_000_000 } }));
  const loneCalls = () =>
    new StoreLoneCalls({
      store: new DynamoDbUsageStore(dynamo.client, USAGE_TABLES),
      settings: new DynamoDbAccountSettings(dynamo.client, 'accounts'),
      notices: new DynamoDbLowBalanceNoticeState(dynamo.client, 'ledger'),
    });
  const worker = (events: UsageEvent[]) =>
    recordUsageBatch(
      events.map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })),
      { store: new DynamoDbUsageStore(dynamo.client, USAGE_TABLES), settings: new DynamoDbAccountSettings(dynamo.client, 'accounts') },
    );

  it("writes the call to its day's slot; a copy the worker gets later (the write was doubted) is a duplicate, the log listed once", async () => {
    await account('acc_lone', { preferences: { analytics: true } });
    const event: UsageEvent = { ...usageEvent('acc_lone', 0, Date.now() - 1_000), lone: true };
    const metered: UsageEvent[][] = [];
    const recording = new StoreLoneCalls({
      store: new DynamoDbUsageStore(dynamo.client, USAGE_TABLES),
      settings: new DynamoDbAccountSettings(dynamo.client, 'accounts'),
      notices: new DynamoDbLowBalanceNoticeState(dynamo.client, 'ledger'),
      metrics: { recorded: (events) => metered.push(events) },
    }).begin('acc_lone', 9_000_000);
    const transactions = dynamo.calls('TransactWriteItems');
    await expect(recording.record(event)).resolves.toBe(true);
    expect(dynamo.calls('TransactWriteItems') - transactions).toBe(0);
    expect(metered).toEqual([[event]]);
    await expect(worker([event])).resolves.toMatchObject({ recorded: 0, duplicates: 1 });
    const { logs } = await new DynamoDbUsageLogs(dynamo.client, 'usageLogs').page('acc_lone', { limit: 10, now: new Date() });
    expect(logs.map((log) => log.requestId)).toEqual([event.requestId]);
    const stored = (await dynamo.scanAll()).usageLogs.filter((item) => item.pk === 'ACCOUNT#acc_lone');
    expect(stored.filter((item) => ITEMS.logDaySlot.matches(item)).map((item) => item.n)).toEqual([1]);
  });

  it('drops the call of an account whose erasure has begun, as the worker does', async () => {
    await account('acc_gone', { erasingSince: new Date().toISOString() });
    await expect(
      loneCalls()
        .begin('acc_gone', 1)
        .record(usageEvent('acc_gone', 0, Date.now())),
    ).resolves.toBe(true);
    const { logs } = await new DynamoDbUsageLogs(dynamo.client, 'usageLogs').page('acc_gone', { limit: 10, now: new Date() });
    expect(logs).toEqual([]);
  });

  it('leaves to the queue a call below the low-balance threshold (the worker claims and mails), and a refunded one', async () => {
    await account('acc_low', { preferences: { lowBalanceCredits: '5' } });
    await expect(
      loneCalls()
        .begin('acc_low', 4_000_000)
        .record(usageEvent('acc_low', 0, Date.now())),
    ).resolves.toBe(false);
    await expect(
      loneCalls()
        .begin('acc_low', 9_000_000)
        .record({ ...usageEvent('acc_low', 1, Date.now()), outcome: 'refunded', status: 502 }),
    ).resolves.toBe(false);
    const { logs } = await new DynamoDbUsageLogs(dynamo.client, 'usageLogs').page('acc_low', { limit: 10, now: new Date() });
    expect(logs).toEqual([]);
  });

  it("reads the notice's state beside the settings, not after them, and re-arms a sent notice without reading it again", async () => {
    await account('acc_beside', { preferences: { lowBalanceCredits: '5' } });
    await funded('acc_beside');
    const state = new DynamoDbLowBalanceNoticeState(dynamo.client, 'ledger');
    await expect(state.claim('acc_beside', new Date())).resolves.toBe(true);
    let asked = () => {};
    const noticeAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const reads: string[] = [];
    const settings = new DynamoDbAccountSettings(dynamo.client, 'accounts');
    const recording = new StoreLoneCalls({
      store: new DynamoDbUsageStore(dynamo.client, USAGE_TABLES),
      // The settings answer only once the notice's state was asked for: read one after the other, this would time out.
      settings: {
        of: async (id) => {
          await Promise.race([
            noticeAsked,
            new Promise((_, reject) => setTimeout(() => reject(new Error('the notice was not read beside the settings')), 2_000)),
          ]);
          return settings.of(id);
        },
      },
      notices: {
        armed: (id) => {
          reads.push(id);
          asked();
          return state.armed(id);
        },
        rearm: (id, armed) => state.rearm(id, armed),
      },
    }).begin('acc_beside', 50_000_000);
    await expect(recording.record(usageEvent('acc_beside', 0, Date.now()))).resolves.toBe(true);
    expect(reads).toEqual(['acc_beside']);
    // Re-armed: the next fall below the threshold is claimed.
    await expect(state.claim('acc_beside', new Date())).resolves.toBe(true);
  });

  it('re-arms a sent notice once the balance is back above the threshold, as the worker would', async () => {
    await account('acc_topped', { preferences: { lowBalanceCredits: '5' } });
    await funded('acc_topped');
    const state = new DynamoDbLowBalanceNoticeState(dynamo.client, 'ledger');
    await expect(state.claim('acc_topped', new Date())).resolves.toBe(true);
    await expect(
      loneCalls()
        .begin('acc_topped', 50_000_000)
        .record(usageEvent('acc_topped', 0, Date.now())),
    ).resolves.toBe(true);
    // Armed again: the next fall below the threshold is claimed (and mailed by the worker).
    await expect(state.claim('acc_topped', new Date())).resolves.toBe(true);
  });

  it("takes the notice's state from the admit write's item: no read of it, and a sent notice re-armed all the same", async () => {
    await account('acc_known', { preferences: { lowBalanceCredits: '5' } });
    await funded('acc_known');
    const state = new DynamoDbLowBalanceNoticeState(dynamo.client, 'ledger');
    await expect(state.claim('acc_known', new Date())).resolves.toBe(true);
    const reads = () => dynamo.calls('GetItem ledger');
    const before = reads();
    await expect(
      loneCalls()
        .begin('acc_known', 50_000_000, true)
        .record(usageEvent('acc_known', 0, Date.now())),
    ).resolves.toBe(true);
    expect(reads() - before).toBe(0);
    // The admit write found it sent (as it is): the call re-arms it, still without reading it.
    await expect(
      loneCalls()
        .begin('acc_known', 50_000_000, false)
        .record(usageEvent('acc_known', 1, Date.now())),
    ).resolves.toBe(true);
    expect(reads() - before).toBe(0);
    await expect(state.claim('acc_known', new Date())).resolves.toBe(true);
  });
});
