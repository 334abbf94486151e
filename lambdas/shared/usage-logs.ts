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

/** How long logs are kept (privacy policy: 90 days). */
export const USAGE_LOG_RETENTION_DAYS = 90;

/** Port: an account's logs, read a page at a time and erased a page at a time. */
export interface UsageLogStore {
  /** Newest first, within the retention period; `cursor` is the previous page's `nextCursor` (opaque). */
  page(accountId: string, options: { limit: number; cursor?: string; now: Date }): Promise<{ logs: UsageLog[]; nextCursor?: string }>;
  /** Deletes up to `limit` of the account's logs (expired ones too); `remaining` says whether more are left. */
  erasePage(accountId: string, limit: number): Promise<{ erased: number; remaining: boolean }>;
  /** Whether any log of the account is still stored, expired or not (erasure's proof). */
  any(accountId: string): Promise<boolean>;
}
