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
}

/**
 * What the conditional write decided; `resetAt` is when its rate window ends (epoch seconds). On a
 * sharded plan `partial` is set: `balanceMicro` is then what the shards tried held, not the account's
 * balance, and `used` an estimate from one shard.
 */
export type MeterDecision =
  | { admitted: true; balanceMicro: number; used: number; resetAt: number; seq: number; partial?: true }
  | {
      admitted: false;
      reason: 'insufficient_credit' | 'rate_limited';
      balanceMicro: number;
      used: number;
      resetAt: number;
      partial?: true;
    };
