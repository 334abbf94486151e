import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { z } from 'zod';
import type { KeyAddressWatch } from './address-watch';
import { callIdentity, type UsageEvent, type UsageMetrics, usageFigures } from './model';

export { callIdentity, type UsageMetrics, usageFigures };

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
  balanceMicro: z.number().int().optional(),
  seq: z.number().int().positive().optional(),
  used: z.number().int().nonnegative().optional(),
  lone: z.literal(true).optional(),
  noticeArmed: z.boolean().optional(),
}) satisfies z.ZodType<UsageEvent>;

/** A queued message body: JSON text holding one usage event (Powertools parser's helper; malformed JSON fails like a bad field). */
export const UsageMessageSchema = JSONStringified(UsageEventSchema);

/** One validated event with what the worker decided for it. */
export interface UsageEntry {
  event: UsageEvent;
  /** The account has not objected to analytics: count it in the product-wide rollup. */
  analytics: boolean;
}

/** Port: writes events' logs (pages expiring the retention period after their newest call), rollups and refunds, all-or-nothing per write. */
export interface UsageStore {
  /**
   * Records the entries; the calls returned (by {@link callIdentity}) were recorded before
   * (redeliveries) and were not counted again. Throws when nothing could be written, so every entry is retried.
   */
  recordBatch(entries: UsageEntry[]): Promise<Set<string>>;
}

/** What the worker needs to know of an account: its objections and its low-balance threshold. */
export interface AccountSettings {
  /**
   * The account is gone, or its erasure has begun: its calls are not recorded. Their events may still
   * be queued (calls admitted just before the keys were revoked, or within the gateway's key cache),
   * and must not write logs, rollups or refunds back behind the erasure.
   */
  erased?: boolean;
  /** The account has not objected to usage analytics. */
  analytics: boolean;
  /** Mail once when the balance falls below this (micro-credits); undefined: never. */
  lowBalanceMicro?: number;
  email?: string;
}

/** Port: an account's settings, read fresh for every batch so a new objection applies to new events. */
export interface AccountSettingsReader {
  of(accountId: string): Promise<AccountSettings>;
}

/** Port: the low-balance notice, sent once per crossing of the threshold. */
export interface LowBalanceNotices {
  /**
   * Marks the notice sent unless it already was for this crossing, or a call admitted after the event of `at` found the
   * balance back at or above `thresholdMicro` (its event decides then); true when this call should send it.
   */
  claim(accountId: string, at: Date, thresholdMicro?: number): Promise<boolean>;
  /**
   * Re-arms the notice once the balance is back above the threshold; `armed`, the state known already (the event's),
   * spares its read; `crossing`: not when a call admitted after the event of `at` left the balance below `thresholdMicro`.
   */
  rearm(accountId: string, armed?: boolean, crossing?: { at: Date; thresholdMicro: number }): Promise<void>;
  send(to: string, balanceMicro: number, thresholdMicro: number): Promise<void>;
  /** Gives back the claim made at `at` whose mail could not be sent: the account's next event below the threshold claims it again. */
  release(accountId: string, at: Date): Promise<void>;
}

export interface BatchOutcome {
  /** Messages to retry: malformed ones (they end in the DLQ) and any the store could not write. */
  failed: Set<string>;
  recorded: number;
  duplicates: number;
  /** Events of erased accounts, acknowledged unrecorded. */
  dropped: number;
}

/**
 * Records a batch of queued usage events exactly once: each event's log (in its account's page,
 * kept for the retention period), hourly aggregates per account and product, the refund of a failed call, and — for
 * accounts that have not objected — the product-wide analytics rollup. A malformed message fails
 * alone; the rest of its batch is recorded.
 */
