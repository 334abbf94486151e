import { consoleUrl } from '../../shared/console-links';
import { inParallel } from '../../shared/in-parallel';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { balanceKey, creditsToMicro, microToCredits } from '../../shared/credits';
import {
  agentItem,
  callRanges,
  itemsHoldingCalls,
  DAY_SLOTS,
  HOUR_SLOTS,
  callsOfItem,
  clientAttribute,
  clientHashOf,
  expiryOf,
  logPageItem,
  logPartition,
  minuteOf,
  onceEach,
  newestAt,
  pageSortKey,
  SEQ_BLOCK,
  seqBlockSortKey,
  singleCallItem,
  singleSortKey,
  SLOT_CALLS,
  slotEntryName,
  slotSortKey,
  slotUpdate,
  SWEEP_SHARDS,
  sweepMarkerItem,
  type StoredCall,
  sweepPartition,
  sweepWeekMarkerItem,
  sweepWeekPartition,
  WEEK_LIST_MIN_RETENTION_DAYS,
  WEEK_MS,
  weekEndOf,
} from '../../shared/adapters/dynamodb-usage-logs';
import {
  ANALYTICS_COUNTERS,
  emptyTally,
  encodeTally,
  entryName,
  type SinglesTally,
  finishedDays,
  singlesDayKey,
  singlesHeld,
  singlesWeekKey,
  weekEntryName,
  weekStartOf,
} from '../../shared/adapters/singles-day';
import { queryAll } from '../../shared/dynamodb-query';
import { sendRetryingConflicts } from '../../shared/adapters/dynamodb-balance';
import type { Mailer } from '../../shared/mailer';
import { type UsageLog, usageLogRetentionDays } from '../../shared/usage-logs';
import { bucketsOf, CALL_COUNTERS, type CallCounters, countersOfCall } from '../../shared/usage-counters';
import type { AccountSettings, AccountSettingsReader, LowBalanceNotices, UsageEntry, UsageStore } from '../domain/usage';
import { ITEMS } from '../../shared/items';
import { callIdentity } from '../domain/model';

export interface UsageTables {
  usageLogs: string;
  usageAggregates: string;
  ledger: string;
}

/** The call's log, without the event's envelope (version, account, the balance it left). */
const logOf = ({
  v: _v,
  accountId: _account,
  balanceMicro: _balance,
  seq: _seq,
  used: _used,
  noticeArmed: _notice,
  ...log
}: UsageEntry['event']): UsageLog => log;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** DynamoDB's ceiling on items per transaction. */
const MAX_TRANSACTION_ITEMS = 100;
/** Calls per page item, and their logs' bytes before compression: a page stays below DynamoDB's 400 KB whatever callers send. */
const PAGE_MAX_LOGS = 500;
const PAGE_MAX_BYTES = 300_000;
/** Bytes of logs per transaction (compression only shrinks them): below DynamoDB's 4 MB. */
const TRANSACTION_MAX_BYTES = 3_000_000;
/** An upper bound of a log's size before compression: what the caller chose (path, user agent) and ~300 bytes of the rest. */
const logBytes = ({ event }: UsageEntry) => Buffer.byteLength(event.path) + Buffer.byteLength(event.userAgent) + 300;

/** Which page of its account's minute each call goes to: a new one past PAGE_MAX_LOGS calls or PAGE_MAX_BYTES bytes. */
class PageFill {
  private readonly pages = new Map<string, { index: number; count: number; bytes: number }>();

  /** The page `entry` would go to, without placing it. */
  peek(entry: UsageEntry): string {
    const key = `${entry.event.accountId}|${minuteOf(entry.event.at)}`;
    const page = this.pages.get(key);
    if (!page) return `${key}|0`;
    return `${key}|${page.count >= PAGE_MAX_LOGS || page.bytes + logBytes(entry) > PAGE_MAX_BYTES ? page.index + 1 : page.index}`;
  }

  place(entry: UsageEntry): string {
    const key = `${entry.event.accountId}|${minuteOf(entry.event.at)}`;
    const page = this.pages.get(key) ?? { index: 0, count: 0, bytes: 0 };
    if (page.count && (page.count >= PAGE_MAX_LOGS || page.bytes + logBytes(entry) > PAGE_MAX_BYTES))
      Object.assign(page, { index: page.index + 1, count: 0, bytes: 0 });
    page.count++;
    page.bytes += logBytes(entry);
    this.pages.set(key, page);
    return `${key}|${page.index}`;
  }
}
/** Tries of a transaction that meets another writer's (TransactionConflict) before the batch is retried by SQS. */
const CONFLICT_TRIES = 5;
/**
 * Tries of a count into a day's singles rollup that meets another writer's version: every writer of the
 * day's hours meets there (steps, late calls' recounts, the sweep), so it tries longer, with jittered
 * pauses (about 8 s in all, at most 12.4 s, within the worker's 30 s), before the batch goes back to the
 * queue: a redrive of one account's late calls is as many writers at once as the worker has containers.
 */
const DAY_CONFLICT_TRIES = 14;
const COUNTERS = CALL_COUNTERS;
type Counters = CallCounters;

const blockOf = (seq: number) => Math.floor(seq / SEQ_BLOCK);

/**
 * The items an entry needs in a transaction: its seq block and its log page (or, without a sequence
 * number, a log item of its own), its rollups, and for a refund the ledger entry and the balance.
 * Entries of one account share most of them.
 */
function itemsOf(entry: UsageEntry, pages: PageFill): string[] {
  const { event, analytics } = entry;
  const { hour } = bucketsOf(event.at);
  const account = event.accountId;
  return [
    ...(event.seq === undefined ? [`LOG|${callIdentity(event)}`] : [`SEQ|${account}|${blockOf(event.seq)}`, `PAGE|${pages.peek(entry)}`]),
    `ROLLUP|${account}|${hour}|${event.product}`,
    ...(analytics ? [`ANALYTICS|${event.product}|${hour}`] : []),
    ...(event.outcome === 'refunded' ? [`REFUND|${callIdentity(event)}`, `BALANCE|${account}`] : []),
  ];
}

/**
 * From how many calls a second (the minute's admitted count so far over the seconds into it, plus
 * one) an account's calls are stored in pages. Below it a call goes to its slot, one plain conditional
 * write (shared by the slot's calls in the batch): an account that calls less often has about one
 * call in a worker batch, and a page would cost a seq block, a page and a rollup in a transaction —
 * six units — for it.
 */
export const PAGE_FROM_CALLS_PER_SECOND = 2;

/**
 * The span an admitted call's slot covers: a day for a call made after a long silence of its account
 * (the event's `lone`, set by the gateway from the admit write), so an account calling a few times a
 * day keeps one slot a day, not one an hour; an hour for the others. Decided by the event alone, as
 * the form is: every copy of a call goes to the same slot.
 */
export const slotPeriodOf = (event: Pick<UsageEntry['event'], 'lone'>) => (event.lone ? DAY_SLOTS : HOUR_SLOTS);

/**
 * Whether a call is stored in a page (guarded by its seq block, in a transaction) or in its slot or
 * as a single item (guarded by its entry or key). Decided by the event alone, so every copy of a call
 * takes the same form whatever batch it arrives in: a call is never both a page's and a slot's.
 */
export function storedInPage(event: UsageEntry['event']): boolean {
  // A refund needs the ledger in a transaction: it goes with its page, guarded by its seq block.
  if (event.outcome === 'refunded') return true;
  // Queued before events carried the minute's count: stored as then (pages; refused calls on their own key, in the transaction).
  if (event.used === undefined) return true;
  if (event.seq === undefined) return false;
  const secondsIntoMinute = (Date.parse(event.at) % 60_000) / 1000;
  return event.used / (secondsIntoMinute + 1) >= PAGE_FROM_CALLS_PER_SECOND;
}

/**
 * Calls of slots and single items are counted into their hour's rollup by the sweep once the hour is
 * over, and in steps, not one write each: about one refused call in TALLY_EVERY (by its request id)
 * makes the worker add what was recorded since the last step, up to STEP_LAG_MS ago (calls younger
 * than that may still be on their way in another batch). Admitted calls start no step: a step reads
 * the hour's slots whole. The usage reader adds what is not counted yet from the items themselves.
 * A call older than STEP_LAG_MS when it is written may belong to a span already counted: its hour is
 * counted again from scratch.
 */
export const TALLY_EVERY = 10;
/**
 * A week item's entries at most, in bytes: well under DynamoDB's 400 KB an item. A week of lone calls holds
 * at most six an hour, ~180 KB with six products an hour and long names; only days no day list finished,
 * with many products every hour, could pass it.
 */
