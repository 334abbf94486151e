import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLowBalanceNotices } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import type { OutgoingMail } from '../../../lambdas/shared/mailer';
import { balanceKey } from '../../../lambdas/shared/credits';
import { ITEMS } from '../../../lambdas/shared/items';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { type AccountSettings, type LowBalanceNotices, noticeLowBalances } from '../../../lambdas/metering/domain/usage';

/** The notice's state machine, as the DynamoDB adapter keeps it: armed until sent, re-armed above the threshold. */
class MemoryNotices implements LowBalanceNotices {
  armed = new Map<string, boolean>();
  sent: { to: string; balanceMicro: number }[] = [];
  async claim(accountId: string) {
    if (this.armed.get(accountId) === false) return false;
    this.armed.set(accountId, false);
    return true;
  }
  async rearm(accountId: string) {
    this.armed.set(accountId, true);
  }
  async release(accountId: string) {
    this.armed.set(accountId, true);
  }
  async send(to: string, balanceMicro: number) {
    this.sent.push({ to, balanceMicro });
  }
}

const event = (accountId: string, balanceMicro: number | undefined, at: string) => ({ accountId, balanceMicro, at }) as UsageEvent;
const settings = new Map<string, AccountSettings>([
  ['acc_a', { analytics: true, lowBalanceMicro: 10_000_000, email: 'a@example.org' }],
  ['acc_b', { analytics: true, email: 'b@example.org' }],
]);

describe('low-balance notice', () => {
  it('mails once per crossing, judged by the newest balance the gateway saw, and only accounts that asked', async () => {
    const notices = new MemoryNotices();
    await noticeLowBalances(
      [
        event('acc_a', 12_000_000, '2026-03-01T10:00:00Z'),
        event('acc_a', 9_000_000, '2026-03-01T10:00:01Z'),
        event('acc_b', 1, '2026-03-01T10:00:01Z'),
      ],
      settings,
      notices,
    );
    await noticeLowBalances([event('acc_a', 8_000_000, '2026-03-01T10:00:02Z')], settings, notices);
    expect(notices.sent).toEqual([{ to: 'a@example.org', balanceMicro: 9_000_000 }]);
    // A purchase takes it back above the threshold: the next fall mails again.
    await noticeLowBalances([event('acc_a', 50_000_000, '2026-03-01T11:00:00Z')], settings, notices);
    await noticeLowBalances([event('acc_a', 5_000_000, '2026-03-01T12:00:00Z')], settings, notices);
    expect(notices.sent).toHaveLength(2);
  });

  it('reads the whole balance when the events carry none (a sharded plan), only for accounts that watch it', async () => {
    const notices = new MemoryNotices();
    const read: string[] = [];
    const balances = { of: async (accountId: string) => (read.push(accountId), 4_000_000) };
    await noticeLowBalances(
      [event('acc_a', undefined, '2026-03-01T10:00:00Z'), event('acc_b', undefined, '2026-03-01T10:00:00Z')],
      settings,
      notices,
      balances,
    );
    expect(read).toEqual(['acc_a']);
    expect(notices.sent).toEqual([{ to: 'a@example.org', balanceMicro: 4_000_000 }]);
  });

  it('without a balance reader, sends nothing for events without a balance', async () => {
    const notices = new MemoryNotices();
    await noticeLowBalances([event('acc_a', undefined, '2026-03-01T10:00:00Z')], settings, notices);
    expect(notices.sent).toEqual([]);
  });
});

