import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../dynamodb-query';
import { type LogPageOptions, type UsageLog, type UsageLogStore, usageLogRetentionDays } from '../usage-logs';
import { ITEMS } from '../items';
import {
  agentIdOf,
  CLIENT_HASH_BYTES,
  decodeClient,
  decodeCompactEntry,
  encodeClient,
  encodeCompactEntry,
  encodeInlineClient,
  isCompactEntry,
} from './slot-entry';

export { agentIdOf };

/** BatchWriteItem's ceiling. */
const BATCH = 25;

/**
 * How usage logs are stored, in the usageLogs table under `pk = ACCOUNT#<id>`:
 *
 * - **pages** `L#<newest call's time>#S<first seq>`: the calls of one account and one clock minute that
 *   one worker batch recorded, as one item — `d` a Brotli-compressed column layout of their logs, `n` how many.
 *   25–40 similar calls compress to 40–60 bytes each, against ~350 as an item apiece;
 * - **singles** `L#<at>#R<requestId>`: a call with no sequence number (refused calls, which the
 *   admit write did not count) as a page of one; its key is its dedupe guard;
 * - **slots** `M#<last ms of the hour>#Z<slot>`: the calls of an account that is not busy whose
 *   sequence numbers fall in one run of {@link SLOT_CALLS} (`seq / SLOT_CALLS`), made in one clock
 *   hour, by any of its clients (key id and user agent). Each client the slot holds is an attribute
 *   `k<hash>` (`hash`: 3 bytes of the SHA-256 of key id and user agent, in base64url) holding its key
 *   id and its agent's id once, set only if absent or the same — another client under the same hash
 *   is refused and its calls are stored as single call items. Each call is a top-level attribute
 *   `c<seq % SLOT_CALLS>`, a compact binary entry (`slot-entry.ts`: its client's hash and its other
 *   fields, ~40–70 bytes), added only if absent — the call's dedupe guard. `n` counts the calls, `b`
 *   their entries' bytes and the number set `t` the clients' tokens (one per started 48 bytes of a
 *   client attribute; adding a set is idempotent, so each client is counted once without the write
 *   knowing whether it was there): a write that could take the item past {@link SLOT_MAX_BYTES} (one
 *   write unit) is refused and that call is stored as a single call item instead. Keyed by the hour's
 *   last millisecond: the newest call it may hold, as pages are keyed by theirs. Slots of the earlier
 *   per-client form, `M#<hour end>#Z<slot>_<client>` holding one client as `k` and `u`, and entries of
 *   the earlier form (Brotli-compressed JSON arrays) are still read and erased;
 * - **agents** `M#<last ms of the hour>#a<agent id>`: a user agent (`u`) the account's slots of that
 *   hour name (`agent id`: 6 bytes of its SHA-256, in base64url), put once per account and hour —
 *   before any slot entry names it, only if absent or the same (another agent under the same id is
 *   refused, and its calls are stored as single call items) — so three clients with browser-length
 *   agents leave a slot its room for calls. Sorting after the hour's slots, a newest-first reader
 *   meets an hour's agents before its slots;
 * - **day slots** `N#<last ms of the day>#Z<slot>`, with their **agents** `N#<last ms of the day>#a<agent id>`:
 *   slots and agents as above, but for a UTC day, holding the calls made after a long silence of their
 *   account (the event's `lone`: ten minutes or more since its previous call, `LONE_CALL_SILENCE_MS`).
 *   Such calls are hours apart for an account that calls a few times a day, so an hour's slot held
 *   one call, and its own part (keys, client, agent, counters: ~300 bytes) was most of what the call
 *   cost to keep. In their own key range, so a reader of the hour slots never reads past them;
 *   every reader of an account's calls reads both slot ranges (`callRanges`);
 * - **single calls** `M#<at>#S<seq>` or `M#<at>#R<requestId>`: one call of an account that is not
 *   busy, as one compressed item — a refused call (no sequence number), a call its slot had no room
 *   for, and the admitted calls stored before slots;
 * - **seq blocks** `SEQ#<block>`: which sequence numbers (per account, from the admit write) of a
 *   block of {@link SEQ_BLOCK} have been recorded, as a number set of offsets; the worker's exactly-once
 *   guard, erased with the logs;
 * - items of the earlier one-call-per-item form (`<at>#<requestId>`) are still read and erased.
 *
 * And outside the accounts' partitions, the sweep's lists: `pk = SWEEP#<day>#<shard>`, `sk = <accountId>`
 * for each account that had single calls that day, so the usage sweep finishes their hours' counts
 * if they stop calling; kept two days past the day (TTL). An account's lone calls (day slots) list it
 * on its seven-day period's list instead, `pk = SWEEP#W#<the period's last day>#<shard>`, kept three
 * days past the period: the sweep finishes each of its days at the period's end.
 *
 * A call is decided into one form by its event alone, and guarded in that form; but a delivery that
 * straddles a deploy changing the form (a batch the earlier worker stored and failed to acknowledge,
 * redelivered to the new one) can store it in both: the per-client slot and the shared one. Every
 * reader therefore returns and counts a call once by its sequence number (the log pages, the counting steps
 * and the sweep, the usage API); erasure deletes both.
 *
 * Pages sort by their newest call, so a reader knows which logs are complete after each item and
 * returns them exactly newest first however batches interleaved, reading only what it returns (and
 * the pages that overlap it). Only this module knows the layout.
 */
export const SEQ_BLOCK = 64;