export async function recordUsageBatch(
  messages: { messageId: string; body: string }[],
  deps: {
    store: UsageStore;
    settings: AccountSettingsReader;
    notices?: LowBalanceNotices;
    /** An account's whole balance, for the notice when its events carry none (sharded plans). */
    balances?: { of(accountId: string): Promise<number> };
    onNoticeError?: (error: unknown) => void;
    metrics?: UsageMetrics;
    /** Looks at the addresses each key was used from (after the batch is safe; a failure is logged, never retried). */
    addresses?: Pick<KeyAddressWatch, 'observe'>;
    onWatchError?: (error: unknown) => void;
  },
): Promise<BatchOutcome> {
  const failed = new Set<string>();
  const valid: { messageId: string; event: UsageEvent }[] = [];
  for (const message of messages) {
    const parsed = UsageMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      failed.add(message.messageId);
      continue;
    }
    valid.push({ messageId: message.messageId, event: parsed.data });
  }
  if (valid.length === 0) return { failed, recorded: 0, duplicates: 0, dropped: 0 };
  const accounts = [...new Set(valid.map(({ event }) => event.accountId))];
  const settings = new Map(await Promise.all(accounts.map(async (id) => [id, await deps.settings.of(id)] as const)));
  const live = valid.filter(({ event }) => !settings.get(event.accountId)!.erased);
  const dropped = valid.length - live.length;
  if (live.length === 0) return { failed, recorded: 0, duplicates: 0, dropped };
  const entries = live.map(({ messageId, event }) => ({
    messageId,
    event,
    analytics: settings.get(event.accountId)!.analytics,
  }));
  // A call twice in one batch (SQS delivered it twice at once) is recorded once, by its first copy.
  const firstCopies = new Map<string, (typeof entries)[number]>();
  for (const entry of entries) if (!firstCopies.has(callIdentity(entry.event))) firstCopies.set(callIdentity(entry.event), entry);
  let recordedBefore: Set<string>;
  try {
    recordedBefore = await deps.store.recordBatch([...firstCopies.values()]);
  } catch {
    for (const entry of entries) failed.add(entry.messageId);
    return { failed, recorded: 0, duplicates: 0, dropped };
  }
  const fresh = [...firstCopies.values()].filter((entry) => !recordedBefore.has(callIdentity(entry.event))).map((entry) => entry.event);
  deps.metrics?.recorded(fresh);
  if (deps.notices) {
    // Off the hot path and after the batch is safe: a notice that fails is logged, never retried with the batch.
    await noticeLowBalances(
      live.map((v) => v.event),
      settings,
      deps.notices,
      deps.balances,
    ).catch((error) => deps.onNoticeError?.(error));
  }
  if (deps.addresses) await deps.addresses.observe(live.map((v) => v.event)).catch((error) => deps.onWatchError?.(error));
  return { failed, recorded: fresh.length, duplicates: entries.length - fresh.length, dropped };
}

/**
 * The low-balance notice: for each account whose threshold is set, the newest balance the gateway
 * saw in this batch decides — below the threshold, the notice goes out once (until re-armed); at or
 * above it, the notice is re-armed for the next crossing.
 */
export async function noticeLowBalances(
  events: UsageEvent[],
  settings: Map<string, AccountSettings>,
  notices: LowBalanceNotices,
  balances?: { of(accountId: string): Promise<number> },
): Promise<void> {
  const latest = new Map<string, number>();
  const newest = new Map<string, string>();
  // The notice's state as the newest event's admit write found it: a re-arm then needs no read.
  const armed = new Map<string, boolean | undefined>();
  for (const event of events) {
    if (event.balanceMicro === undefined) continue;
    if (!newest.has(event.accountId) || event.at > newest.get(event.accountId)!) {
      newest.set(event.accountId, event.at);
      latest.set(event.accountId, event.balanceMicro);
      armed.set(event.accountId, event.noticeArmed);
    }
  }
  // A sharded plan's events carry no balance (the admit write saw one shard): read the whole, for accounts that watch it.
  const unseen = [...new Set(events.map((e) => e.accountId))].filter(
    (id) => !latest.has(id) && settings.get(id)?.lowBalanceMicro !== undefined,
  );
  if (balances) for (const id of unseen) latest.set(id, await balances.of(id));
  await Promise.all(
    [...latest].map(async ([accountId, balanceMicro]) => {
      const { lowBalanceMicro, email } = settings.get(accountId) ?? {};
      if (lowBalanceMicro === undefined || !email) return;
      const at = new Date(newest.get(accountId) ?? Date.now());
      if (balanceMicro >= lowBalanceMicro) return notices.rearm(accountId, armed.get(accountId), { at, thresholdMicro: lowBalanceMicro });
      if (!(await notices.claim(accountId, at, lowBalanceMicro))) return;
      try {
        await notices.send(email, balanceMicro, lowBalanceMicro);
      } catch (error) {
        // Claimed and not sent would be a crossing never mailed: the claim goes back first.
        await notices.release(accountId, at).catch(() => {});
        throw error;
      }
    }),
  );
}
