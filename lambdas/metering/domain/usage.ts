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

/** Port: writes a call's log item, its rollups and any refund as one all-or-nothing unit. */
export interface UsageStore {
  /** 'duplicate' when this event was recorded before: nothing is written twice. */
  record(event: UsageEvent, options: { analytics: boolean; logExpiresAt: number }): Promise<'recorded' | 'duplicate'>;
}

/** Port: whether an account lets its usage count in analytics. */
export interface AnalyticsConsent {
  allows(accountId: string): Promise<boolean>;
}

/**
 * Records one usage event exactly once: the log item (expiring 90 days after the call), hourly and
 * daily aggregates per account and product, the refund of a failed call, and — for accounts that
 * have not objected — the product-wide analytics rollup.
 */
export async function recordUsage(raw: unknown, deps: { store: UsageStore; consent: AnalyticsConsent }): Promise<'recorded' | 'duplicate'> {
  const event = UsageEventSchema.parse(raw);
  const analytics = await deps.consent.allows(event.accountId);
  const logExpiresAt = Math.floor(Date.parse(event.at) / 1000) + USAGE_LOG_TTL_SECONDS;
  return deps.store.record(event, { analytics, logExpiresAt });
}

/** `2026-03-01T10:17:03Z` → the hour and day buckets it counts in. */
export function bucketsOf(at: string): { hour: string; day: string } {
  return { hour: `${at.slice(0, 13)}:00:00Z`, day: `${at.slice(0, 10)}T00:00:00Z` };
}
