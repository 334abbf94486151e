import type { UsageLog } from './usage-logs';

/**
 * What a metered call counts for: the worker's hourly rollups, the usage API's and the privacy
 * export's buckets, and reconciliation all count a call the same way, here.
 */

/** One bucket of an account's usage, per product: what `GET /v1/usage` answers. */
export interface UsageBucket {
  bucket: string;
  product: string;
  calls: number;
  admitted: number;
  rejected: number;
  /** Refused with 402: the balance could not cover the call (hours counted before this split was kept: 0). */
  rejectedNoCredit: number;
  /** Refused with 429: over the plan's rate limit (likewise). */
  rejectedRateLimited: number;
  errors: number;
  chargedMicro: number;
  refundedMicro: number;
  avgLatencyMs: number;
  bytesIn: number;
  bytesOut: number;
}

/** The counters an hour's rollup keeps per account and product. */
export const CALL_COUNTERS = [
  'calls',
  'admitted',
  'rejected',
  'rejectedNoCredit',
  'rejectedRateLimited',
  'errors',
  'chargedMicro',
  'refundedMicro',
  'latencyMsSum',
  'bytesIn',
  'bytesOut',
] as const;
export type CallCounters = Record<(typeof CALL_COUNTERS)[number], number>;

/** What one call adds to its hour's counters: the worker's rollups and the reader's uncounted calls alike. */
export function countersOfCall(
  call: Pick<UsageLog, 'outcome' | 'status' | 'priceMicroCredits' | 'latencyMs' | 'requestBytes' | 'responseBytes'>,
): CallCounters {
  const rejected = call.outcome === 'rejected';
  return {
    calls: 1,
    admitted: rejected ? 0 : 1,
    rejected: rejected ? 1 : 0,
    rejectedNoCredit: rejected && call.status === 402 ? 1 : 0,
    rejectedRateLimited: rejected && call.status === 429 ? 1 : 0,
    errors: call.status >= 400 ? 1 : 0,
    chargedMicro: rejected ? 0 : call.priceMicroCredits,
    refundedMicro: call.outcome === 'refunded' ? call.priceMicroCredits : 0,
    latencyMsSum: Math.round(call.latencyMs),
    bytesIn: call.requestBytes,
    bytesOut: call.responseBytes,
  };
}

/** `2026-03-01T10:17:03Z` → the hour and day buckets it counts in. */
export function bucketsOf(at: string): { hour: string; day: string } {
  return { hour: `${at.slice(0, 13)}:00:00Z`, day: `${at.slice(0, 10)}T00:00:00Z` };
}
