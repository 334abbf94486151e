import type { UsageEvent } from '../../../lambdas/metering/domain/model';
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