export const logPartition = (accountId: string) => `ACCOUNT#${accountId}`;
/** `2026-03-01T10:17:03.120Z` → `2026-03-01T10:17`. */
export const minuteOf = (at: string) => at.slice(0, 16);
/** A page's key: the time of the newest call it holds (all of one minute), then its first sequence number. */
export const pageSortKey = (newestAt: string, firstSeq: number) => `L#${newestAt}#S${String(firstSeq).padStart(15, '0')}`;
export const singleSortKey = (log: UsageLog) => `L#${log.at}#R${log.requestId}`;
export const seqBlockSortKey = (block: number) => `SEQ#${String(block).padStart(15, '0')}`;
/** A single call's key: its time, then its sequence number (admitted) or request id (refused). */
export const singleCallSortKey = (at: string, call: { seq?: number; requestId: string }) =>
  `M#${at}#${call.seq !== undefined ? `S${call.seq}` : `R${call.requestId}`}`;
/**
 * Calls per slot: sequence numbers `k·SLOT_CALLS … (k+1)·SLOT_CALLS − 1` of an account share an item.
 * Chosen from measured sizes (bench/simulate.ts, `docs/performance.md`): a compact entry is ~40–70
 * bytes, a client ~40 (its key id and agent id; the agent itself is an item of its own) and its one
 * token's room 54, the item's own part ~90, so eight calls of up to three clients fill a slot to
 * ~0.5–0.9 KB, inside one write unit; sixteen would not fit. A power of two,
 * so no slot straddles two balance shards' sequence spans (SHARD_SEQ_SPAN = 2^40).
 */
export const SLOT_CALLS = 8;
/** What a slot may grow to: DynamoDB bills a write by the larger of the item before and after, per started KB. */
export const SLOT_MAX_BYTES = 1024;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The span a slot's calls share, and the key range its slots (and their agents) take. */
export interface SlotPeriod {
  prefix: 'M#' | 'N#';
  ms: number;
}
/** Slots of a clock hour: the calls of an account that is not busy. */
export const HOUR_SLOTS: SlotPeriod = { prefix: 'M#', ms: HOUR_MS };
/** Slots of a UTC day: the calls made after a long silence of their account (the event's `lone`). */
export const DAY_SLOTS: SlotPeriod = { prefix: 'N#', ms: DAY_MS };
/** The period of a slot or agent item, from its key. */
export const periodOfKey = (sk: string): SlotPeriod => (sk.startsWith(DAY_SLOTS.prefix) ? DAY_SLOTS : HOUR_SLOTS);
const periodStartOf = (at: string, period: SlotPeriod) => Math.floor(Date.parse(at) / period.ms) * period.ms;
/** The last moment of the period (hour or day) holding `at`: what its slots are keyed and kept by. */
export const periodEndOf = (at: string, period: SlotPeriod) => new Date(periodStartOf(at, period) + period.ms - 1).toISOString();
/** `2026-03-01T10:17:03.120Z` → `2026-03-01T10:59:59.999Z`: the last moment of the call's hour. */
export const hourEndOf = (at: string) => new Date(Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS + HOUR_MS - 1).toISOString();
/** The client of a call in a slot written before slots were shared, as that slot's key tells it: 8 characters of the SHA-256 of its key id and user agent. */
const clientOf = (log: Pick<UsageLog, 'keyId' | 'userAgent'>) =>
  createHash('sha256').update(`${log.keyId}\n${log.userAgent}`).digest('base64url').slice(0, 8);
/** The key of a slot of the earlier per-client form (read and erased, no longer written): its hour's end, the slot number and the client. */
export const perClientSlotSortKey = (log: Pick<UsageLog, 'at' | 'keyId' | 'userAgent'>, seq: number) =>
  `M#${hourEndOf(log.at)}#Z${Math.floor(seq / SLOT_CALLS)}_${clientOf(log)}`;
/** A slot's key: its period's last millisecond (an hour's, or a day's) and the slot number; every client of the account shares it. */
export const slotSortKey = (log: Pick<UsageLog, 'at'>, seq: number, period: SlotPeriod = HOUR_SLOTS) =>
  `${period.prefix}${periodEndOf(log.at, period)}#Z${Math.floor(seq / SLOT_CALLS)}`;
/** Which client made a call, as its entry in a shared slot names it: CLIENT_HASH_BYTES of the SHA-256 of its key id and user agent. */
export const clientHashOf = (log: Pick<UsageLog, 'keyId' | 'userAgent'>) =>
  Uint8Array.from(createHash('sha256').update(`${log.keyId}\n${log.userAgent}`).digest().subarray(0, CLIENT_HASH_BYTES));
/** The attribute of a shared slot holding a client's key id and agent id: `k` and its hash in base64url (4 characters). */
export const clientAttribute = (hash: Uint8Array) => `k${Buffer.from(hash).toString('base64url')}`;
/** The key of the item holding a user agent that an account's slots of a period name (the period's last millisecond, the agent id in base64url). */
export const agentSortKey = (periodEnd: string, agentId: Uint8Array, period: SlotPeriod = HOUR_SLOTS) =>
  `${period.prefix}${periodEnd}#a${Buffer.from(agentId).toString('base64url')}`;
