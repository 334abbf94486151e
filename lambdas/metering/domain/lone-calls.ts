import type { UsageEvent, UsageMetrics } from './model';
import type { AccountSettingsReader, UsageStore } from './usage';

/**
 * A call admitted after this much silence of its account is a lone call: the gateway records it in the
 * usage store itself instead of queueing it. Such a call would be alone in its worker run (the drain
 * runs every two minutes), so queueing it only adds a message's three requests — $0.48 a million —
 * to the slot write it gets either way. Ten minutes leave the address watch every call of an account
 * that calls more often than six times an hour (docs/architecture.md, "Lone calls").
 */
export const LONE_CALL_SILENCE_MS = 10 * 60_000;

/** Whether a call admitted at `at` after the account's call at `previousCallAt` (none: its first) is a lone call. */
export const isLoneCall = (at: Date, previousCallAt: string | undefined): boolean =>
  previousCallAt === undefined || at.getTime() - Date.parse(previousCallAt) >= LONE_CALL_SILENCE_MS;

/** Port: the gateway's recording of a lone call, begun as soon as the call is admitted. */
export interface LoneCalls {
  /**
   * Starts what recording needs (the account's settings, and its low-balance notice's state unless the admit
   * write returned it as `noticeArmed`, read at once) while the upstream answers. The recording then says
   * whether the call was recorded (or dropped, for an account being erased): when it answers false, or
   * throws, the caller queues the event as for any other call.
   */
  begin(accountId: string, balanceMicro: number, noticeArmed?: boolean): LoneRecording;
}

export interface LoneRecording {
  record(event: UsageEvent): Promise<boolean>;
}

/** The low-balance notice as a lone call sees it: whether it is armed, and its re-arm (`armed`: the state read already). */
export interface LowBalanceNoticeState {
  armed(accountId: string): Promise<boolean>;
  rearm(accountId: string, armed?: boolean): Promise<void>;
}

/**
 * A lone call recorded as the worker would record it in a batch of its own: the same settings, the
 * same store (its slot, guarded by its sequence number — a copy queued after a failed or doubtful
 * write is a duplicate there), the same metrics. What only the worker does stays with the queue: a
 * refund (a transaction with the ledger), a balance below the account's low-balance threshold (the
 * notice's claim and mail), and the key address watch, which sees no lone call.
 */
export class StoreLoneCalls implements LoneCalls {
  constructor(
    private readonly deps: {
      store: UsageStore;
      settings: AccountSettingsReader;
      notices: LowBalanceNoticeState;
      metrics?: UsageMetrics;
    },
  ) {}

  begin(accountId: string, balanceMicro: number, noticeArmed?: boolean): LoneRecording {
    const ready = this.prepare(accountId, balanceMicro, noticeArmed);
    // Awaited only if the call succeeds upstream: a refunded call is queued, and its preparation's failure is then of no interest.
    ready.catch(() => {});
    return {
      record: async (event) => {
        const how = await ready;
        if (how === 'queue') return false;
        if (how === 'drop') return true;
        if (event.outcome !== 'ok' || event.seq === undefined) return false;
        const recordedBefore = await this.deps.store.recordBatch([{ event, analytics: how.analytics }]);
        if (recordedBefore.size === 0) this.deps.metrics?.recorded([event]);
        return true;
      },
    };
  }

  /** What the worker would decide for the account: drop its calls (erasure begun), leave them to the queue (a notice to claim), or record them. */
  private async prepare(
    accountId: string,
    balanceMicro: number,
    noticeArmed: boolean | undefined,
  ): Promise<'drop' | 'queue' | { analytics: boolean }> {
    // The notice's state comes with the admit write's item (it lives on the balance item); else it is read beside the
    // settings, not after them: one round trip of the call's time, not two.
    const [settings, armed] = await Promise.all([this.deps.settings.of(accountId), noticeArmed ?? this.deps.notices.armed(accountId)]);
    if (settings.erased) return 'drop';
    if (settings.lowBalanceMicro !== undefined && settings.email) {
      if (balanceMicro < settings.lowBalanceMicro) return 'queue';
      await this.deps.notices.rearm(accountId, armed);
    }
    return { analytics: settings.analytics };
  }
}