describe('the low-balance notice on DynamoDB (the worker asks once a batch per watching account)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  /** The DynamoDB notices with their mails kept, and settings in which `accountId` watches its balance at 10 credits. */
  const watchingNotices = (accountId: string, email: string) => {
    const mails: OutgoingMail[] = [];
    const notices = new DynamoDbLowBalanceNotices(dynamo.client, 'ledger', { send: async (mail) => void mails.push(mail) }, 'https://x');
    const watching = new Map<string, AccountSettings>([[accountId, { analytics: true, lowBalanceMicro: 10_000_000, email }]]);
    return { mails, notices, watching };
  };

  it('writes only when the state changes: a batch that finds it as asked costs a half read, not a refused write', async () => {
    const mails: OutgoingMail[] = [];
    const notices = new DynamoDbLowBalanceNotices(dynamo.client, 'ledger', { send: async (mail) => void mails.push(mail) }, 'https://x');
    const updates = () => dynamo.calls('UpdateItem ledger');
    const watching = new Map<string, AccountSettings>([
      ['acc_n', { analytics: true, lowBalanceMicro: 10_000_000, email: 'n@example.org' }],
    ]);
    const batch = (balanceMicro: number, at: string) => noticeLowBalances([event('acc_n', balanceMicro, at)], watching, notices);
    await dynamo.client.send(new PutCommand({ TableName: 'ledger', Item: { ...balanceKey('acc_n'), balance: 50_000_000 } }));

    // Above the threshold, never sent: armed. The balance item takes the state once (one write), then the re-arm
    // writes nothing, batch after batch.
    for (let hour = 10; hour < 14; hour++) await batch(50_000_000, `2026-03-01T${hour}:00:00Z`);
    expect(updates()).toBe(1);
    // The fall: one claim, one mail; later batches below it write nothing more.
    await batch(9_000_000, '2026-03-01T14:00:00Z');
    expect([updates(), mails.length]).toEqual([2, 1]);
    for (let hour = 15; hour < 18; hour++) await batch(8_000_000, `2026-03-01T${hour}:00:00Z`);
    expect([updates(), mails.length]).toEqual([2, 1]);
    // A purchase lifts it: one re-arm; then the next fall mails again.
    await batch(60_000_000, '2026-03-01T18:00:00Z');
    await batch(60_000_000, '2026-03-01T19:00:00Z');
    expect(updates()).toBe(3);
    await batch(1_000_000, '2026-03-01T20:00:00Z');
    expect([updates(), mails.length]).toEqual([4, 2]);
    // All of it on the balance item, where the admit write returns it to the gateway.
    const { Item } = await dynamo.client.send(new GetCommand({ TableName: 'ledger', Key: balanceKey('acc_n') }));
    expect(Item).toMatchObject({ balance: 50_000_000, noticeArmed: false, noticeSentAt: '2026-03-01T20:00:00.000Z' });
  });

  it('takes over the state an earlier version kept in an item of its own: a notice sent then is not sent again', async () => {
    const { mails, notices, watching } = watchingNotices('acc_old', 'old@example.org');
    await dynamo.client.send(new PutCommand({ TableName: 'ledger', Item: { ...balanceKey('acc_old'), balance: 3_000_000 } }));
    await dynamo.client.send(
      new PutCommand({
        TableName: 'ledger',
        Item: { ...ITEMS.lowBalanceNotice.key({ accountId: 'acc_old' }), armed: false, notifiedAt: '2026-02-27T09:00:00.000Z' },
      }),
    );
    await noticeLowBalances([event('acc_old', 3_000_000, '2026-03-01T10:00:00Z')], watching, notices);
    expect(mails).toEqual([]);
    const { Item } = await dynamo.client.send(new GetCommand({ TableName: 'ledger', Key: balanceKey('acc_old') }));
    expect(Item).toMatchObject({ noticeArmed: false });
    // Back above the threshold, then below it: re-armed on the balance item, and sent.
    await noticeLowBalances([event('acc_old', 60_000_000, '2026-03-01T11:00:00Z')], watching, notices);
    await noticeLowBalances([event('acc_old', 2_000_000, '2026-03-01T12:00:00Z')], watching, notices);
    expect(mails).toHaveLength(1);
  });

  it('mails the fall after a top-up that came before the mail of the fall before it (the events carry the state as the admit write found it)', async () => {
    const { mails, notices, watching } = watchingNotices('acc_race', 'race@example.org');
    /** A call admitted as the gateway's write does it: the balance item's lastCallAt and balance, and its event with the state it found. */
    const admitted = async (balanceMicro: number, at: string) => {
      const { Item } = await dynamo.client.send(new GetCommand({ TableName: 'ledger', Key: balanceKey('acc_race') }));
      await dynamo.client.send(
        new PutCommand({ TableName: 'ledger', Item: { ...Item, ...balanceKey('acc_race'), balance: balanceMicro, lastCallAt: at } }),
      );
      return { ...event('acc_race', balanceMicro, at), noticeArmed: Item?.noticeArmed as boolean | undefined };
    };
    await dynamo.client.send(
      new PutCommand({ TableName: 'ledger', Item: { ...balanceKey('acc_race'), balance: 10_500_000, noticeArmed: true } }),
    );
    // A call takes the balance below the threshold; before its batch is handled, a purchase lifts it and another call is
    // admitted (its event finds the notice armed); then the first call's batch, then the second's.
    const fall = await admitted(9_500_000, '2026-03-01T10:00:00.000Z');
    const lifted = await admitted(59_500_000, '2026-03-01T10:00:02.000Z');
    await noticeLowBalances([fall], watching, notices);
    await noticeLowBalances([lifted], watching, notices);
    // The balance falls below the threshold again: this crossing is mailed.
    const again = await admitted(9_000_000, '2026-03-01T12:00:00.000Z');
    await noticeLowBalances([again], watching, notices);
    expect(mails.map((mail) => mail.text.split('\n')[0])).toEqual([expect.stringContaining('Your balance is 9 credits')]);
    await noticeLowBalances([await admitted(8_000_000, '2026-03-01T13:00:00.000Z')], watching, notices);
    expect(mails).toHaveLength(1);
  });

  it('gives the claim back when the mail fails, so the next event below the threshold mails it', async () => {
    let failing = true;
    const mails: OutgoingMail[] = [];
    const mailer = {
      send: async (mail: OutgoingMail) => {
        if (failing) throw new Error('SES throttled');
        mails.push(mail);
      },
    };
    const notices = new DynamoDbLowBalanceNotices(dynamo.client, 'ledger', mailer, 'https://x');
    const watching = new Map<string, AccountSettings>([
      ['acc_fail', { analytics: true, lowBalanceMicro: 10_000_000, email: 'fail@example.org' }],
    ]);
    await dynamo.client.send(new PutCommand({ TableName: 'ledger', Item: { ...balanceKey('acc_fail'), balance: 3_000_000 } }));
    await expect(noticeLowBalances([event('acc_fail', 3_000_000, '2026-03-01T10:00:00Z')], watching, notices)).rejects.toThrow(
      'SES throttled',
    );
    failing = false;
    await noticeLowBalances([event('acc_fail', 2_000_000, '2026-03-01T10:05:00Z')], watching, notices);
    expect(mails).toHaveLength(1);
    // Sent now: not again for this crossing.
    await noticeLowBalances([event('acc_fail', 1_000_000, '2026-03-01T10:10:00Z')], watching, notices);
    expect(mails).toHaveLength(1);
  });

  it('does not re-arm from a late copy of an old event when a call since left the balance below the threshold', async () => {
    const { mails, notices, watching } = watchingNotices('acc_late', 'late@example.org');
    // The fall at 11:00 was claimed and mailed; its balance item says so.
    await dynamo.client.send(
      new PutCommand({
        TableName: 'ledger',
        Item: {
          ...balanceKey('acc_late'),
          balance: 3_000_000,
          lastCallAt: '2026-03-01T11:00:00.000Z',
          noticeArmed: false,
          noticeSentAt: '2026-03-01T11:00:00.000Z',
        },
      }),
    );
    // A copy of a 09:00 call (above the threshold, the notice then sent for an earlier fall) is delivered late.
    await noticeLowBalances([{ ...event('acc_late', 40_000_000, '2026-03-01T09:00:00Z'), noticeArmed: false }], watching, notices);
    const { Item } = await dynamo.client.send(new GetCommand({ TableName: 'ledger', Key: balanceKey('acc_late') }));
    expect(Item).toMatchObject({ noticeArmed: false });
    // So the fall it is in is not mailed twice.
    await noticeLowBalances([event('acc_late', 2_000_000, '2026-03-01T11:30:00Z')], watching, notices);
    expect(mails).toEqual([]);
  });

  it('claims nothing for an account without a balance item (erased), and writes none', async () => {
    const notices = new DynamoDbLowBalanceNotices(dynamo.client, 'ledger', { send: async () => {} }, 'https://x');
    await expect(notices.claim('acc_none', new Date())).resolves.toBe(false);
    const { Item } = await dynamo.client.send(new GetCommand({ TableName: 'ledger', Key: balanceKey('acc_none') }));
    expect(Item).toBeUndefined();
  });
});