/** The item holding a call's user agent for its account's slots of its period (hour or day), kept as long as they are. */
export function agentItem(
  accountId: string,
  log: Pick<UsageLog, 'at' | 'userAgent'>,
  period: SlotPeriod = HOUR_SLOTS,
): { pk: string; sk: string; u: string; expiresAt: number } {
  const end = periodEndOf(log.at, period);
  return {
    pk: logPartition(accountId),
    sk: agentSortKey(end, agentIdOf(log.userAgent), period),
    u: log.userAgent,
    expiresAt: Math.floor(Date.parse(end) / 1000) + usageLogRetentionDays() * 86_400,
  };
}
/** The user agents of agent items read so far, by their keys: what a reader of shared slots names their calls' agents with. */
export type Agents = Map<string, string>;
/** The attribute a call takes in its slot. */
export const slotEntryName = (seq: number) => `c${seq % SLOT_CALLS}`;
/** The letter after an `M#` (or a day slot's `N#`) key's time: `Z` a slot, `a` an agent, `S` or `R` a single call. */
const kindOf = (sk: string) => (sk.startsWith('M#') || sk.startsWith('N#') ? sk.charAt(sk.indexOf('#', 2) + 1) : undefined);
const isSlotKey = (sk: string) => kindOf(sk) === 'Z';
export const isAgentKey = (sk: string) => kindOf(sk) === 'a';
/** Partitions a day's sweep list is spread over, so a busy day's first calls do not all write one partition. */
export const SWEEP_SHARDS = 16;
export const sweepPartition = (day: string, shard: number) => ITEMS.sweepList.pk({ day, shard: String(shard).padStart(2, '0') });
/** The sweep-list shard an account's id hashes to. */
const sweepShardOf = (accountId: string) => [...accountId].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 17) % SWEEP_SHARDS;
/** An account's entry in a day's (`2026-03-01`) sweep list, in the shard its id hashes to. */
export function sweepMarkerItem(day: string, accountId: string): { pk: string; sk: string; expiresAt: number } {
  return {
    pk: sweepPartition(day, sweepShardOf(accountId)),
    sk: accountId,
    expiresAt: Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 3 * 86_400,
  };
}
/**
 * The seven-day periods (counted from the epoch, so every one starts on a Thursday 00:00 UTC) over
 * which an account with lone calls is listed once: its week list entry, which the sweep reads at the
 * period's end to finish each of its days (docs/architecture.md, "Lone calls").
 */
export const WEEK_MS = 7 * 86_400_000;
/**
 * Logs kept at least this many days let a lone call's account go on its week's sweep list, finished at
 * the period's end (a week, and the sweep's catch-up, inside the retention); shorter, on its day's. A day
 * may so wait uncounted this long, whatever the retention became since: the usage API reads that far back.
 */
export const WEEK_LIST_MIN_RETENTION_DAYS = 10;
/** The last millisecond of the seven-day period holding `at` (epoch ms). */
export const weekEndOf = (at: number) => Math.floor(at / WEEK_MS) * WEEK_MS + WEEK_MS - 1;
/** A week list's partition: the period's last day (`2026-03-04`) and the shard. */
export const sweepWeekPartition = (lastDay: string, shard: number) =>
  ITEMS.sweepWeekList.pk({ week: lastDay, shard: String(shard).padStart(2, '0') });
/** An account's entry in the week list of the period holding `at` (epoch ms), kept three days past the period's end. */
export function sweepWeekMarkerItem(at: number, accountId: string): { pk: string; sk: string; expiresAt: number } {
  const end = weekEndOf(at);
  return {
    pk: sweepWeekPartition(new Date(end).toISOString().slice(0, 10), sweepShardOf(accountId)),
    sk: accountId,
    expiresAt: Math.floor((end + 1) / 1000) + 3 * 86_400,
  };
}
/** The time a single call's key holds. */
export const singleCallAt = (sk: string) => sk.slice(2, sk.indexOf('#', 2));

const FIELDS = [
  'requestId',
  'keyId',
  'product',
  'method',
  'path',
  'status',
  'outcome',
  'priceMicroCredits',
  'latencyMs',
  'upstreamLatencyMs',
  'requestBytes',
  'responseBytes',
  'ip',
  'userAgent',
  'at',
] as const satisfies readonly (keyof UsageLog)[];

/** Logs → one compressed value: the field names once, then one array per field (similar values side by side compress best). */
export function encodeLogs(logs: UsageLog[]): Uint8Array {
  const columns = FIELDS.map((field) => logs.map((log) => log[field] ?? null));
  const json = Buffer.from(JSON.stringify({ f: FIELDS, c: columns }));
  return brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } });
}

export function decodeLogs(data: Uint8Array): UsageLog[] {
  const { f, c } = JSON.parse(brotliDecompressSync(data).toString('utf8')) as { f: string[]; c: unknown[][] };
  const count = c[0]?.length ?? 0;
  return Array.from({ length: count }, (_, i) => {
    const log: Record<string, unknown> = {};
    f.forEach((field, j) => {
      const value = c[j]![i];
      if (value !== null && value !== undefined) log[field] = value;
    });
    return log as unknown as UsageLog;
  });
}

/** One call's log as its values alone, in FIELDS order without its time (the key holds it), compressed. */
export function encodeSingle(log: UsageLog): Uint8Array {
  const json = Buffer.from(JSON.stringify(FIELDS.filter((f) => f !== 'at').map((field) => log[field] ?? null)));
  return brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } });
}

export function decodeSingle(data: Uint8Array, at: string): UsageLog {
  const values = JSON.parse(brotliDecompressSync(data).toString('utf8')) as unknown[];
  const log: Record<string, unknown> = { at };
  FIELDS.filter((f) => f !== 'at').forEach((field, i) => {
    if (values[i] !== null && values[i] !== undefined) log[field] = values[i];
  });
  return log as unknown as UsageLog;
}

/** The fields of a call its slot does not hold (the slot holds the hour, key id and user agent). */
const SLOT_FIELDS = FIELDS.filter((f) => !['keyId', 'userAgent', 'at'].includes(f));

/** A call's entry in its (shared) slot, in the compact form (`slot-entry.ts`): its client's hash, its own fields, its time as milliseconds into the slot's period, its analytics mark. */
export function encodeSlotEntry(log: UsageLog, analytics: boolean, period: SlotPeriod = HOUR_SLOTS): Uint8Array {
  const { keyId: _key, userAgent: _agent, ...fields } = log;
  return encodeCompactEntry(fields, analytics, periodStartOf(log.at, period), clientHashOf(log), period.ms);
}