export const WEEK_ITEM_MAX_BYTES = 300_000;
/** Sweep marks a container remembers before it forgets them (and marks again). */
const MAX_MARKED = 50_000;
/** BatchGetItem's ceiling. */
const BATCH_GET = 100;
export const STEP_LAG_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * The sweep counts an account's hour when it ends if its calls fill at least this many items (slots
 * of up to SLOT_CALLS calls, single items): the usage API would otherwise read them from their items
 * until the day is over. A quieter hour waits for the day's end, counted with the day's other hours in
 * one write.
 */
export const FINISH_AT_ONCE_ITEMS = 16;
/**
 * Admitted calls in one clock minute (the event's `used`) that mark the minute's hour busy on the
 * account's sweep-list entry. An hour of FINISH_AT_ONCE_ITEMS slots holds about eight calls a slot,
 * over 120 calls, and 60 minutes of at most two calls hold 120: such an hour has a minute of three.
 * (An hour whose fewer calls split into as many items, among many clients, is counted at the day's
 * end like a quiet one.) So the sweep reads nothing of the hours in which a quiet account called a
 * few times, or not at all — most of the hours of an account calling a few times a day.
 */
export const BUSY_MINUTE_CALLS = 3;
/**
 * How far back a sweep run finishes hours when the cursor is older: an hour so old that its day's
 * sweep list (3 days from the day's start) would expire before the run is over is left (its calls are
 * still read from their items by the usage API while they live).
 */
const MAX_CATCH_UP_MS = 2 * 86_400_000 - HOUR_MS - STEP_LAG_MS;
export { WEEK_LIST_MIN_RETENTION_DAYS };

/**
 * How far into an hour a run of the sweep that ran out of time got: every account of the sweep list's
 * shards before `shard`, and of `shard` up to and including `account` (in the list's order; none when
 * absent), is finished. At a seven-day period's last hour the day list's SWEEP_SHARDS shards are
 * followed by the week list's, numbered on from SWEEP_SHARDS.
 */
export interface SweepMark {
  hour: number;
  shard: number;
  account?: string;
}

/** How many listed accounts the sweep counts at once. */
const SWEEP_CONCURRENCY = 16;

/** A sweep run that could not finish some account hours (`<hour>|<accountId>: <why>`): every other was finished. */
export class SweepFailed extends Error {
  constructor(readonly failed: string[]) {
    super(`The usage sweep could not finish ${failed.length} account hour(s), first ${failed.slice(0, 5).join(', ')}`);
    this.name = 'SweepFailed';
  }
}
/** The hours (their starts) whose end plus STEP_LAG_MS falls after `since` and at or before `now` (epoch ms): a sweep at `now` finishes them. */
function closedHours(since: number, now: number): number[] {
  const hours: number[] = [];
  for (let hour = Math.floor((since - STEP_LAG_MS) / HOUR_MS) * HOUR_MS - HOUR_MS; hour + HOUR_MS + STEP_LAG_MS <= now; hour += HOUR_MS) {
    if (hour + HOUR_MS + STEP_LAG_MS > since) hours.push(hour);
  }
  return hours;
}
/** The last millisecond of the hour starting at `hour`: a rollup counted `through` it holds all of the hour's calls, and none of the next's. */
export const lastMsOf = (hour: number) => hour + HOUR_MS - 1;

/** What counting one hour takes: from where each of its products was counted (`counted`), up to `upTo`. */
interface HourPlan {
  hour: number;
  counted: Map<string, SinglesTally>;
  upTo: number;
  from: number;
  fromScratch: boolean;
}

/** The plan of an hour counted up to `until` over what `held` holds of it (none when there is nothing to count). */
function planHour(
  held: Map<number, Map<string, SinglesTally>>,
  { hour, until, fromScratch }: { hour: number; until: number; fromScratch: boolean },
): HourPlan | undefined {
  const counted = held.get(hour) ?? new Map<string, SinglesTally>();
  const throughs = [...counted.values()].map((t) => t.through);
  const upTo = fromScratch ? Math.max(until, ...throughs) : until;
  const from = fromScratch || counted.size === 0 ? hour - 1 : Math.min(...throughs);
  return upTo > from ? { hour, counted, upTo, from, fromScratch } : undefined;
}

/**
 * An hour's whole count per product after `plan`: what was counted, plus the calls (of any span: only the
 * hour's are taken) after each product's `through` up to `plan.upTo` — or all of them, from scratch.
 * Products counted before with nothing new still move their `through`, so readers skip the span.
 */
function countHour({ hour, counted, upTo, fromScratch }: HourPlan, calls: StoredCall[]): Map<string, SinglesTally> {
  const tallies = new Map<string, SinglesTally>();
  for (const [product, tally] of counted) tallies.set(product, fromScratch ? emptyTally(upTo) : { ...tally, through: upTo });
  for (const { log, analytics } of calls) {
    const at = Date.parse(log.at);
    if (at < hour || at > upTo) continue;
    const since = fromScratch ? hour - 1 : (counted.get(log.product)?.through ?? hour - 1);
    if (at <= since) continue;
    const tally = tallies.get(log.product) ?? emptyTally(upTo);
    const counters = countersOfCall(log);
    for (const name of COUNTERS) tally.counters[name] += counters[name];
    if (analytics) for (const name of ANALYTICS_COUNTERS) tally.analytics[name] += counters[name];
    tally.n++;
    tallies.set(log.product, tally);
  }
  return tallies;
}

/** A request id's share of the tally: about one in `every`, the same for every copy of the call. */
const tallies = (requestId: string, every: number) =>
  [...requestId].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7) % every === 0;

/** How a refused part of a transaction names the entries already recorded. */
type Guard = { kind: 'seq'; accountId: string; block: number; entries: UsageEntry[] } | { kind: 'entry'; entry: UsageEntry };

/**
 * Writes a batch of usage events exactly once, in as few transactions as DynamoDB allows. Per account
 * and clock minute, the calls' logs go into one compressed page item; the calls' sequence numbers
 * (from the gateway's admit write) are added to their seq block only if none is there yet, and the
 * counters are added to each hourly rollup once, summed. A refused call (no sequence number) gets a
 * log item of its own, put only if absent. A redelivered event makes its guard fail: the transaction is
 * cancelled, writes nothing, and is retried without that event — so nothing is counted twice or lost
 * half-way, and a batch of 1,000 calls by 25 accounts costs about 25 pages, 25 seq blocks and 25
 * rollups instead of 1,000 log items.
 */
