import type { UsageLog } from '../../shared/usage-logs';

/** One metered call as the gateway saw it and queues it: the log, plus who called and the balance it left. */
export interface UsageEvent extends UsageLog {
  v: 1;
  accountId: string;
  /** The balance the gateway's admit write left (or found, when it refused): the worker's low-balance notice reads it. */
  balanceMicro?: number;
  /** The account's admitted-call number from the admit write (1, 2, …); refused calls have none. */
  seq?: number;
  /**
   * How many calls the account had admitted in this clock minute, this one included (the admit
   * write's rate counter). With `at` it tells the worker how busy the account is, so every copy of
   * an event is stored in the same form (see the usage store).
   */
  used?: number;
  /**
   * Admitted after a long silence of its account (`LONE_CALL_SILENCE_MS` since its previous call, or
   * its first; never on a sharded plan, whose write saw one shard): the usage store keeps such a call
   * in a slot of its day, not of its hour, so every copy of it lands in the same slot.
   */
  lone?: true;
  /**
   * The account's low-balance notice state as the admit write found it on the balance item (armed: not sent
   * since the balance was last above the threshold): the worker re-arms without reading it. Absent when the
   * write did not see it (a sharded plan's shard, a balance item of earlier versions).
   */
  noticeArmed?: boolean;
}

/**
 * What the conditional write decided; `resetAt` is when its rate window ends (epoch seconds). On a
 * sharded plan `partial` is set: `balanceMicro` is then what the shards tried held, not the account's
 * balance, and `used` an estimate from one shard.
 */
export type MeterDecision =
  | {
      admitted: true;
      balanceMicro: number;
      used: number;
      resetAt: number;
      seq: number;
      partial?: true;
      /** When the account's call before this one was admitted (ISO), from the same write; absent for its first. */
      previousCallAt?: string;
      /** The account's low-balance notice state as the same write found it on the balance item; absent when it was not there. */
      noticeArmed?: boolean;
    }
  | {
      admitted: false;
      reason: 'insufficient_credit' | 'rate_limited';
      balanceMicro: number;
      used: number;
      resetAt: number;
      partial?: true;
      noticeArmed?: boolean;
    };

/**
 * What makes two usage events copies of one call (a redelivery, or the second message of a retried
 * SendMessage): its account and the sequence number its admit write handed out, or, for a refused
 * call (none), its account, time and request id. Never the request id alone, which is not the
 * platform's to guarantee unique: distinct calls under one id are distinct calls.
 */
export const callIdentity = (event: Pick<UsageEvent, 'accountId' | 'seq' | 'at' | 'requestId'>): string =>
  event.seq !== undefined ? `${event.accountId}#S${event.seq}` : `${event.accountId}#R${event.at}#${event.requestId}`;

/** Port: what the recorded calls add to the platform's metrics (calls, credits spent, refusals by reason). */
export interface UsageMetrics {
  /** Called once per batch with the events recorded for the first time (never a redelivery). */
  recorded(events: UsageEvent[]): void;
}

/** A batch's figures for the metrics: admitted calls, credits spent (micro), refusals by reason, upstream failures. */
export function usageFigures(events: UsageEvent[]): {
  calls: number;
  spentMicro: number;
  insufficientCredit: number;
  rateLimited: number;
  upstreamFailures: number;
} {
  const figures = { calls: 0, spentMicro: 0, insufficientCredit: 0, rateLimited: 0, upstreamFailures: 0 };
  for (const event of events) {
    if (event.outcome === 'rejected') {
      if (event.status === 402) figures.insufficientCredit++;
      else if (event.status === 429) figures.rateLimited++;
    } else if (event.outcome === 'refunded') {
      figures.calls++;
      figures.upstreamFailures++;
    } else {
      figures.calls++;
      figures.spentMicro += event.priceMicroCredits;
    }
  }
  return figures;
}