/** An entry of the form written before the compact one: its fields as a Brotli-compressed JSON array (SLOT_FIELDS, ms into the hour, analytics). */
function decodeBrotliEntry(data: Uint8Array, hour: number): { fields: Record<string, unknown>; analytics: boolean } {
  const values = JSON.parse(brotliDecompressSync(data).toString('utf8')) as unknown[];
  const fields: Record<string, unknown> = {};
  SLOT_FIELDS.forEach((field, i) => {
    if (values[i] !== null && values[i] !== undefined) fields[field] = values[i];
  });
  fields.at = new Date(hour + Number(values[SLOT_FIELDS.length])).toISOString();
  return { fields, analytics: values[SLOT_FIELDS.length + 1] === 1 };
}

/** A call as an item stores it: its log, its analytics mark, and its sequence number where the item's key tells it (slots and admitted single calls). */
export interface StoredCall {
  log: UsageLog;
  analytics: boolean;
  seq?: number;
}

/**
 * A filter that passes each stored call once. A call is stored in one form, decided by its event,
 * but a delivery straddling the deploy that made slots shared (stored by the earlier worker, which
 * then failed to acknowledge its batch) can store it in a per-client and a shared slot: both copies
 * have its sequence number. Calls without one (refused) are only ever single items; distinct calls
 * may share a request id, so it is no identity. For the calls of one account.
 */
export function onceEach(): (call: Pick<StoredCall, 'seq'>) => boolean {
  const seen = new Set<number>();
  return ({ seq }) => {
    if (seq === undefined) return true;
    if (seen.has(seq)) return false;
    seen.add(seq);
    return true;
  };
}

/**
 * The calls a slot item holds, with their analytics marks, in sequence order: a shared slot's (each
 * entry names its client, whose key id and agent id the item holds once under `k<hash>`), or a
 * per-client slot's of the earlier form (one client, as `k` and `u`); entries in either encoding.
 * A shared slot's calls take their user agents from `agents` (the hour's agent items, read before
 * it); readers that only count pass none, and the calls' `userAgent` is then empty.
 */
export function decodeSlot(item: Record<string, unknown>, agents?: Agents): StoredCall[] {
  const sk = String(item.sk);
  const period = periodOfKey(sk);
  const start = Date.parse(singleCallAt(sk)) + 1 - period.ms;
  const perClient = item.k !== undefined;
  // `…#Z<slot>` (or `…#Z<slot>_<client>`): an entry `c<i>` is the call with sequence number slot · SLOT_CALLS + i.
  const first = Number(sk.slice(sk.lastIndexOf('#Z') + 2).split('_')[0]) * SLOT_CALLS;
  return Object.keys(item)
    .filter((name) => /^c\d+$/.test(name))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    .map((name) => {
      const data = item[name] as Uint8Array;
      const seq = first + Number(name.slice(1));
      if (!isCompactEntry(data)) {
        const { fields, analytics } = decodeBrotliEntry(data, start);
        return { log: { keyId: item.k, userAgent: item.u, ...fields } as UsageLog, analytics, seq };
      }
      const { fields, analytics, client } = decodeCompactEntry(data, start);
      if (perClient) return { log: { keyId: String(item.k), userAgent: String(item.u), ...fields }, analytics, seq };
      const held = client && item[clientAttribute(client)];
      if (!held) throw new Error(`Slot ${String(item.sk)} has no client for its entry ${name}`);
      const holder = decodeClient(held as Uint8Array);
      // A client holds its agent itself, or names the period's agent item.
      const userAgent = holder.userAgent ?? agents?.get(agentSortKey(singleCallAt(sk), holder.agentId, period)) ?? '';
      const { keyId } = holder;
      return { log: { keyId, userAgent, ...fields }, analytics, seq };
    });
}

/**
 * The calls an `M#` item holds: a slot's, or a single call's (`a` marks analytics); an agent holds
 * none. Everything that reads the calls of accounts that are not busy reads them through this, and
 * whatever reads their user agents passes the agents read so far (see decodeSlot).
 */
export function callsOfItem(item: Record<string, unknown>, agents?: Agents): StoredCall[] {
  const sk = String(item.sk);
  if (isAgentKey(sk)) return [];
  if (isSlotKey(sk)) return decodeSlot(item, agents);
  const call = sk.slice(sk.indexOf('#', 2) + 1);
  return [
    {
      log: decodeSingle(item.d as Uint8Array, singleCallAt(sk)),
      analytics: item.a === true,
      ...(call.startsWith('S') ? { seq: Number(call.slice(1)) } : {}),
    },
  ];
}

/**
 * The key ranges that hold every call of an account made in `[from, until]` (epoch ms) outside pages:
 * `M#…` (hour slots, keyed by their hour's end; single calls and agents), and `N#…` (day slots,
 * keyed by their day's end, with their agents). Their items may hold calls outside the span: readers
 * keep a call by its time.
 */
export const callRanges = (from: number, until: number) => {
  const last = new Date(until).toISOString();
  return [
    { lower: `M#${new Date(from).toISOString()}`, upper: `M#${hourEndOf(last)}\uffff` },
    { lower: `N#${periodEndOf(new Date(from).toISOString(), DAY_SLOTS)}`, upper: `N#${periodEndOf(last, DAY_SLOTS)}\uffff` },
  ] as const;
};