export class DynamoDbUsageStore implements UsageStore {
  /** `<day>|<accountId>` marked for the sweep by this container (it only spares writes: a marker is put again elsewhere harmlessly). */
  private readonly marked = new Set<string>();
  /** `<day>|<accountId>|<hour of the day>` marked busy by this container (it only spares writes: adding an hour again changes nothing). */
  private readonly busyMarked = new Set<string>();
  /** Agent items this container has read or put, by `<pk>|<sk>`, with their user agents (it only spares reads: an agent never changes). */
  private readonly agents = new Map<string, string>();
  /** Agent items (`<pk>|<sk>`) whose agents this container's slot writes held themselves: met again, they are put and named. */
  private readonly inlined = new Set<string>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: UsageTables,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    /** The worker's clock (epoch ms): what a single's lateness is judged by. */
    private readonly now: () => number = Date.now,
    /** About one single call in this many starts a counting step (the bench compares others). */
    private readonly tallyEvery: number = TALLY_EVERY,
    /** The week item's entries at most (DynamoDB holds 400 KB an item): past it, the week's days are counted in day items. */
    private readonly weekItemMaxBytes: number = WEEK_ITEM_MAX_BYTES,
  ) {}

  async recordBatch(entries: UsageEntry[]): Promise<Set<string>> {
    const duplicates = new Set<string>();
    const unique = new Map<string, UsageEntry>();
    for (const entry of entries) {
      const id = callIdentity(entry.event);
      if (unique.has(id)) duplicates.add(id);
      else unique.set(id, entry);
    }
    const singles = [...unique.values()].filter((entry) => !storedInPage(entry.event));
    for (const id of await this.recordSingles(singles, [...unique.values()])) duplicates.add(id);
    // One account's events side by side, in admit order: its page, seq block and rollup then land in one transaction.
    const ordered = [...unique.values()]
      .filter((entry) => storedInPage(entry.event))
      .sort((a, b) =>
        a.event.accountId < b.event.accountId
          ? -1
          : a.event.accountId > b.event.accountId
            ? 1
            : (a.event.seq ?? 0) - (b.event.seq ?? 0) || (a.event.at < b.event.at ? -1 : 1),
      );
    for (const chunk of this.chunks(ordered)) {
      let pending = chunk;
      let conflicts = 0;
      while (pending.length) {
        const { items, guards } = this.transaction(pending);
        try {
          await this.client.send(new TransactWriteCommand({ TransactItems: items }));
          pending = [];
        } catch (error) {
          const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
          if (
            reasons.some((r) => r.Code === 'TransactionConflict') &&
            !reasons.some((r) => r.Code === 'ConditionalCheckFailed') &&
            ++conflicts < CONFLICT_TRIES
          ) {
            await this.pause(20 * 2 ** conflicts * (0.5 + Math.random()));
            continue;
          }
          if (reasons.some((r) => r.Code && !['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(r.Code))) throw error;
          const recordedBefore = new Set<UsageEntry>();
          for (const [index, reason] of reasons.entries()) {
            if (reason.Code !== 'ConditionalCheckFailed') continue;
            const guard = guards.get(index);
            if (guard?.kind === 'entry') recordedBefore.add(guard.entry);
            if (guard?.kind === 'seq') {
              const recorded = await this.recordedOffsets(guard, reason.Item);
              for (const entry of guard.entries) if (recorded.has(entry.event.seq! % SEQ_BLOCK)) recordedBefore.add(entry);
            }
          }
          if (recordedBefore.size === 0) throw error;
          for (const entry of recordedBefore) duplicates.add(callIdentity(entry.event));
          pending = pending.filter((entry) => !recordedBefore.has(entry));
        }
      }
    }
    return duplicates;
  }

  /**
   * Stores the calls of accounts that are not busy: admitted ones in their slots (one conditional
   * update per slot and batch), refused ones and those no slot had room for as single call items put
   * if absent — a redelivered call finds its entry or item and is a duplicate. Then counts into the
   * hours' rollups where a refused call asks for a step, or a call came late.
   */
  private async recordSingles(entries: UsageEntry[], batch: UsageEntry[]): Promise<string[]> {
    const duplicates: string[] = [];
    // An admitted call goes to its slot, its client holding its agent or naming the agent's item; refused calls alone.
    const admitted = entries.filter((entry) => entry.event.seq !== undefined);
    const inline = await this.clientForms(admitted);
    const alone = entries.filter((entry) => entry.event.seq === undefined);
    const slots = new Map<string, UsageEntry[]>();
    for (const entry of admitted) {
      const key = `${entry.event.accountId}|${slotSortKey(entry.event, entry.event.seq!, slotPeriodOf(entry.event))}`;
      slots.set(key, [...(slots.get(key) ?? []), entry]);
    }
    await inParallel([...slots.values()], 16, async (calls) => {
      const recorded = await this.recordSlot(calls, inline);
      duplicates.push(...recorded.duplicates);
      alone.push(...recorded.alone);
    });
    await inParallel(alone, 16, async ({ event, analytics }) => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tables.usageLogs,
            Item: singleCallItem(event.accountId, logOf(event), event.seq, analytics),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        duplicates.push(callIdentity(event));
      }
    });
    await this.markForSweep(entries, batch);
    // Lateness is judged once the calls are written, never by a clock read before: a step that read the hour
    // while a write was on its way counted at most up to STEP_LAG_MS before now, so a call it missed is late here.
    const now = this.now();
    // Duplicates too: their first delivery may have stopped before its step. A step reads the hour's
    // slots whole (they are keyed by its end), so admitted calls start none before the hour is over:
    // the sweep finishes it (one read of its slots); a late call has its hour counted again at once.
    const steps = new Map<string, { accountId: string; hour: number; fromScratch: boolean }>();
    for (const { event } of entries) {
      const at = Date.parse(event.at);
      const late = at <= now - STEP_LAG_MS;
      if (!late && (event.seq !== undefined || !tallies(event.requestId, this.tallyEvery))) continue;
      const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
      const key = `${event.accountId}|${hour}`;
      steps.set(key, { accountId: event.accountId, hour, fromScratch: late || (steps.get(key)?.fromScratch ?? false) });
      // A step also finishes the hour before, once it is STEP_LAG_MS past its end.
      if (!late && now - STEP_LAG_MS >= hour && !steps.has(`${event.accountId}|${hour - HOUR_MS}`)) {
        steps.set(`${event.accountId}|${hour - HOUR_MS}`, { accountId: event.accountId, hour: hour - HOUR_MS, fromScratch: false });
      }
    }
    // One count per account and day: its hours' steps read and write the day's rollup once.
    const days = new Map<string, { accountId: string; hours: { hour: number; until: number; fromScratch: boolean }[] }>();
    for (const step of steps.values()) {
      const key = `${step.accountId}|${singlesDayKey(step.accountId, step.hour).sk}`;
      const day = days.get(key) ?? days.set(key, { accountId: step.accountId, hours: [] }).get(key)!;
      day.hours.push({ hour: step.hour, until: Math.min(lastMsOf(step.hour), now - STEP_LAG_MS), fromScratch: step.fromScratch });
    }
    await inParallel([...days.values()], 8, (day) => this.tallyDay(day.accountId, day.hours));
    return duplicates;
  }

  /**
   * Adds calls of one slot (same account, hour and run of sequence numbers, any clients) to it with
   * one conditional update. When it is refused, the item it found tells why: calls already there are
   * duplicates (the rest is tried again); a client whose hash another client holds, or no room left,
   * sends calls to single items — no room only once the calls whose clients held their agents (those
   * in `inline`) have been tried naming them, the smaller form. Both are decided by what the slot
   * holds, which only grows (a client attribute, once set, never changes), so every copy of a call
   * ends where its first did. Two clients of one batch under the same hash are written one after the
   * other: the second finds the first's.
   */
  private async recordSlot(calls: UsageEntry[], inline: Set<UsageEntry>): Promise<{ duplicates: string[]; alone: UsageEntry[] }> {
    const duplicates: string[] = [];
    const alone: UsageEntry[] = [];
    const { accountId } = calls[0]!.event;
    const clientOfHash = new Map<string, string>();
    const later: UsageEntry[] = [];
    const now: UsageEntry[] = [];
    for (const entry of calls) {
      const hash = clientAttribute(clientHashOf(entry.event));
      const client = `${entry.event.keyId}\n${entry.event.userAgent}`;
      if ((clientOfHash.get(hash) ?? client) !== client) later.push(entry);
      else {
        clientOfHash.set(hash, client);
        now.push(entry);
      }
    }
    /** Calls refused together tried one by one; a single call refused for room (or size) is stored alone. */
    const oneAtATime = async (entries: UsageEntry[]) => {
      if (entries.length === 1) return void alone.push(entries[0]!);
      for (const entry of entries) {
        const one = await this.recordSlot([entry], inline);
        duplicates.push(...one.duplicates);
        alone.push(...one.alone);
      }
    };
    /**
     * Calls whose clients were to hold their agents themselves name the agents' items instead (put or
     * read first): what no longer fits is tried again so, and stored alone only if it does not fit
     * that way either — the smaller form, so whether a call fits still depends only on what its
     * slot holds. Returns whether any call changed form.
     */
    const named = async (entries: UsageEntry[]): Promise<boolean> => {
      const inlined = entries.filter((entry) => inline.has(entry));
      if (inlined.length === 0) return false;
      const placed = await this.placeAgents(inlined);
      for (const entry of inlined) {
        inline.delete(entry);
        if (!placed.has(entry)) alone.push(entry);
      }
      return true;
    };
    let pending = now;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= CONFLICT_TRIES + 2 * SLOT_CALLS) throw new Error(`Recording slot calls of ${accountId} kept being refused`);
      const { update, fits, clients } = slotUpdate(
        accountId,
        pending.map((entry) => ({ log: logOf(entry.event), seq: entry.event.seq!, analytics: entry.analytics, inline: inline.has(entry) })),
        slotPeriodOf(calls[0]!.event),
      );
      if (!fits) {
        if (await named(pending)) {
          pending = pending.filter((entry) => !alone.includes(entry));
          continue;
        }
        // Too large together for any slot: one at a time, and a call too large alone is stored alone.
        await oneAtATime(pending);
        break;
      }
      let found: Record<string, unknown> | undefined;
      try {
        await this.client.send(
          new UpdateCommand({ TableName: this.tables.usageLogs, ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
        );
        break;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // What the refusal returns is not unmarshalled by the document client.
        found = error.Item
          ? unmarshall(error.Item)
          : (await this.client.send(new GetCommand({ TableName: this.tables.usageLogs, Key: update.Key, ConsistentRead: true }))).Item;
      }
      if (!found) continue;
      const there = pending.filter(({ event }) => found[slotEntryName(event.seq!)] !== undefined);
      for (const { event } of there) duplicates.push(callIdentity(event));
      // A client attribute held by another client (same hash): its calls are stored alone.
      const taken = new Set(
        clients
          .filter(
            ({ name, forms }) =>
              found[name] !== undefined && forms.every((form) => Buffer.compare(Buffer.from(found[name] as Uint8Array), form) !== 0),
          )
          .map(({ name }) => name),
      );
      const rest = pending.filter((entry) => !there.includes(entry));
      const clashing = rest.filter(({ event }) => taken.has(clientAttribute(clientHashOf(event))));
      alone.push(...clashing);
      if (there.length || clashing.length) {
        pending = rest.filter((entry) => !clashing.includes(entry));
        continue;
      }
      // No room for all of them: named agents first, then one at a time, each call that no longer fits alone.
      if (await named(rest)) {
        pending = rest.filter((entry) => !alone.includes(entry));
        continue;
      }
      await oneAtATime(rest);
      break;
    }
    if (later.length) {
      const rest = await this.recordSlot(later, inline);
      duplicates.push(...rest.duplicates);
      alone.push(...rest.alone);
    }
    return { duplicates, alone };
  }

  /**
   * How each admitted call's client names its user agent in its slot. An agent this container has
   * not met in the call's account and hour, in one slot of the batch, is held by the client itself:
   * a call alone in its hour (or the first a container sees) then costs its slot's write and nothing
   * more. An agent met before, or in several slots at once, is put once as the hour's agent item
   * (placeAgents) and named by its id, so an hour's slots keep their room for calls; an agent whose
   * id another agent holds is held by its clients. Returns the calls whose clients hold their agents.
   */
  private async clientForms(entries: UsageEntry[]): Promise<Set<UsageEntry>> {
    const byAgent = new Map<string, { entries: UsageEntry[]; slots: Set<string> }>();
    const inline = new Set<UsageEntry>();
    for (const entry of entries) {
      // A day slot's calls are ten minutes apart or more, nearly always of one client: it holds the agent
      // once, where an agent item would cost a write for every day a container met the agent twice.
      if (slotPeriodOf(entry.event) === DAY_SLOTS) {
        inline.add(entry);
        continue;
      }
      const item = agentItem(entry.event.accountId, entry.event, HOUR_SLOTS);
      const id = `${item.pk}|${item.sk}`;
      const agent = byAgent.get(id) ?? { entries: [], slots: new Set<string>() };
      agent.entries.push(entry);
      agent.slots.add(slotSortKey(entry.event, entry.event.seq!));
      byAgent.set(id, agent);
    }
    const toPlace: UsageEntry[] = [];
    for (const [id, agent] of byAgent) {
      if (!this.agents.has(id) && !this.inlined.has(id) && agent.slots.size === 1) {
        this.inlined.add(id);
        for (const entry of agent.entries) inline.add(entry);
      } else toPlace.push(...agent.entries);
    }
    if (this.inlined.size > MAX_MARKED) this.inlined.clear();
    // An agent whose id another agent of the hour holds (six bytes of one hash) cannot be named: its client holds it.
    const named = await this.placeAgents(toPlace);
    for (const entry of toPlace) if (!named.has(entry)) inline.add(entry);
    return inline;
  }

  /**
   * Makes sure the agent item of each call's account, hour and user agent is there before a slot
   * entry names it: what this container has seen already costs nothing; the rest is read (eventually
   * consistent, half a read unit each: an agent never changes once put) and what is missing put if
   * absent or the same. Returns the calls whose agent is there; a call whose agent id another user
   * agent holds (two agents under six bytes of one hash, in one account and hour) is not among them,
   * and its client holds its agent instead — decided by the item, which never changes, so every copy
   * of the call is stored alike.
   */
  private async placeAgents(entries: UsageEntry[]): Promise<Set<UsageEntry>> {
    const wanted = new Map<string, { item: ReturnType<typeof agentItem>; entries: UsageEntry[] }>();
    for (const entry of entries) {
      const item = agentItem(entry.event.accountId, entry.event, slotPeriodOf(entry.event));
      const id = `${item.pk}|${item.sk}`;
      wanted.set(id, { item, entries: [...(wanted.get(id)?.entries ?? []), entry] });
    }
    const unknown = [...wanted.entries()].filter(([id]) => !this.agents.has(id));
    for (const found of await this.storedOf(
      unknown.map(([, { item }]) => item),
      'pk, sk, u',
    ))
      this.agents.set(`${found.pk}|${found.sk}`, String(found.u));
    await inParallel(
      unknown.filter(([id]) => !this.agents.has(id)),
      16,
      async ([id, { item }]) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tables.usageLogs,
              Item: item,
              ConditionExpression: 'attribute_not_exists(u) OR u = :u',
              ExpressionAttributeValues: { ':u': item.u },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          this.agents.set(id, item.u);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          // Another agent holds the id: what the refusal returns (or a read of it) says which.
          const holder = error.Item
            ? unmarshall(error.Item)
            : (
                await this.client.send(
                  new GetCommand({ TableName: this.tables.usageLogs, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
                )
              ).Item;
          this.agents.set(id, String(holder?.u));
        }
      },
    );
    const placed = new Set<UsageEntry>();
    for (const [id, { item, entries: calls }] of wanted) if (this.agents.get(id) === item.u) for (const call of calls) placed.add(call);
    if (this.agents.size > MAX_MARKED) this.agents.clear();
    return placed;
  }

  /**
   * Names each account with single calls on a day in that day's sweep list (one small item per
   * account and day), so the sweep finishes its hours if it stops calling — and an account's lone calls
   * (day slots) in its seven-day period's list instead (when the logs are kept WEEK_LIST_MIN_RETENTION_DAYS
   * or more): an account calling a few times a day then pays one entry a week, not one a day, and the
   * sweep finishes each of its days at the period's end. A container checks once a day (a week) per
   * account whether another has listed it already — half a read unit against a write unit, and
   * an account that calls a few times a day meets a different container nearly every time.
   * The hours of the day in which the account admitted BUSY_MINUTE_CALLS calls in a clock minute (seen
   * in any of the batch's events, paged ones too) are added to its entry (`h`, once an hour per
   * account and container): only those hours may hold the FINISH_AT_ONCE_ITEMS items the sweep
   * finishes at once, so it looks into no other (see finishHour).
   * Written after the calls' items, so a batch that fails before is retried with its marks; duplicates
   * are marked too (their first delivery may have stopped before marking). Updates, never puts: a
   * container listing an account does not drop the hours another added.
   */
  private async markForSweep(entries: UsageEntry[], batch: UsageEntry[]): Promise<void> {
    const fresh = new Map<string, ReturnType<typeof sweepMarkerItem>>();
    const byWeek = usageLogRetentionDays() >= WEEK_LIST_MIN_RETENTION_DAYS;
    for (const { event } of entries) {
      const item =
        event.lone && byWeek
          ? sweepWeekMarkerItem(Date.parse(event.at), event.accountId)
          : sweepMarkerItem(event.at.slice(0, 10), event.accountId);
      const id = `${item.pk}|${event.accountId}`;
      if (!this.marked.has(id)) fresh.set(id, item);
    }
    // Busy minutes are seen in the whole batch: most of a busy minute's calls go to pages.
    const busy = new Map<string, { item: ReturnType<typeof sweepMarkerItem>; hours: Set<number>; ids: string[] }>();
    for (const { event } of batch) {
      const item = sweepMarkerItem(event.at.slice(0, 10), event.accountId);
      const id = `${item.pk}|${event.accountId}`;
      const hour = Number(event.at.slice(11, 13));
      if ((event.used ?? 0) < BUSY_MINUTE_CALLS || this.busyMarked.has(`${id}|${hour}`)) continue;
      const marks = busy.get(id) ?? { item, hours: new Set<number>(), ids: [] };
      if (!marks.hours.has(hour)) marks.ids.push(`${id}|${hour}`);
      marks.hours.add(hour);
      busy.set(id, marks);
    }
    const listed = new Set((await this.storedOf([...fresh.values()], 'pk, sk')).map((item) => `${item.pk}|${item.sk}`));
    const writes = new Map<string, { item: ReturnType<typeof sweepMarkerItem>; hours?: Set<number> }>();
    for (const [id, item] of fresh) if (!listed.has(`${item.pk}|${item.sk}`)) writes.set(id, { item });
    for (const [id, { item, hours }] of busy) writes.set(id, { item, hours });
    await inParallel([...writes.values()], 16, ({ item: { pk, sk, expiresAt }, hours }) =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tables.usageLogs,
          Key: { pk, sk },
          UpdateExpression: `SET expiresAt = if_not_exists(expiresAt, :expires)${hours ? ' ADD h :hours' : ''}`,
          ExpressionAttributeValues: { ':expires': expiresAt, ...(hours ? { ':hours': hours } : {}) },
        }),
      ),
    );
    if (this.marked.size + fresh.size > MAX_MARKED) this.marked.clear();
    for (const id of fresh.keys()) this.marked.add(id);
    if (this.busyMarked.size > MAX_MARKED) this.busyMarked.clear();
    for (const { ids } of busy.values()) for (const id of ids) this.busyMarked.add(id);
  }

  /** Which of these usage-log items are stored: eventually consistent BatchGetItems of `projection`, unprocessed keys retried. */
  private async storedOf(items: { pk: unknown; sk: unknown }[], projection: string): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < items.length; i += BATCH_GET) {
      let keys = items.slice(i, i + BATCH_GET).map(({ pk, sk }) => ({ pk, sk }));
      for (let attempt = 0; keys.length; attempt++) {
        if (attempt > 0) await this.pause(20 * 2 ** Math.min(attempt, 6));
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tables.usageLogs]: { Keys: keys, ProjectionExpression: projection } } }),
        );
        found.push(...(Responses?.[this.tables.usageLogs] ?? []));
        keys = (UnprocessedKeys?.[this.tables.usageLogs]?.Keys ?? []) as typeof keys;
      }
    }
    return found;
  }

  /**
   * A run of the sweep at `now` (epoch ms): finishes the hours that closed since the last run got to
   * (the sweep cursor), so each hour is finished once and the hours of a run that failed are finished
   * by the next — at most MAX_CATCH_UP_MS back, the sweep lists' life; `firstSince` on the first run
   * of a stack. The cursor moves past each hour as it is finished (a run that times out catching up
   * keeps what it did) and only forward, so runs that overlap leave it at the later. An account whose
   * hour cannot be counted holds the cursor at that hour (the next runs try it again, and finish the
   * hours after it again, which counts nothing twice) but no other account: the run finishes every
   * other account and hour, then fails naming it, so the function's error alarm says so.
   * `timeLeft` (the invocation's): once it says no, the run takes no further account, and the cursor
   * keeps how far into the hour it got (its mark: the sweep list's shard and account, in list order),
   * so the next run goes on from there instead of reading the finished accounts again — a day's end
   * with more listed accounts than one run can count takes as many runs as it needs, each doing new work.
   */
  async sweep(
    now: number,
    firstSince: number,
    timeLeft: () => boolean = () => true,
  ): Promise<{ hours: number; accounts: number; since: number; stoppedAt?: SweepMark }> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.usageAggregates, Key: ITEMS.sweepCursor.key({}), ConsistentRead: true }),
    );
    const cursor = Item?.through !== undefined ? Number(Item.through) : firstSince;
    const since = Math.max(cursor, now - MAX_CATCH_UP_MS);
    // Down longer than the catch-up: the hours before `since` are left, a period's end maybe among them. Its week
    // list is kept three days past the period, so its days are finished as its pass would have (a run out of time
    // meanwhile starts over at the next, the accounts it finished one read each).
    if (cursor < since) await this.finishWeekLists(now, timeLeft);
    const mark: SweepMark | undefined =
      Item?.hour !== undefined
        ? { hour: Number(Item.hour), shard: Number(Item.shard), ...(Item.account === undefined ? {} : { account: String(Item.account) }) }
        : undefined;
    const result = await this.finishHours(since, now, (hour) => this.moveSweepCursor(hour + HOUR_MS + STEP_LAG_MS), {
      timeLeft,
      resume: mark,
      stopped: (at) => this.markSweep(at),
    });
    if (!result.stoppedAt) await this.moveSweepCursor(now);
    return { ...result, since };
  }

  /** Keeps how far into its first unfinished hour a run that ran out of time got; moving the cursor past the hour drops it. */
  private async markSweep(mark: SweepMark): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tables.usageAggregates,
        Key: ITEMS.sweepCursor.key({}),
        UpdateExpression: `SET #hour = :hour, #shard = :shard${mark.account === undefined ? ' REMOVE #account' : ', #account = :account'}`,
        ExpressionAttributeNames: { '#hour': 'hour', '#shard': 'shard', '#account': 'account' },
        ExpressionAttributeValues: {
          ':hour': mark.hour,
          ':shard': mark.shard,
          ...(mark.account === undefined ? {} : { ':account': mark.account }),
        },
      }),
    );
  }

  private async moveSweepCursor(through: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.usageAggregates,
          Item: { ...ITEMS.sweepCursor.key({}), through },
          ConditionExpression: 'attribute_not_exists(through) OR through < :through',
          ExpressionAttributeValues: { ':through': through },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * The sweep: finishes the single calls' rollups of every hour that closed (its end STEP_LAG_MS ago)
   * between `since` and `now` (epoch ms), for each account in the hour's day's sweep list — what an
   * account that stopped calling left uncounted is counted, and each rollup's `through` moves to the
   * hour's end, so readers stop reading the hour's single items. Counting is exactly once whoever
   * runs it (the rollups' versions), so a sweep run twice or beside a worker's step counts nothing twice.
   * `finished` is told of each hour in turn while every account of it and of the hours before was finished.
   * With `run.timeLeft`, a run stops taking accounts once it says no and tells `run.stopped` the mark
   * it got to; `run.resume` (that mark) starts the hour it names after the accounts it covers.
   */
  async finishHours(
    since: number,
    now: number,
    finished?: (hour: number) => Promise<void>,
    run: { timeLeft?: () => boolean; resume?: SweepMark; stopped?: (mark: SweepMark) => Promise<void> } = {},
  ): Promise<{ hours: number; accounts: number; stoppedAt?: SweepMark }> {
    const hours = closedHours(since, now);
    let accounts = 0;
    let done = 0;
    const failed: string[] = [];
    for (const hour of hours) {
      const outcome = await this.finishHour(hour, run.timeLeft ?? (() => true), run.resume?.hour === hour ? run.resume : undefined);
      accounts += outcome.accounts;
      failed.push(...outcome.failed);
      if (outcome.stoppedAt) {
        await run.stopped?.(outcome.stoppedAt);
        if (failed.length) throw new SweepFailed(failed);
        return { hours: done, accounts, stoppedAt: outcome.stoppedAt };
      }
      done++;
      if (!failed.length) await finished?.(hour);
    }
    if (failed.length) throw new SweepFailed(failed);
    return { hours: hours.length, accounts };
  }

  /**
   * Finishes one closed hour for every account on its day's sweep list: how many were listed, and
   * `<hour>|<accountId>: <why>` of each that failed. An account whose hour holds at least
   * FINISH_AT_ONCE_ITEMS items of calls has the day's hours up to it counted now (so the usage API does
   * not read many calls from their items); the others' hours wait for the day's last hour, when
   * every account listed that day has its day finished: one write a day for a quiet account, not one
   * an hour. Meanwhile the usage API reads those hours' few calls from their items.
   * The list is read shard by shard, in order, from `resume` (the accounts it covers are finished); once
   * `timeLeft` says no, no further account is taken, and `stoppedAt` is the mark of the accounts finished
   * without a gap before the first that is not (so one that failed, or was not reached, is taken again).
   */
  private async finishHour(
    hour: number,
    timeLeft: () => boolean,
    resume?: SweepMark,
  ): Promise<{ accounts: number; failed: string[]; stoppedAt?: SweepMark }> {
    const day = new Date(hour).toISOString().slice(0, 10);
    // Logs kept less than two days could expire before their day's end is swept (or a late run makes it up): every hour at its end then.
    const atOnce = (hour + HOUR_MS) % DAY_MS === 0 || usageLogRetentionDays() < 2;
    let accounts = 0;
    const failed: string[] = [];
    // Where the first account that failed leaves the mark: a run that stops later in the list may not pass it.
    let beforeFailure: SweepMark | undefined;
    // The week list after the day's: at its period's last hour — or at each day's end while the logs are kept too
    // briefly for a week to wait (entries made before the retention was shortened).
    const weekly =
      (hour + HOUR_MS) % WEEK_MS === 0 || ((hour + HOUR_MS) % DAY_MS === 0 && usageLogRetentionDays() < WEEK_LIST_MIN_RETENTION_DAYS);
    const week = new Date(weekEndOf(hour)).toISOString().slice(0, 10);
    for (let shard = resume?.shard ?? 0; shard < (weekly ? 2 * SWEEP_SHARDS : SWEEP_SHARDS); shard++) {
      const after = shard === resume?.shard ? resume.account : undefined;
      const ofWeek = shard >= SWEEP_SHARDS;
      const partition = ofWeek ? sweepWeekPartition(week, shard - SWEEP_SHARDS) : sweepPartition(day, shard);
      // Strongly consistent: an account's first call of the day (or week) may be listed moments before this read, inside
      // its hour's step lag, and a list read that missed it would leave the day unfinished for good.
      const listed = await queryAll(this.client, {
        TableName: this.tables.usageLogs,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ProjectionExpression: 'sk, h',
        ConsistentRead: true,
        ...(after === undefined ? {} : { ExclusiveStartKey: { pk: partition, sk: after } }),
      });
      const finished = listed.map(() => false);
      const taken = await inParallel(
        listed,
        SWEEP_CONCURRENCY,
        async (item, i) => {
          const accountId = String(item.sk);
          try {
            if (ofWeek) {
              await this.finishWeek(accountId, hour);
              finished[i] = true;
              return;
            }
            // Listed for its day from its first call, an account calling a few times a day made no call in most of its
            // hours, and a few calls in the others: only an hour its entry marks busy may hold enough items to finish
            // now, and one small read says whether it does, before any consistent read or write.
            const busy = (item.h as Set<number> | undefined)?.has(new Date(hour).getUTCHours()) === true;
            if (atOnce || (busy && (await this.itemsIn(accountId, hour)) >= FINISH_AT_ONCE_ITEMS)) await this.tallyDay(accountId, [], hour);
            finished[i] = true;
          } catch (error) {
            failed.push(`${new Date(hour).toISOString()}|${accountId}: ${error instanceof Error ? error.message : String(error)}`);
          }
        },
        timeLeft,
      );
      accounts += taken;
      const gap = finished.indexOf(false);
      const upToGap = (): SweepMark => {
        const account = gap > 0 ? String(listed[gap - 1]!.sk) : after;
        return { hour, shard, ...(account === undefined ? {} : { account }) };
      };
      if (taken < listed.length) return { accounts, failed, stoppedAt: beforeFailure ?? upToGap() };
      if (gap >= 0) beforeFailure ??= upToGap();
    }
    return { accounts, failed };
  }

  /**
   * Finishes every day closed by `now` (epoch ms; its end STEP_LAG_MS ago) of the accounts on the week
   * lists of its seven-day period and the one before, as the sweep does at a period's end. A day of lone
   * calls waits there uncounted until then, its items its only record: `ops usage retention` calls this
   * before it shortens their expiry, so none expires uncounted; a sweep run after an outage longer than
   * its catch-up, for the period's end it skipped. Returns how many entries it took (none once `timeLeft`
   * says no).
   */
  async finishWeekLists(now: number, timeLeft: () => boolean = () => true): Promise<number> {
    const lastHour = Math.floor((now - STEP_LAG_MS) / DAY_MS) * DAY_MS - HOUR_MS;
    let accounts = 0;
    for (const hour of [weekEndOf(lastHour) + 1 - WEEK_MS - HOUR_MS, lastHour]) {
      const week = new Date(weekEndOf(hour)).toISOString().slice(0, 10);
      for (let shard = 0; shard < SWEEP_SHARDS; shard++) {
        const listed = await queryAll(this.client, {
          TableName: this.tables.usageLogs,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': sweepWeekPartition(week, shard) },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
        });
        accounts += await inParallel(listed, SWEEP_CONCURRENCY, (item) => this.finishWeek(String(item.sk), hour), timeLeft);
      }
    }
    return accounts;
  }

  /**
   * Finishes each day of a week-listed account's seven-day period that holds calls, up to the day of
   * `hour`, as a day list finishes its accounts at the day's end — but all of them in one item, the
   * period's (`ITEMS.singlesWeek`): one strongly consistent read of the period's calls (both slot
   * ranges), which says which days hold calls, one of those days' rollups and one of the week item, then
   * one write of the week item, under its version as any count (one that meets another writer reads
   * again). An account calling a few times a day pays three queries and a write of a few hundred bytes
   * a day's calls a week, not a write a day; a day finished already (its day list, a run before) costs
   * nothing more. Strongly consistent: a call of the last hour may be written up to STEP_LAG_MS after its
   * end, a moment before this read, and an eventually consistent one could miss its day's only item — a
   * day no later pass would finish.
   */
  private async finishWeek(accountId: string, hour: number): Promise<void> {
    const through = lastMsOf(hour);
    const key = singlesWeekKey(accountId, hour);
    for (let attempt = 0; attempt < DAY_CONFLICT_TRIES; attempt++) {
      const calls = await this.singlesBetween(accountId, weekStartOf(hour) - 1, through);
      const days = [...new Set(calls.map(({ log }) => log.at.slice(0, 10)))].sort();
      if (!days.length) return;
      const [rollups, { Item: week }] = await Promise.all([
        queryAll(this.client, {
          TableName: this.tables.usageAggregates,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          FilterExpression: 'attribute_exists(h) OR attribute_exists(through)',
          ExpressionAttributeValues: { ':pk': key.pk, ':first': days[0], ':last': `${days.at(-1)}\uffff` },
          ConsistentRead: true,
        }),
        this.client.send(new GetCommand({ TableName: this.tables.usageAggregates, Key: key, ConsistentRead: true })),
      ]);
      const items = week ? [...rollups, week] : rollups;
      const held = singlesHeld(items);
      const finished = finishedDays(items);
      // Each day's hours from where it was finished (its day item, this item) to its end, or the pass's hour.
      const plans = days.flatMap((day) => {
        const start = Date.parse(`${day}T00:00:00Z`);
        const first = Math.max(start, (finished.get(day) ?? -Infinity) + 1);
        return Array.from({ length: Math.max(0, (Math.min(start + DAY_MS, through + 1) - first) / HOUR_MS) }, (_, i) =>
          planHour(held, { hour: first + i * HOUR_MS, until: lastMsOf(first + i * HOUR_MS), fromScratch: false }),
        ).flatMap((plan) => plan ?? []);
      });
      const entries: Record<string, string> = { ...((week?.h as Record<string, string> | undefined) ?? {}) };
      let changed = false;
      for (const plan of plans) {
        const tallies = countHour(plan, calls);
        if (!tallies.size) continue;
        changed = true;
        const prefix = weekEntryName(plan.hour, '');
        for (const name of Object.keys(entries)) if (name.startsWith(prefix)) delete entries[name];
        for (const [product, tally] of tallies) entries[weekEntryName(plan.hour, product)] = encodeTally(tally);
      }
      // Every day that holds calls was finished already (its day list, a run before).
      if (!changed) return;
      // Many products every hour of days no day list finished (a long outage): too much for one item. The days are
      // counted in day items, as before the week item (both are whole counts: readers take the fresher).
      if (Buffer.byteLength(JSON.stringify(entries)) > this.weekItemMaxBytes) {
        for (const day of days) await this.tallyDay(accountId, [], Math.min(Date.parse(`${day}T23:00:00Z`), hour));
        return;
      }
      if (await this.putCount(key, week, { h: entries, f: Math.max(through, Number(week?.f ?? 0)) })) return;
      // Another pass counted meanwhile (an overlapping run, `ops usage retention`): read again, after a jittered pause.
      if (attempt + 1 < DAY_CONFLICT_TRIES) await this.conflictPause(attempt);
    }
    throw new Error(`Counting the single calls of ${accountId} in the period to ${key.sk.slice(2)} kept meeting other writers`);
  }

  /**
   * Counts an account's single calls (slots and single call items) of some hours of one UTC day into
   * the day's singles rollup (`ITEMS.singlesDay`): each hour up to its `until` (epoch ms), from where
   * each of its products was counted through — or from scratch, for a late call — exactly once: the
   * day item carries one version, and a write meeting another writer's version reads again and
   * retries. One read of the day's rollups, one of the calls since the earliest hour's `through`, one
   * write for all the hours, so an hour's products are counted all or none.
   * `finishThrough` (the sweep): every hour of the day up to and including that one, from where the day
   * was finished through (`f`), is counted to its end, and `f` moves there — readers then know the
   * day's hours up to it are counted, those without entries empty.
   * An hour counted in the hourly form of earlier versions (`<hour>#<product>#S`) and not yet in the
   * day's is taken over from it. Once the day item holds an hour, that is the hour's count for every
   * reader and writer (`singlesHeld`), whatever an earlier worker still adds to the hourly form during
   * a deploy: the day's count goes on from its own `through`, so nothing is counted twice.
   */
  private async tallyDay(
    accountId: string,
    hours: { hour: number; until: number; fromScratch: boolean }[],
    finishThrough?: number,
  ): Promise<void> {
    const key = singlesDayKey(accountId, finishThrough ?? hours[0]!.hour);
    const dayStart = Date.parse(`${key.sk.slice(0, 10)}T00:00:00Z`);
    for (let attempt = 0; attempt < DAY_CONFLICT_TRIES; attempt++) {
      const { day, held } = await this.singlesRollupsOf(accountId, dayStart);
      const finishedThrough = Number(day?.f ?? dayStart - 1);
      const wanted =
        finishThrough === undefined
          ? hours
          : Array.from({ length: Math.max(0, (finishThrough - (finishedThrough + 1)) / HOUR_MS + 1) }, (_, i) => {
              const hour = finishedThrough + 1 + i * HOUR_MS;
              return { hour, until: lastMsOf(hour), fromScratch: false };
            });
      const plans = wanted.flatMap((hour) => planHour(held, hour) ?? []);
      if (!plans.length) return;
      const calls = await this.singlesBetween(accountId, Math.min(...plans.map((p) => p.from)), Math.max(...plans.map((p) => p.upTo)));
      const entries: Record<string, string> = { ...((day?.h as Record<string, string> | undefined) ?? {}) };
      let changed = false;
      for (const plan of plans) {
        const { hour } = plan;
        const tallies = countHour(plan, calls);
        if (!tallies.size) continue;
        changed = true;
        // The hour's entries replace what the day held of it (an hour taken over from the hourly form moves here whole).
        const prefix = entryName(hour, '');
        for (const name of Object.keys(entries)) if (name.startsWith(prefix)) delete entries[name];
        for (const [product, tally] of tallies) entries[entryName(hour, product)] = encodeTally(tally);
      }
      // Nothing counted: the hours were empty, and readers find them so at the price of that one read too.
      if (!changed) return;
      const finished = finishThrough === undefined ? day?.f : lastMsOf(finishThrough);
      if (await this.putCount(key, day, { h: entries, ...(finished === undefined ? {} : { f: finished }) })) return;
      // Another writer counted meanwhile: read again and count from where it got to — after a jittered pause, as the
      // day's one item has every writer of the day's hours meet (a redrive of a day's late calls is many at once).
      if (attempt + 1 < DAY_CONFLICT_TRIES) await this.conflictPause(attempt);
    }
    throw new Error(`Counting the single calls of ${accountId} on ${key.sk.slice(0, 10)} kept meeting other writers`);
  }

  /**
   * Writes a count (a day's or a period's singles rollup) under the next version of `held`, the item as it was read
   * (none: it must still not exist): false when another writer wrote it since.
   */
  private async putCount(key: { pk: string; sk: string }, held: Record<string, unknown> | undefined, count: Record<string, unknown>) {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.usageAggregates,
          Item: { ...key, v: Number(held?.v ?? 0) + 1, ...count },
          ConditionExpression: held ? 'v = :held' : 'attribute_not_exists(v)',
          ...(held ? { ExpressionAttributeValues: { ':held': held.v } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The jittered pause before a count that met another writer reads again. */
  private conflictPause = (attempt: number) => this.pause(Math.min(20 * 2 ** attempt, 1_000) * (0.5 + Math.random()));

  /**
   * What an account's singles rollups of the day of `hour` hold, read strongly consistent in one query:
   * the day item, and each hour's count per product — the day item's entries for an hour it holds,
   * else the hour's rollups in the hourly form of earlier versions.
   */
  private async singlesRollupsOf(
    accountId: string,
    hour: number,
  ): Promise<{ day?: Record<string, unknown>; held: Map<number, Map<string, SinglesTally>> }> {
    const key = singlesDayKey(accountId, hour);
    const items = await queryAll(this.client, {
      TableName: this.tables.usageAggregates,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
      // The day item, and singles rollups of the hourly form (pages' rollups have no `through`).
      FilterExpression: 'attribute_exists(h) OR attribute_exists(through)',
      ExpressionAttributeValues: { ':pk': key.pk, ':day': key.sk.slice(0, 10) },
      ConsistentRead: true,
    });
    const day = items.find((item) => item.sk === key.sk);
    return { day, held: singlesHeld(items) };
  }

  /**
   * How many items (slots, single calls, agents) are stored in the key range of an account's calls of
   * an hour (the hour-slot range `singlesBetween` reads for it), up to FINISH_AT_ONCE_ITEMS: keys only,
   * eventually consistent — half a read unit. The sweep runs minutes after the hour's end. Day slots
   * are not probed: they hold calls ten minutes apart or more, at most six of an hour, never what
   * makes an hour worth counting at once.
   */
  private async itemsIn(accountId: string, hour: number): Promise<number> {
    const [{ lower, upper }] = callRanges(hour, lastMsOf(hour));
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.usageLogs,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :until',
        ExpressionAttributeValues: { ':pk': logPartition(accountId), ':from': lower, ':until': upper },
        ProjectionExpression: 'sk',
        Limit: FINISH_AT_ONCE_ITEMS,
      }),
    );
    return Items.length;
  }

  /** An account's calls stored in slots and single call items made after `from` and up to `until` (epoch ms), with their analytics mark. */
  private async singlesBetween(accountId: string, from: number, until: number): Promise<StoredCall[]> {
    const found: StoredCall[] = [];
    const firstCopy = onceEach();
    // From the millisecond after `from`: the slots of the hour before end at `from` when it is an hour's start minus one.
    for (const item of await itemsHoldingCalls(this.client, this.tables.usageLogs, accountId, { from: from + 1, until, consistent: true }))
      for (const call of callsOfItem(item)) {
        const at = Date.parse(call.log.at);
        // Once per call, even if a redelivery straddling a deploy that changed the form stored it twice.
        if (firstCopy(call) && at > from && at <= until) found.push(call);
      }
    return found;
  }

  /** The offsets a seq block holds: from the item DynamoDB returned with the refusal, or read again. */
  private async recordedOffsets(
    guard: Extract<Guard, { kind: 'seq' }>,
    returned: Record<string, unknown> | undefined,
  ): Promise<Set<number>> {
    const raw = (returned as { s?: { NS?: string[] } } | undefined)?.s?.NS;
    if (raw) return new Set(raw.map(Number));
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.usageLogs,
        Key: { pk: logPartition(guard.accountId), sk: seqBlockSortKey(guard.block) },
        ConsistentRead: true,
      }),
    );
    return new Set([...((Item?.s as Set<number> | undefined) ?? [])].map(Number));
  }

  /** Splits the batch so that no transaction exceeds DynamoDB's item or size limit. */
  private *chunks(entries: UsageEntry[]): Generator<UsageEntry[]> {
    let chunk: UsageEntry[] = [];
    let items = new Set<string>();
    let pages = new PageFill();
    let bytes = 0;
    for (const entry of entries) {
      let needed = itemsOf(entry, pages);
      if (
        chunk.length &&
        (items.size + needed.filter((key) => !items.has(key)).length > MAX_TRANSACTION_ITEMS ||
          bytes + logBytes(entry) > TRANSACTION_MAX_BYTES)
      ) {
        yield chunk;
        [chunk, items, pages, bytes] = [[], new Set(), new PageFill(), 0];
        needed = itemsOf(entry, pages);
      }
      chunk.push(entry);
      for (const key of needed) items.add(key);
      bytes += logBytes(entry);
      if (entry.event.seq !== undefined) pages.place(entry);
    }
    if (chunk.length) yield chunk;
  }

  private transaction(entries: UsageEntry[]): { items: TransactItem[]; guards: Map<number, Guard> } {
    const items: TransactItem[] = [];
    const guards = new Map<number, Guard>();
    const blocks = new Map<string, Extract<Guard, { kind: 'seq' }>>();
    const pages = new Map<string, { accountId: string; minute: string; logs: UsageEntry[] }>();
    const fill = new PageFill();
    const rollups = new Map<string, { pk: string; sk: string; product: string; bucket: string; counters: Counters }>();
    const refunds = new Map<string, number>();

    const addRollup = (pk: string, bucket: string, product: string, counters: Counters) => {
      const sk = `${bucket}#${product}`;
      const existing = rollups.get(`${pk}|${sk}`);
      if (!existing) rollups.set(`${pk}|${sk}`, { pk, sk, product, bucket, counters: { ...counters } });
      else for (const name of COUNTERS) existing.counters[name] += counters[name];
    };

    for (const entry of entries) {
      const { event } = entry;
      if (event.seq === undefined) {
        guards.set(items.length, { kind: 'entry', entry });
        items.push({
          Put: {
            TableName: this.tables.usageLogs,
            Item: logPageItem(event.accountId, singleSortKey(event), [logOf(event)]),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      } else {
        const blockKey = `${event.accountId}|${blockOf(event.seq)}`;
        const block = blocks.get(blockKey) ?? { kind: 'seq' as const, accountId: event.accountId, block: blockOf(event.seq), entries: [] };
        block.entries.push(entry);
        blocks.set(blockKey, block);
        const pageKey = fill.place(entry);
        const page = pages.get(pageKey) ?? { accountId: event.accountId, minute: minuteOf(event.at), logs: [] };
        page.logs.push(entry);
        pages.set(pageKey, page);
      }
      const counters = countersOfCall(entry.event);
      const { hour } = bucketsOf(event.at);
      // Hourly only: a day is summed from its hours when read (DynamoDbUsageReader), not written twice.
      addRollup(ITEMS.hourlyUsage.pk({ accountId: event.accountId }), hour, event.product, counters);
      if (entry.analytics) addRollup(ITEMS.productAnalytics.pk({ product: event.product }), hour, event.product, counters);
      if (counters.refundedMicro) {
        guards.set(items.length, { kind: 'entry', entry });
        items.push({
          Put: {
            TableName: this.tables.ledger,
            Item: {
              ...ITEMS.ledgerEntry.key({ accountId: event.accountId, at: event.at, entryId: event.requestId }),
              entryId: event.requestId,
              type: 'refund',
              amountMicro: counters.refundedMicro,
              reason: `Upstream of ${event.product} failed (HTTP ${event.status})`,
              ref: event.requestId,
              at: event.at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        refunds.set(event.accountId, (refunds.get(event.accountId) ?? 0) + counters.refundedMicro);
      }
    }

    for (const block of blocks.values()) {
      const offsets = block.entries.map((entry) => entry.event.seq! % SEQ_BLOCK);
      guards.set(items.length, block);
      items.push({
        Update: {
          TableName: this.tables.usageLogs,
          Key: { pk: logPartition(block.accountId), sk: seqBlockSortKey(block.block) },
          // Added only if none of the offsets is there: a redelivered call is refused here, and with it the transaction.
          UpdateExpression: 'ADD #s :offsets SET expiresAt = :expires',
          ConditionExpression: `NOT (${offsets.map((_, i) => `contains(#s, :o${i})`).join(' OR ')})`,
          ExpressionAttributeNames: { '#s': 's' },
          ExpressionAttributeValues: {
            ':offsets': new Set(offsets),
            // Kept as long as the logs it guards.
            ':expires': expiryOf(block.entries.map((entry) => entry.event)),
            ...Object.fromEntries(offsets.map((offset, i) => [`:o${i}`, offset])),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    for (const page of pages.values()) {
      const firstSeq = Math.min(...page.logs.map((entry) => entry.event.seq!));
      const logs = page.logs.map((entry) => logOf(entry.event));
      items.push({
        Put: { TableName: this.tables.usageLogs, Item: logPageItem(page.accountId, pageSortKey(newestAt(logs), firstSeq), logs) },
      });
    }
    for (const rollup of rollups.values()) {
      // Every attribute goes through a placeholder: several (bucket, errors) are reserved words.
      items.push({
        Update: {
          TableName: this.tables.usageAggregates,
          Key: { pk: rollup.pk, sk: rollup.sk },
          UpdateExpression: `SET #product = :product, #bucket = :bucket ADD ${COUNTERS.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
          ExpressionAttributeNames: {
            '#product': 'product',
            '#bucket': 'bucket',
            ...Object.fromEntries(COUNTERS.map((n, i) => [`#c${i}`, n])),
          },
          ExpressionAttributeValues: {
            ':product': rollup.product,
            ':bucket': rollup.bucket,
            ...Object.fromEntries(COUNTERS.map((n, i) => [`:c${i}`, rollup.counters[n]])),
          },
        },
      });
    }
    for (const [accountId, amount] of refunds) {
      items.push({
        Update: {
          TableName: this.tables.ledger,
          Key: balanceKey(accountId),
          UpdateExpression: 'ADD balance :refund',
          ExpressionAttributeValues: { ':refund': amount },
        },
      });
    }
    return { items, guards };
  }
}

/**
 * Reads an account's settings. An account whose item is gone (erased) or marked by its erasure
 * (`erasingSince`, set when access stops) is `erased`; its calls are not recorded.
 */
export class DynamoDbAccountSettings implements AccountSettingsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly accountsTable: string,
  ) {}

  async of(accountId: string): Promise<AccountSettings> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.accountsTable,
        Key: ITEMS.account.key({ accountId }),
        ProjectionExpression: 'pk, preferences, email, erasingSince',
      }),
    );
    if (!Item || Item.erasingSince !== undefined) return { erased: true, analytics: false };
    const threshold = Item.preferences?.lowBalanceCredits;
    return {
      analytics: Item.preferences?.analytics === true,
      lowBalanceMicro: typeof threshold === 'string' ? creditsToMicro(threshold) : undefined,
      email: Item.email,
    };
  }
}

/**
 * The notice's state on the account's balance item in the ledger table (`noticeArmed`, and `noticeSentAt`
 * when it was last sent), beside the balance it watches: the gateway's admit write returns the item as it
 * was, so a lone call learns the state with the debit and reads nothing (docs/architecture.md, "Lone calls").
 * The worker asks for a claim or a re-arm once a batch for every account that watches its balance, and
 * nearly always the state is already what it asks for. A conditional write refused costs a write unit —
 * for an account calling once an hour, as much as its log — so the state is read first (an eventually
 * consistent read, half a read unit) and written only when it changes. A read that lags a change of a
 * moment ago only delays the write to the next batch: the write itself stays conditional.
 *
 * Earlier versions kept the state in an item of its own (`ITEMS.lowBalanceNotice`). A balance item without
 * `noticeArmed` takes that item's state, read once, and keeps it (a write, once per account); the old item
 * is read no more and goes with the account's ledger partition at erasure. No balance item (never funded,
 * or erased): nothing is written, and no notice can be claimed.
 */
export class DynamoDbLowBalanceNoticeState implements Pick<LowBalanceNotices, 'claim' | 'rearm'> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  /** Whether the notice is armed: never sent, or re-armed since. */
  async armed(accountId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.ledgerTable, Key: balanceKey(accountId), ProjectionExpression: 'noticeArmed' }),
    );
    if (typeof Item?.noticeArmed === 'boolean') return Item.noticeArmed;
    return this.takeOver(accountId);
  }

  /** The state of the earlier versions' item, kept on the balance item from now on. */
  private async takeOver(accountId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.ledgerTable, Key: ITEMS.lowBalanceNotice.key({ accountId }), ProjectionExpression: 'armed' }),
    );
    const armed = Item?.armed !== false;
    await this.write(accountId, 'SET noticeArmed = :armed', 'attribute_exists(pk) AND attribute_not_exists(noticeArmed)', {
      ':armed': armed,
    });
    return armed;
  }

  /**
   * Claims the notice for a crossing the event of `at` saw. With `thresholdMicro`, not when a call admitted after that
   * event has left the balance item at or above it (a purchase since): that call's event, which may carry the state as
   * still armed, decides instead — claimed here, its re-arm would be skipped on that copy and the next fall not mailed.
   */
  async claim(accountId: string, at: Date, thresholdMicro?: number): Promise<boolean> {
    if (!(await this.armed(accountId))) return false;
    return this.write(
      accountId,
      'SET noticeArmed = :false, noticeSentAt = :at',
      thresholdMicro === undefined
        ? 'noticeArmed = :true'
        : 'noticeArmed = :true AND (attribute_not_exists(lastCallAt) OR lastCallAt <= :at OR balance < :threshold)',
      {
        ':false': false,
        ':true': true,
        ':at': at.toISOString(),
        ...(thresholdMicro === undefined ? {} : { ':threshold': thresholdMicro }),
      },
    );
  }

  /**
   * Re-arms a sent notice; `armed`, when the caller knows the state already (the admit write's item, a read), spares the
   * read. With `crossing` (the event's time and the threshold), not when a call admitted after that event has left the
   * balance item below the threshold: a late copy of an old event must not re-arm a notice its fall since has claimed.
   */
  async rearm(accountId: string, armed?: boolean, crossing?: { at: Date; thresholdMicro: number }): Promise<void> {
    if (armed ?? (await this.armed(accountId))) return;
    await this.write(
      accountId,
      'SET noticeArmed = :true',
      crossing
        ? 'noticeArmed = :false AND (attribute_not_exists(lastCallAt) OR lastCallAt <= :at OR balance >= :threshold)'
        : 'noticeArmed = :false',
      {
        ':false': false,
        ':true': true,
        ...(crossing ? { ':at': crossing.at.toISOString(), ':threshold': crossing.thresholdMicro } : {}),
      },
    );
  }

  /** Gives back the claim made at `at` (its mail failed), unless another writer changed the state since. */
  async release(accountId: string, at: Date): Promise<void> {
    await this.write(accountId, 'SET noticeArmed = :true REMOVE noticeSentAt', 'noticeArmed = :false AND noticeSentAt = :at', {
      ':false': false,
      ':true': true,
      ':at': at.toISOString(),
    });
  }

  /** A conditional write of the state: false when the condition failed (another writer changed it first). */
  private async write(accountId: string, update: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await sendRetryingConflicts(
        this.client,
        new UpdateCommand({
          TableName: this.ledgerTable,
          Key: balanceKey(accountId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The notice's state, and its mail (the worker's): the gateway's lone calls only re-arm it. */
export class DynamoDbLowBalanceNotices extends DynamoDbLowBalanceNoticeState implements LowBalanceNotices {
  constructor(
    client: DynamoDBDocumentClient,
    ledgerTable: string,
    private readonly mailer: Mailer,
    /** Base URL of the console pages the notice links to. */
    private readonly publicUrl: string,
  ) {
    super(client, ledgerTable);
  }

  async send(to: string, balanceMicro: number, thresholdMicro: number): Promise<void> {
    await this.mailer.send({
      to,
      subject: 'Your OmnAPI balance is low',
      text: [
        `Your balance is ${microToCredits(balanceMicro)} credits, below the ${microToCredits(thresholdMicro)} you asked us to watch for.`,
        `Calls are refused (402) once it cannot cover their price. Buy credits: ${consoleUrl(this.publicUrl, 'credits')}`,
        '',
        `You get this once each time the balance falls below your threshold; change or remove it in your settings: ${consoleUrl(this.publicUrl, 'settings')}`,
      ].join('\n'),
    });
  }
}
