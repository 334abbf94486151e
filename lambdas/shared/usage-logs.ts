/**
 * Per-call usage logs as every context sees them: metering writes and serves them, privacy exports
 * and erases them. Only the port is shared; how logs are stored is the adapter's business
 * (`adapters/dynamodb-usage-logs.ts`), so it can change without touching either context.
 */

/** One metered call, as logged: metadata only — never keys, cookies or bodies. */
export interface UsageLog {
  requestId: string;
  keyId: string;
  product: string;
  method: string;
  /** Path below the product, without the query string. */
  path: string;
  /** What the caller got. */
  status: number;
  /** 'ok' admitted and answered; 'refunded' admitted but the upstream failed; 'rejected' refused before any debit. */
  outcome: 'ok' | 'refunded' | 'rejected';
  priceMicroCredits: number;
  latencyMs: number;
  upstreamLatencyMs?: number;
  requestBytes: number;
  responseBytes: number;
  ip: string;
  userAgent: string;
  /** ISO time the call arrived. */
  at: string;
}

/** How long logs are kept unless the stage says otherwise (the privacy policy promises 90 days). */
export const DEFAULT_USAGE_LOG_RETENTION_DAYS = 90;

/**
 * How long logs are kept: the stage's `usageLogRetentionDays`, which the CDK app gives every function
 * as `USAGE_LOG_RETENTION_DAYS`. Writers set the TTL from it, readers show only logs inside it, and
 * the texts that state it (export README, usage API) say it.
 */
export function usageLogRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.USAGE_LOG_RETENTION_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_USAGE_LOG_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new Error(`USAGE_LOG_RETENTION_DAYS must be a whole number of days, got ${raw}`);
  return days;
}

/** Which logs a page holds: newest first from `cursor`, within the retention period and [from, to], those `filter` keeps. */
export interface LogPageOptions {
  limit: number;
  /** The previous page's `nextCursor` (an order key `<at>#<requestId>`). */
  cursor?: string;
  now: Date;
  /** ISO time: no call before it (the retention period bounds it anyway). */
  from?: string;
  /** ISO time: no call after it. */
  to?: string;
  /** Keeps the logs a filter asks for; a page is filled with matching logs only. */
  filter?: (log: UsageLog) => boolean;
}

/** Port: an account's logs, read a page at a time and erased a page at a time. */
export interface UsageLogStore {
  /**
   * Newest first, within the retention period; `cursor` is the previous page's `nextCursor` (opaque).
   * A page reads a bounded number of stored items: with a filter that matches little it may hold fewer
   * than `limit` logs, or none, and a `nextCursor` that goes on where it stopped.
   */
  page(accountId: string, options: LogPageOptions): Promise<{ logs: UsageLog[]; nextCursor?: string }>;
  /** Deletes up to `limit` of the account's logs (expired ones too); `remaining` says whether more are left. */
  erasePage(accountId: string, limit: number): Promise<{ erased: number; remaining: boolean }>;
  /** Whether any log of the account is still stored, expired or not (erasure's proof). */
  any(accountId: string): Promise<boolean>;
}