/** The items of both slot ranges that may hold an account's calls made in `[from, until]` (epoch ms; callRanges): the counting readers' one query of each. */
export async function itemsHoldingCalls(
  client: DynamoDBDocumentClient,
  table: string,
  accountId: string,
  span: { from: number; until: number; consistent?: boolean },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const { lower, upper } of callRanges(span.from, span.until))
    items.push(
      ...(await queryAll(client, {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
        ExpressionAttributeValues: { ':pk': logPartition(accountId), ':lower': lower, ':upper': upper },
        ...(span.consistent ? { ConsistentRead: true } : {}),
      })),
    );
  return items;
}

/**
 * Room a slot keeps per token of its clients' set `t`: the client attribute's bytes a token stands
 * for, and the token's own bytes in the set (a number below 2^30: at most six). A client attribute
 * of a key id as the platform makes them (`key_` and 24 hex digits) takes 40 bytes: one token.
 */
const TOKEN_BYTES = 48;
const TOKEN_COST = TOKEN_BYTES + 6;

/**
 * A client of a shared slot: its attribute (`k<hash>`, the key id and agent id) and its tokens —
 * `hash · 64 + j` for each started TOKEN_BYTES of the attribute. Adding a number set is idempotent,
 * so the slot's set `t` counts each client's tokens once however often it is added: its size bounds
 * the bytes the clients take, without knowing in the write whether the client was there before.
 */
function slotClient(log: Pick<UsageLog, 'keyId' | 'userAgent'>, inline: boolean) {
  const hash = clientHashOf(log);
  const name = clientAttribute(hash);
  const forms = clientForms(log);
  const value = inline ? forms.inline : forms.named;
  const base = ((hash[0]! << 16) | (hash[1]! << 8) | hash[2]!) * 64;
  const count = Math.ceil((name.length + value.byteLength) / TOKEN_BYTES);
  return { name, value, forms, tokens: count <= 64 ? Array.from({ length: count }, (_, j) => base + j) : undefined };
}

/** The two values a client's attribute may hold: naming the hour's agent item by its id, or holding the agent itself. */
export const clientForms = (log: Pick<UsageLog, 'keyId' | 'userAgent'>) => ({
  named: encodeClient(log.keyId, agentIdOf(log.userAgent)),
  inline: encodeInlineClient(log.keyId, log.userAgent),
});

/**
 * The UpdateItem that adds calls of one slot (same account, hour and run of sequence numbers; any of
 * the account's clients) to it: each call's entry only if its attribute is absent, each client's key
 * id and user agent only if absent or the same (another client under the same hash refuses), the
 * clients' tokens to `t`, and only while the item stays within SLOT_MAX_BYTES. A refusal means: some
 * call is there already (a duplicate), or another client holds a hash, or there is no room — the
 * caller reads which from the item returned. The calls' clients must have distinct hashes.
 *
 * The item's size is bounded by what only grows: `b` (the entries' bytes) and the size of `t` (each
 * token standing for TOKEN_COST bytes of a client): the update is allowed when, with `k` tokens held,
 * `b` leaves room for its entries and for its clients' tokens as if they all were new — one
 * condition per possible `k`, as conditions cannot add. So whether a call fits is decided by what the
 * slot holds, which only grows: a call refused for room is refused again.
 */
export function slotUpdate(
  accountId: string,
  calls: { log: UsageLog; seq: number; analytics: boolean; inline?: boolean }[],
  period: SlotPeriod = HOUR_SLOTS,
) {
  const first = calls[0]!.log;
  const entries = calls.map(({ log, seq, analytics }) => ({ name: slotEntryName(seq), value: encodeSlotEntry(log, analytics, period) }));
  const bytes = entries.reduce((sum, { name, value }) => sum + name.length + value.byteLength, 0);
  const clients = [
    ...new Map(calls.map(({ log, inline }) => slotClient(log, inline === true)).map((client) => [client.name, client])).values(),
  ];
  const tokens = clients.flatMap((client) => client.tokens ?? []);
  const key = { pk: logPartition(accountId), sk: slotSortKey(first, calls[0]!.seq, period) };
  const expiresAt = Math.floor(Date.parse(periodEndOf(first.at, period)) / 1000) + usageLogRetentionDays() * 86_400;
  // The item's own part at its largest, sized as DynamoDB sizes an attribute (its name's bytes and its
  // value's): the keys, `expiresAt` (a number of up to 6 bytes), `n` (up to 2), `b` (up to 3), and the set `t`'s own 3.
  const own = (
    [
      ['pk', Buffer.byteLength(key.pk)],
      ['sk', Buffer.byteLength(key.sk)],
      ['expiresAt', 6],
      ['n', 2],
      ['b', 3],
      ['t', 3],
    ] as const
  ).reduce((sum, [name, valueBytes]) => sum + name.length + valueBytes, 0);
  /** Room for the entries when `held` tokens are in the slot already (and this update's all added). */
  const room = (held: number) => SLOT_MAX_BYTES - own - bytes - (held + tokens.length) * TOKEN_COST;
  /** Whether the slot could take these calls at all (were it empty): calls too large for any slot are stored alone. */
  const fits = clients.every((client) => client.tokens) && room(0) >= 0;
  const held = Array.from(
    { length: Math.max(0, Math.floor((SLOT_MAX_BYTES - own - bytes) / TOKEN_COST) - tokens.length + 1) },
    (_, k) => k,
  );
  const names = {
    ...Object.fromEntries(entries.map(({ name }, i) => [`#c${i}`, name])),
    ...Object.fromEntries(clients.map(({ name }, i) => [`#k${i}`, name])),
  };
  const update = {
    Key: key,
    UpdateExpression: `SET ${[
      ...entries.map((_, i) => `#c${i} = :c${i}`),
      ...clients.map((_, i) => `#k${i} = if_not_exists(#k${i}, :k${i})`),
    ].join(', ')}, expiresAt = if_not_exists(expiresAt, :expires) ADD n :n, b :b, t :t`,
    ConditionExpression: [
      ...entries.map((_, i) => `attribute_not_exists(#c${i})`),
      // The client in either form (whichever its first writer chose) is the same client; another under its hash refuses.
      ...clients.map((_, i) => `(attribute_not_exists(#k${i}) OR #k${i} IN (:k${i}, :x${i}))`),
      `((attribute_not_exists(t) AND attribute_not_exists(b)) OR ${
        held
          .slice(1)
          .map((k) => `(size(t) = :h${k} AND b <= :r${k})`)
          .join(' OR ') || 'attribute_not_exists(b)'
      })`,
    ].join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: {
      ...Object.fromEntries(entries.map(({ value }, i) => [`:c${i}`, value])),
      ...Object.fromEntries(clients.map(({ value }, i) => [`:k${i}`, value])),
      ...Object.fromEntries(clients.map(({ value, forms }, i) => [`:x${i}`, value === forms.inline ? forms.named : forms.inline])),
      ...Object.fromEntries(
        held.slice(1).flatMap((k) => [
          [`:h${k}`, k],
          [`:r${k}`, room(k)],
        ]),
      ),
      ':expires': expiresAt,
      ':n': calls.length,
      ':b': bytes,
      ':t': new Set(tokens),
    },
  };
  return { update, fits, clients: clients.map(({ name, forms }) => ({ name, forms: [forms.named, forms.inline] })) };
}

