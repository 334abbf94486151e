import { createHash } from 'node:crypto';

/**
 * Privileged and security-relevant actions, by the name an audit event records. Each manifest route
 * that changes something names one (`RouteSpec.audit`) or says why it writes none (`unaudited`), and
 * so does each ops command that changes something (scripts/ops/audit.ts); tests fail on a route or a
 * command that does neither, and on an action here that nothing writes.
 */
export const AUDIT_ACTIONS = [
  'account.update',
  'preferences.set',
  'password.change',
  'password.reset',
  'email.verify',
  'email.change',
  'sign_in.unlock',
  'session.revoke',
  'session.end',
  'key.create',
  'key.roll',
  'key.revoke',
  'checkout.start',
  'checkout.cancel',
  'privacy.request',
  'privacy.confirm',
  'privacy.cancel',
  'credits.grant',
  'credits.adjust',
  'plan.set',
  'account.suspend',
  'account.unsuspend',
  'legal_hold.set',
  'legal_hold.clear',
  'privacy.extend',
  'privacy.start_now',
  'privacy.retry',
  'privacy.erase',
  'privacy.classify',
  'stripe.event_sent',
  'usage.replay',
  'usage.retention',
  'ticket.reply',
  'ticket.close',
  'notice.send',
  'notice.resume',
  'notice.unsubscribe',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kinds of action, by the word before the dot (`key`, `privacy`, `credits` …): a filter takes a kind or one action. */
export const AUDIT_ACTION_KINDS = [...new Set(AUDIT_ACTIONS.map((a) => a.slice(0, a.indexOf('.'))))];

/** Which events of a stream a reader wants: an action or a kind of action, who acted, and a time range (both ends included). */
export interface AuditFilter {
  action?: string;
  actorType?: AuditActor['type'];
  from?: string;
  to?: string;
}

/** Whether an event passes a filter. */
export function matchesAuditFilter(event: AuditEvent, filter: AuditFilter): boolean {
  if (filter.action && event.action !== filter.action && !event.action.startsWith(`${filter.action}.`)) return false;
  if (filter.actorType && event.actor.type !== filter.actorType) return false;
  const at = Date.parse(event.at);
  if (filter.from && at < Date.parse(filter.from)) return false;
  if (filter.to && at > Date.parse(filter.to)) return false;
  return true;
}

/** Who acted: an account holder (by session or key), an operator (by the cloud identity or OS user), or the platform. */
export interface AuditActor {
  type: 'account' | 'operator' | 'system';
  id: string;
  /** How: `session:<id>`, `key:<id>`, `cli`, a function name. */
  via?: string;
}

/** Who an operator is to a customer: one stable, opaque actor for all of OmnAPI's staff. */
export const STAFF_ACTOR: AuditActor = { type: 'operator', id: 'omnapi-staff' };

/** Where an operator's action comes from, as a customer's security log shows it (who exactly is in the audit trail). */
export const STAFF_ORIGIN = { ip: 'omnapi', userAgent: 'OmnAPI staff' } as const;

/**
 * An event as the account's holder sees it (the audit API, the privacy export): an operator is
 * `STAFF_ACTOR`, with no cloud identity, user name, host or address of ours. Its hash stays the one
 * over the whole event, which operators verify (`npm run ops -- audit verify`).
 */
export function customerAuditView<E extends Pick<AuditEvent, 'actor'> & { context?: AuditEvent['context'] }>(event: E): E {
  if (event.actor.type !== 'operator') return event;
  const { context: _ours, ...rest } = event;
  return { ...rest, actor: STAFF_ACTOR } as E;
}

export interface AuditTarget {
  type: string;
  id: string;
}

/** One audit event as written: the shape Stripe's, WorkOS's and Retraced's logs share. */
export interface AuditEventInput {
  actor: AuditActor;
  action: AuditAction;
  targets: AuditTarget[];
  context?: { ip?: string; userAgent?: string; requestId?: string };
  reason?: string;
  /** What changed, when small: before → after. */
  change?: { before?: unknown; after?: unknown };
  at: string;
}

/** A stored event: its place in its stream's chain. */
export interface AuditEvent extends AuditEventInput {
  eventId: string;
  /** `account#<accountId>` (what concerns one account, also shown to its holder) or `ops` (the rest). */
  stream: string;
  seq: number;
  /** SHA-256 of the previous event's canonical form; GENESIS for a stream's first. */
  prevHash: string;
  /**
   * When the previous event's TTL lets it expire: until then a verifier expects to find it, so deleting
   * a chain's oldest events is seen (absent on a stream's first event, and on events written before it existed).
   */
  prevKeptUntil?: string;
  /**
   * On an event an erasure moved under the account's pseudonym: the hash the original carried in the
   * account's stream. The account's next event names it as `prevHash`, so while the move is under way a
   * verifier can tell the stream's moved start from deleted events (the hash names no one).
   */
  movedFromHash?: string;
  /** SHA-256 of this event's canonical form (every field but `hash`). */
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** How long audit events are kept unless the stage says otherwise (a year and a month: one full audit cycle). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** When an event written at `at` expires (DynamoDB TTL, epoch seconds): the stage's retention after it happened. */
export function auditExpiresAt(at: string, retentionDays: number): number {
  return Math.floor(Date.parse(at) / 1000) + retentionDays * 86_400;
}

/** The retention a function was given (AUDIT_RETENTION_DAYS, set by the CDK binding from the stage), or the default. */
export function auditRetentionDaysOf(env: NodeJS.ProcessEnv = process.env): number {
  const days = Number(env.AUDIT_RETENTION_DAYS);
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_AUDIT_RETENTION_DAYS;
}

/** The stream an event belongs to: the account it concerns, or the operators' own. */
export function streamOf(targets: AuditTarget[]): string {
  const account = targets.find((t) => t.type === 'account');
  return account ? `account#${account.id}` : 'ops';
}

/** JSON with keys sorted at every depth and no undefined values: the same event always hashes the same. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The hash an event must carry: of every field but `hash` itself. */
export function hashOf(event: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(canonical(event)).digest('hex');
}

/** Where a stream's chain breaks, if it does. */
export interface ChainBreak {
  stream: string;
  seq: number;
  eventId: string;
  /** `truncated`: the first event present says the one before it is still within its retention, yet it is gone. */
  problem: 'hash' | 'link' | 'gap' | 'truncated';
}

/** A stream an erasure is moving under a pseudonym now: its oldest events are already in `to`, through `movedThrough`. */
export interface MoveInProgress {
  to: string;
  movedThrough: number;
}

/** What a walk of one stream found: how many events hold, and the first break or the move under way. */
export interface ChainReport {
  checked: number;
  firstBreak?: ChainBreak;
  moving?: MoveInProgress;
}

/**
 * Walks one stream's events in order and reports the first break: an event whose content does not
 * match its hash (altered), one that does not name the previous event's hash (removed or reordered),
 * or a missing sequence number. Retention (TTL) trims a chain's start, so the first event present
 * starts the chain — unless it says (`prevKeptUntil`) that the event before it should still be kept
 * at `now`: then the oldest events were deleted by hand (`truncated`), or an erasure is moving the
 * stream under its pseudonym. `movedTo` is that pseudonym's stream, oldest first: when its chain holds
 * and its copy of the event just before the first one present carries the hash that event names
 * (`movedFromHash`), the start is moving, not missing — a state (`moving`), not a break.
 */
export function verifyChain(events: Iterable<AuditEvent>, now: Date = new Date(), movedTo: readonly AuditEvent[] = []): ChainReport {
  let previous: AuditEvent | undefined;
  let checked = 0;
  let moving: MoveInProgress | undefined;
  for (const event of events) {
    const { hash, ...rest } = event;
    const at = { stream: event.stream, seq: event.seq, eventId: event.eventId };
    if (hashOf(rest) !== hash) return { checked, firstBreak: { ...at, problem: 'hash' } };
    if (!previous && event.seq > 1 && event.prevKeptUntil && Date.parse(event.prevKeptUntil) > now.getTime()) {
      moving = moveContinuedBy(event, movedTo, now);
      if (!moving) return { checked, firstBreak: { ...at, problem: 'truncated' } };
    }
    if (previous && event.seq !== previous.seq + 1) return { checked, firstBreak: { ...at, problem: 'gap' } };
    if (previous && event.prevHash !== previous.hash) return { checked, firstBreak: { ...at, problem: 'link' } };
    previous = event;
    checked++;
  }
  return moving ? { checked, moving } : { checked };
}

/**
 * The move `first` continues, when the moved stream holds an unbroken chain up to the copy of the
 * event before `first`, and that copy was made from the event `first` names.
 */
function moveContinuedBy(first: AuditEvent, movedTo: readonly AuditEvent[], now: Date): MoveInProgress | undefined {
  const upTo = movedTo.filter((e) => e.seq < first.seq);
  const copy = upTo.at(-1);
  if (!copy || copy.seq !== first.seq - 1 || copy.movedFromHash !== first.prevHash) return undefined;
  // The moved stream must itself verify from its own start: a forged copy alone proves nothing.
  if (verifyChain(upTo, now).firstBreak) return undefined;
  return { to: copy.stream, movedThrough: copy.seq };
}

/** Port: where audit events are appended (and only appended) and read back. */
export interface AuditTrail {
  /** Appends the event; with `signal`, stops trying (and rejects) once it aborts. */
  record(event: AuditEventInput, options?: { signal?: AbortSignal }): Promise<AuditEvent>;
  /**
   * A stream's events, oldest first (verify, export) or newest first a page at a time (the account's
   * list). With a filter, a page holds the matching events among a bounded number read: it may hold
   * fewer than `limit` (even none) and still name a `nextCursor` to read on from.
   */
  page(
    stream: string,
    options: { newestFirst: boolean; limit: number; cursor?: string; filter?: AuditFilter },
  ): Promise<{ events: AuditEvent[]; nextCursor?: string }>;
}

/** Every event of a stream, oldest first, a page at a time. */
export async function* streamEvents(trail: AuditTrail, stream: string): AsyncGenerator<AuditEvent> {
  let cursor: string | undefined;
  do {
    const page = await trail.page(stream, { newestFirst: false, limit: 500, cursor });
    yield* page.events;
    cursor = page.nextCursor;
  } while (cursor);
}
