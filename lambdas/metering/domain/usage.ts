import { z } from 'zod';
import type { UsageEvent } from './model';

export const USAGE_LOG_TTL_SECONDS = 90 * 24 * 3600;

/** What the worker accepts from the queue; anything else is a poison message. */
export const UsageEventSchema = z.object({
  v: z.literal(1),
  requestId: z.string().min(1).max(100),
  accountId: z.string().min(1).max(100),
  keyId: z.string().min(1).max(100),
  product: z.string().min(1).max(40),
  method: z.string().min(1).max(10),
  path: z.string().max(1024),
  status: z.number().int().min(100).max(599),
  outcome: z.enum(['ok', 'refunded', 'rejected']),
  priceMicroCredits: z.number().int().nonnegative(),
  latencyMs: z.number().nonnegative(),
  upstreamLatencyMs: z.number().nonnegative().optional(),
  requestBytes: z.number().int().nonnegative(),
  responseBytes: z.number().int().nonnegative(),
  ip: z.string().max(64),
  userAgent: z.string().max(512),
  at: z.iso.datetime(),
}) satisfies z.ZodType<UsageEvent>;

/** One validated event with what the worker decided for it. */
export interface UsageEntry {
  event: UsageEvent;
  /** The account has not objected to analytics: count it in the product-wide rollup. */
  analytics: boolean;
  /** Epoch seconds the log item expires (TTL): 90 days after the call. */
  logExpiresAt: number;
}

/** Port: writes events' log items, rollups and refunds, all-or-nothing per write. */
export interface UsageStore {
  /**
   * Records the entries; the ids returned were recorded before (redeliveries) and were not counted
   * again. Throws when nothing could be written, so every entry is retried.
   */
  recordBatch(entries: UsageEntry[]): Promise<Set<string>>;
}

/** Port: whether an account lets its usage count in analytics. */
export interface AnalyticsConsent {
  allows(accountId: string): Promise<boolean>;
}

export interface BatchOutcome {
  /** Messages to retry: malformed ones (they end in the DLQ) and any the store could not write. */
  failed: Set<string>;
  recorded: number;
  duplicates: number;
}

/**
 * Records a batch of queued usage events exactly once: each event's log item (expiring 90 days after
 * the call), hourly and daily aggregates per account and product, the refund of a failed call, and —
 * for accounts that have not objected — the product-wide analytics rollup. A malformed message fails
 * alone; the rest of its batch is recorded.
 */
export async function recordUsageBatch(
  messages: { messageId: string; body: string }[],
  deps: { store: UsageStore; consent: AnalyticsConsent },
): Promise<BatchOutcome> {
  const failed = new Set<string>();
  const valid: { messageId: string; event: UsageEvent }[] = [];
  for (const message of messages) {
    let parsed: ReturnType<typeof UsageEventSchema.safeParse>;
    try {
      parsed = UsageEventSchema.safeParse(JSON.parse(message.body));
    } catch {
      failed.add(message.messageId);
      continue;
    }
    if (!parsed.success) {
      failed.add(message.messageId);
      continue;
    }
    valid.push({ messageId: message.messageId, event: parsed.data });
  }
  if (valid.length === 0) return { failed, recorded: 0, duplicates: 0 };
  const accounts = [...new Set(valid.map(({ event }) => event.accountId))];
  const allows = new Map(await Promise.all(accounts.map(async (id) => [id, await deps.consent.allows(id)] as const)));
  const entries = valid.map(({ messageId, event }) => ({
    messageId,
    event,
    analytics: allows.get(event.accountId)!,
    logExpiresAt: Math.floor(Date.parse(event.at) / 1000) + USAGE_LOG_TTL_SECONDS,
  }));
  try {
    const duplicates = await deps.store.recordBatch(entries);
    return { failed, recorded: entries.length - duplicates.size, duplicates: duplicates.size };
  } catch {
    for (const entry of entries) failed.add(entry.messageId);
    return { failed, recorded: 0, duplicates: 0 };
  }
}

/** `2026-03-01T10:17:03Z` → the hour and day buckets it counts in. */
export function bucketsOf(at: string): { hour: string; day: string } {
  return { hour: `${at.slice(0, 13)}:00:00Z`, day: `${at.slice(0, 10)}T00:00:00Z` };
}