/** A single call's item, expiring the retention period after it; `analytics` when its account had not objected. */
export function singleCallItem(accountId: string, log: UsageLog, seq: number | undefined, analytics: boolean): Record<string, unknown> {
  return {
    pk: logPartition(accountId),
    sk: singleCallSortKey(log.at, { seq, requestId: log.requestId }),
    d: encodeSingle(log),
    expiresAt: expiryOf([log]),
    ...(analytics ? { a: true } : {}),
  };
}

/** The time of the newest of some calls: what a page is keyed and kept by. */
export const newestAt = (calls: { at: string }[]) => calls.reduce((max, call) => (call.at > max ? call.at : max), calls[0]!.at);

/** When what was written for calls of these times expires (TTL): the retention period after the newest. */
export const expiryOf = (calls: { at: string }[]) => Math.floor(Date.parse(newestAt(calls)) / 1000) + usageLogRetentionDays() * 86_400;

/** A page item: logs of one account and one minute, expiring the retention period after the newest of them. */
export function logPageItem(accountId: string, sk: string, logs: UsageLog[]): Record<string, unknown> {
  return { pk: logPartition(accountId), sk, n: logs.length, d: encodeLogs(logs), expiresAt: expiryOf(logs) };
}

/** The logs a stored item holds: a page's, a slot's or single call's (shared slots' agents from `agents`), or the one of an item in the earlier per-call form. */
function logsOf(item: Record<string, unknown>, agents: Agents): Pick<StoredCall, 'log' | 'seq'>[] {
  const sk = String(item.sk);
  if (sk.startsWith('L#')) return decodeLogs(item.d as Uint8Array).map((log) => ({ log }));
  if (sk.startsWith('M#') || sk.startsWith('N#')) return callsOfItem(item, agents);
  const { pk: _pk, expiresAt: _ttl, accountId: _account, v: _v, balanceMicro: _balance, ...rest } = item;
  const split = sk.indexOf('#');
  return [{ log: { at: sk.slice(0, split), requestId: sk.slice(split + 1), ...rest } as UsageLog }];
}

/** Newest-first order of logs: time, then request id; also the cursor's form. */
const orderKey = (log: UsageLog) => `${log.at}#${log.requestId}`;
/**
 * Stored items one page of logs reads at most (beyond what it must read to move past its cursor's
 * time): a filter that matches little on a busy account answers a page of fewer logs, or none, and a
 * cursor where it stopped, instead of reading the account's whole retention period in one request.
 */
export const PAGE_READ_BUDGET = 250;
/** An ISO time in the form calls' times are stored in (`toISOString`'s), so the two compare as text; text that is no time as it is. */
const asStoredTime = (at: string | undefined) => (at === undefined || Number.isNaN(Date.parse(at)) ? at : new Date(at).toISOString());
/**
 * The position just past every call at `at` and before every newer one: a request id never holds
 * `~`, which sorts after every character one can hold (`[\w=+/-]`), so the next page reads `at`'s calls again.
 */
const after = (at: string) => `${at}#~`;

