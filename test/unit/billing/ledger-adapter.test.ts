import { DynamoDbLedger } from '../../../lambdas/billing/adapters/dynamodb-ledger';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

describe('DynamoDbLedger on DynamoDB', () => {
  let dynamo: LocalDynamo;
  let ledger: DynamoDbLedger;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    ledger = new DynamoDbLedger(dynamo.client, 'ledger');
  });
  afterAll(() => dynamo.stop());

  it('posts an entry and its balance change once per idempotency key, even when posted concurrently', async () => {
    const grant = { type: 'grant' as const, amountMicro: 2_500_000, reason: 'welcome' };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        ledger
          .post('acc_l1', grant, 'grant:welcome:acc_l1')
          .then((r) => r.outcome)
          .catch(() => 'conflict'),
      ),
    );
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(await ledger.balance('acc_l1')).toBe(2_500_000);
    expect(await ledger.all('acc_l1')).toHaveLength(1);
    expect((await ledger.post('acc_l1', grant, 'grant:welcome:acc_l1')).outcome).toBe('duplicate');
    expect(await ledger.balance('acc_l1')).toBe(2_500_000);
  });

  it('pages entries newest first with a cursor that stays in the account, and lists them all oldest first', async () => {
    for (let i = 0; i < 5; i++) {
      await ledger.post(
        'acc_l2',
        { type: 'grant', amountMicro: (i + 1) * 1_000_000, reason: `g${i}`, at: new Date(Date.UTC(2026, 2, 1, 10, i)) },
        `grant:${i}:acc_l2`,
      );
    }
    await ledger.post('acc_l3', { type: 'grant', amountMicro: 1, reason: 'other' }, 'grant:x:acc_l3');
    const first = await ledger.page('acc_l2', { limit: 2 });
    expect(first.entries.map((e) => e.reason)).toEqual(['g4', 'g3']);
    const second = await ledger.page('acc_l2', { limit: 10, cursor: first.nextCursor });
    expect(second.entries.map((e) => e.reason)).toEqual(['g2', 'g1', 'g0']);
    expect((await ledger.page('acc_l3', { limit: 10, cursor: first.nextCursor })).entries.map((e) => e.reason)).not.toContain('g2');
    expect((await ledger.all('acc_l2')).map((e) => e.reason)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
    expect(await ledger.balance('acc_l2')).toBe(15_000_000);
    expect(await ledger.balance('acc_nobody')).toBe(0);
  });

  it("refuses an operator's debit the balance does not cover, changing nothing, and applies one it does, once", async () => {
    await ledger.post('acc_adj', { type: 'grant', amountMicro: 10_000_000, reason: 'start' }, 'grant:adj');
    const debit = (amountMicro: number, key: string) =>
      ledger.post('acc_adj', { type: 'adjustment', amountMicro, reason: 'correction' }, key, undefined, { keepNonNegative: true });
    expect((await debit(-15_000_000, 'adjust:a')).outcome).toBe('insufficient');
    expect(await ledger.balance('acc_adj')).toBe(10_000_000);
    expect((await ledger.all('acc_adj')).map((e) => e.type)).toEqual(['grant']);
    expect((await debit(-4_000_000, 'adjust:b')).outcome).toBe('applied');
    expect((await debit(-4_000_000, 'adjust:b')).outcome).toBe('duplicate');
    expect(await ledger.balance('acc_adj')).toBe(6_000_000);
  });
});