/** Usage logs of an account, as pages in the usageLogs table expiring through TTL. */
export class DynamoDbUsageLogs implements UsageLogStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Newest first, one page at a time. Page items sort by the newest call they hold, slots by their
   * hour's or day's end (the newest call they may hold), single calls by their own time; the three
   * ranges (pages `L#`, hour slots and single calls `M#`, day slots `N#`) are read newest first side
   * by side, always from the one whose next item is newer, so after reading an item
   * whose newest call is `m`, every log newer than the next item's bound has been read: those are
   * returned, and the reader goes on only as far as the page of logs needs. The cursor is the order
   * key (`<at>#<requestId>`) of the last log returned; the next page starts at that call's minute (a
   * page holds one minute) or, for slots, at the end of its hour (its day for day slots), and skips what came before.
   * Items of the earlier one-call form, all older, are read after. The partition is always the
   * caller's: a cursor cannot reach another account's logs.
   *
   * A page reads at most PAGE_READ_BUDGET items once it is past its cursor's time; where it stops
   * short of `limit` logs, its cursor is the position just past the bound of the next unread item (all
   * newer logs are answered), strictly older than where it started, so paging always moves on.
   */
  async page(accountId: string, options: LogPageOptions): Promise<{ logs: UsageLog[]; nextCursor?: string }> {
    const { limit, now, filter } = options;
    // Compared as text with the calls' times, which are in `toISOString`'s form: `…T10:00:00Z` would sort after
    // `…T10:00:00.400Z`, dropping the first second after `from` (and keeping the second after `to`).
    const from = asStoredTime(options.from);
    const to = asStoredTime(options.to);
    const retained = new Date(now.getTime() - usageLogRetentionDays() * 86_400_000).toISOString();
    const oldest = from && from > retained ? from : retained;
    // A time range's end reads as a cursor just past its last moment: only calls at or before it.
    const end = to ? `${to}#\uffff` : undefined;
    const cursor = options.cursor && end ? (options.cursor < end ? options.cursor : end) : (options.cursor ?? end);
    // A cursor past the retention period (paging reached its edge a while ago, or made up): nothing is older.
    if (cursor && cursor < oldest) return { logs: [] };
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const logs: UsageLog[] = [];
    let buffer: UsageLog[] = [];
    /** Moves the buffered logs newer than `bound` (all of them without one) to the answer, newest first, as far as it has room. */
    const release = (bound?: string) => {
      buffer.sort((a, b) => (orderKey(a) < orderKey(b) ? 1 : -1));
      let taken = 0;
      while (taken < buffer.length && logs.length < limit && (bound === undefined || buffer[taken]!.at > bound))
        logs.push(buffer[taken++]!);
      buffer = buffer.slice(taken);
    };
    // A call stored twice (a redelivery straddling a deploy that changed its form) is returned once
    // (onceEach); both copies have one order key, so a later page's cursor excludes the copy too.
    const firstCopy = onceEach();
    // An hour's agents sort after its slots, so newest first they are read before the slots naming them.
    const agents: Agents = new Map();
    const keep = (item: Record<string, unknown>) => {
      if (isAgentKey(String(item.sk))) return void agents.set(String(item.sk), String(item.u));
      // Past its TTL but not yet swept by DynamoDB (which can take days): hidden already.
      if (Number(item.expiresAt ?? Infinity) <= nowSeconds) return;
      for (const { log, seq } of logsOf(item, agents)) {
        if (!firstCopy({ seq })) continue;
        if (log.at >= oldest && (!cursor || orderKey(log) < cursor) && (!filter || filter(log))) buffer.push(log);
      }
    };
    // Pages `L#<newest call>#…`, hour slots `M#<hour's end>#Z…` and single calls `M#<at>#…`, day slots
    // `N#<day's end>#Z…`, each range newest first: the bound of an item is the newest call it may hold.
    // Slots are keyed by their period's end: the hour (or day) of the cursor's call is read from its end (keep() drops what is newer).
    const cursorAt = cursor ? Date.parse(cursor.slice(0, cursor.indexOf('#'))) : Number.NaN;
    const upper = (prefix: string, period?: SlotPeriod) =>
      !cursor
        ? `${prefix}\uffff`
        : `${prefix}${period && !Number.isNaN(cursorAt) ? periodEndOf(new Date(cursorAt).toISOString(), period) : cursor.slice(0, period ? cursor.indexOf('#') : 16)}\uffff`;
    const ranges = [
      this.items(accountId, `L#${minuteOf(oldest)}`, upper('L#'), limit),
      this.items(accountId, `M#${minuteOf(oldest)}`, upper('M#', HOUR_SLOTS), limit),
      this.items(accountId, `N#${minuteOf(oldest)}`, upper('N#', DAY_SLOTS), limit),
    ];
    const boundOf = (item: Record<string, unknown>) => String(item.sk).slice(2, String(item.sk).indexOf('#', 2));
    // Where the page started: it may stop for its budget only at an item bound strictly older.
    const start = cursor ? cursor.slice(0, cursor.indexOf('#')) : '\uffff';
    let read = 0;
    let stoppedAt: string | undefined;
    const next = await Promise.all(ranges.map((range) => range.next()));
    for (;;) {
      // The range whose next item is newest (pages first at a tie).
      let from = -1;
      for (const [i, candidate] of next.entries())
        if (!candidate.done && (from < 0 || boundOf(candidate.value) > boundOf(next[from]!.value as Record<string, unknown>))) from = i;
      if (from < 0) break;
      const item = next[from]!.value as Record<string, unknown>;
      release(boundOf(item));
      if (logs.length === limit) break;
      if (read >= PAGE_READ_BUDGET && boundOf(item) < start) {
        stoppedAt = after(boundOf(item));
        break;
      }
      read++;
      keep(item);
      next[from] = await ranges[from]!.next();
    }
    // Stopped for the budget: what is buffered is at or before the stop and is read again from there.
    if (stoppedAt) return { logs, nextCursor: stoppedAt };
    let exhausted = next.every((candidate) => candidate.done);
    release();
    // The earlier one-call form: `<at>#<requestId>`, each key its own order key; when the pages just
    // filled the answer, one item of it is enough to know there is more.
    if (exhausted && buffer.length === 0) {
      const legacyUpper = cursor && cursor < 'L' ? cursor : 'L';
      let lastRead: string | undefined;
      exhausted = await this.scan(
        accountId,
        'pk = :pk AND sk BETWEEN :lower AND :upper',
        { ':lower': oldest, ':upper': legacyUpper },
        limit,
        (item) => {
          if (String(item.sk) === legacyUpper) return true;
          if (logs.length === limit) return false;
          // Each key its own order key: the last one read is where the next page goes on.
          if (read >= PAGE_READ_BUDGET && lastRead) {
            stoppedAt = lastRead;
            return false;
          }
          read++;
          lastRead = String(item.sk);
          keep(item);
          release();
          return true;
        },
      );
      if (stoppedAt && logs.length < limit) return { logs, nextCursor: stoppedAt };
    }
    const last = logs.at(-1);
    return { logs, nextCursor: last && logs.length === limit && (buffer.length > 0 || !exhausted) ? orderKey(last) : undefined };
  }

  /** The items of a key range, newest first, fetched a query page at a time as they are consumed. */
  private async *items(accountId: string, lower: string, upper: string, limit: number): AsyncGenerator<Record<string, unknown>> {
    if (lower > upper) return;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
          ExpressionAttributeValues: { ':pk': logPartition(accountId), ':lower': lower, ':upper': upper },
          ScanIndexForward: false,
          Limit: Math.max(10, Math.min(100, limit)),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield item;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Reads a key range newest first, handing each item to `visit` until it says stop; true when the range ran out. */
  private async scan(
    accountId: string,
    _condition: string,
    values: Record<string, string>,
    limit: number,
    visit: (item: Record<string, unknown>) => boolean,
  ): Promise<boolean> {
    for await (const item of this.items(accountId, values[':lower']!, values[':upper']!, limit)) if (!visit(item)) return false;
    return true;
  }

  async any(accountId: string): Promise<boolean> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': logPartition(accountId) },
        ProjectionExpression: 'pk',
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Boolean(Items?.length);
  }

  /** Deletes up to `limit` stored items of the account (pages, seq blocks, expired ones too), and at the end its sweep-list entries; `erased` counts the logs they held. */
  async erasePage(accountId: string, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': logPartition(accountId) },
        ProjectionExpression: 'pk, sk, n',
        Limit: limit,
      }),
    );
    const items = Items ?? [];
    const keys = items.map(({ pk, sk }) => ({ pk, sk }));
    for (let i = 0; i < keys.length; i += BATCH) await batchDelete(this.client, this.table, keys.slice(i, i + BATCH));
    // The last step also takes the account off the sweep lists still kept: the days' (today's and the three before) and
    // the weeks' (this period's and the one before, kept three days past its end).
    if (!LastEvaluatedKey) {
      const days = [0, 1, 2, 3].map((back) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10));
      await batchDelete(this.client, this.table, [
        ...days.map((day) => ({ pk: sweepMarkerItem(day, accountId).pk, sk: accountId })),
        ...[0, 1].map((back) => ({ pk: sweepWeekMarkerItem(Date.now() - back * WEEK_MS, accountId).pk, sk: accountId })),
      ]);
    }
    const erased = items.reduce(
      (sum, item) => sum + (String(item.sk).startsWith('SEQ#') || isAgentKey(String(item.sk)) ? 0 : Number(item.n ?? 1)),
      0,
    );
    return { erased, remaining: Boolean(LastEvaluatedKey) };
  }
}

/**
 * The time of the newest call a stored item holds, read from its key (pages, single calls, the
 * earlier one-call form); undefined for seq blocks, which hold no personal data — only which
 * sequence numbers were recorded — and keep their own expiry.
 */
export function newestCallOf(item: { sk?: unknown }): string | undefined {
  const sk = String(item.sk);
  if (sk.startsWith('SEQ#')) return undefined;
  if (sk.startsWith('L#') || sk.startsWith('M#') || sk.startsWith('N#')) return sk.slice(2, sk.indexOf('#', 2));
  return sk.slice(0, sk.indexOf('#'));
}

/**
 * Applies a shorter retention to logs already stored: every item whose expiry lies beyond its newest
 * call + `days` gets that earlier expiry (DynamoDB's TTL then removes it; readers already hide logs
 * outside the window). Longer retentions apply to new calls only: what already expired is gone.
 * Each update is conditional on the expiry it read, so a worker writing meanwhile is never undone.
 * Scans the table in `segments` parallel segments; `onProgress` hears items seen and shortened.
 */
export async function shortenUsageLogRetention(
  client: DynamoDBDocumentClient,
  table: string,
  days: number,
  options: { segments?: number; onProgress?: (seen: number, shortened: number) => void } = {},
): Promise<{ seen: number; shortened: number }> {
  let seen = 0;
  let shortened = 0;
  const segments = options.segments ?? 4;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: ScanCommandInput['ExclusiveStartKey'];
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: segments,
            ProjectionExpression: 'pk, sk, expiresAt',
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          seen++;
          const newest = newestCallOf(item);
          const target = newest === undefined ? undefined : Math.floor(Date.parse(newest) / 1000) + days * 86_400;
          if (target === undefined || Number.isNaN(target) || !(Number(item.expiresAt) > target)) continue;
          try {
            await client.send(
              new UpdateCommand({
                TableName: table,
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: 'SET expiresAt = :target',
                ConditionExpression: 'expiresAt = :seen',
                ExpressionAttributeValues: { ':target': target, ':seen': item.expiresAt },
              }),
            );
            shortened++;
          } catch (error) {
            // Rewritten meanwhile (a page that gained calls, or erased): its writer set the expiry from the new setting.
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }
        }
        options.onProgress?.(seen, shortened);
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return { seen, shortened };
}

/** Deletes up to 25 keys, retrying what DynamoDB leaves unprocessed (with backoff) until none is left. */
export async function batchDelete(client: DynamoDBDocumentClient, table: string, keys: Record<string, unknown>[]): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 0; requests.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    if (attempt > 10) throw new Error(`BatchWriteItem left ${requests.length} deletes of ${table} unprocessed after ${attempt} attempts`);
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}
