import type { TableName } from './tables';

/** The bounded context that writes an item type; everybody else reads or erases it through its key builder. */
export type Owner = 'accounts' | 'billing' | 'metering' | 'privacy' | 'mail' | 'audit' | 'notices';

/** How erasure finds an item type for one person: by what its partition key is built from. */
export type FoundBy =
  /** The partition key is built from the account id alone (a query erases it). */
  | 'account'
  /** The partition key is built from the SHA-256 of the address (failures and counters for an address). */
  | 'emailHash'
  /** The partition key is built from the address (the address's uniqueness guard). */
  | 'email'
  /** Found through an index or an attribute the note names. */
  | { via: string }
  /** Holds nobody: ids of Stripe objects, platform-wide indexes, product analytics. */
  | 'nobody';

/** `{name}` stands for one key segment (no `#`); `{name*}` for the rest of the key (it may hold `#`). */
type Params<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? (P extends `${infer N}*` ? N : P) | Params<Rest> : never;
type Values<S extends string> = { [K in Params<S>]: string | number };

export interface ItemTypeSpec<PK extends string, SK extends string> {
  table: TableName;
  owner: Owner;
  /** What one item is, in plain words. */
  holds: string;
  pk: PK;
  sk: SK;
  /** The `gsi1` partition key it is listed under, when the table has the index. */
  gsi1pk?: string;
  foundBy: FoundBy;
}

const SEGMENT = /\{(\w+)(\*?)\}/g;

function fill(pattern: string, values: Record<string, string | number>): string {
  return pattern.replace(SEGMENT, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`key ${pattern}: no value for {${name}}`);
    return String(value);
  });
}

function matcher(pattern: string): RegExp {
  const parts = pattern.split(SEGMENT);
  let source = '';
  // split() with two groups yields [literal, name, star, literal, name, star, …, literal].
  for (let i = 0; i < parts.length; i += 3) {
    source += parts[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (i + 1 < parts.length) source += parts[i + 2] === '*' ? '.+' : '[^#]+';
  }
  return new RegExp(`^${source}$`);
}

/**
 * One item type: its table, its owner and its key, declared once as a pattern from which the key
 * builders and the matcher that recognises a stored item are both made. The owner writes it; other
 * contexts (the exporter, the eraser, the usage worker's ledger refunds…) build its key through it,
 * so renaming a key changes every reader at once.
 */
export class ItemType<PK extends string = string, SK extends string = string> {
  private readonly pkPattern: RegExp;
  private readonly skPattern: RegExp;

  constructor(readonly spec: ItemTypeSpec<PK, SK>) {
    this.pkPattern = matcher(spec.pk);
    this.skPattern = matcher(spec.sk);
  }

  get table(): TableName {
    return this.spec.table;
  }

  key(values: Values<PK> & Values<SK>): { pk: string; sk: string } {
    return { pk: fill(this.spec.pk, values), sk: fill(this.spec.sk, values) };
  }

  pk(values: Values<PK>): string {
    return fill(this.spec.pk, values);
  }

  sk(values: Values<SK>): string {
    return fill(this.spec.sk, values);
  }

  /** The `gsi1` partition that lists items of this type for one owner (an account, a sender address). */
  gsi1pk(values: Record<string, string | number>): string {
    if (!this.spec.gsi1pk) throw new Error(`${this.spec.pk} is not listed in gsi1`);
    return fill(this.spec.gsi1pk, values);
  }

  /** The literal start of the sort key, before its first variable part: for `begins_with(sk, …)` over a partition. */
  get skPrefix(): string {
    return this.spec.sk.split('{')[0]!;
  }

  matches(item: { pk?: unknown; sk?: unknown }): boolean {
    return this.pkPattern.test(String(item.pk)) && this.skPattern.test(String(item.sk));
  }
}

const item = <PK extends string, SK extends string>(spec: ItemTypeSpec<PK, SK>) => new ItemType(spec);

/**
 * Every item type the platform stores, by table. The data map (shared/data-map.ts) lists them per
 * table in docs/data-map.md, and a test scans every table of a local run that exercised the platform
 * and fails on an item no type here recognises.
 */
export const ITEMS = {
  // accounts
  account: item({
    table: 'accounts',
    owner: 'accounts',
    holds: 'the account: profile, preferences, password hash, plan, Stripe customer id',
    pk: 'ACCOUNT#{accountId}',
    sk: 'PROFILE',
    foundBy: 'account',
  }),
  emailGuard: item({
    table: 'accounts',
    owner: 'accounts',
    holds: 'the guard that keeps one account per address',
    pk: 'EMAIL#{email*}',
    sk: 'EMAIL',
    foundBy: 'email',
  }),
  // sessions
  session: item({
    table: 'sessions',
    owner: 'accounts',
    holds: "a signed-in session's lookup copy, found by the hash of the token a request presents",
    pk: 'SESSION#{tokenHash}',
    sk: 'SESSION',
    // Only sessions opened before the account's own items existed carry it (shared/adapters/dynamodb-sessions.ts).
    gsi1pk: 'ACCOUNT#{accountId}',
    foundBy: { via: "the tokenHash of the account's copy (sessions opened before those copies: gsi1pk = ACCOUNT#<accountId>)" },
  }),
  accountSession: item({
    table: 'sessions',
    owner: 'accounts',
    holds: "the account's own copy of a session, written and deleted with its lookup copy: listed with a strongly consistent query",
    pk: 'ACCOUNT#{accountId}',
    sk: 'SESSION#{sessionId}',
    foundBy: 'account',
  }),
  // tokens
  emailLink: item({
    table: 'tokens',
    owner: 'accounts',
    holds: 'a single-use mailed link (the hash of its token)',
    pk: 'TOKEN#{tokenHash}',
    sk: 'TOKEN',
    foundBy: { via: 'the accountId attribute (a scan of a table holding a day of links)' },
  }),
  // apiKeys
  apiKey: item({
    table: 'apiKeys',
    owner: 'accounts',
    holds: 'an API key: name, prefix, status, the hash of its secret',
    pk: 'ACCOUNT#{accountId}',
    sk: 'KEY#{keyId}',
    foundBy: 'account',
  }),
  keySlot: item({
    table: 'apiKeys',
    owner: 'accounts',
    holds: "one of the account's 20 key places, and the key that took it: concurrent creations cannot pass the cap",
    pk: 'ACCOUNT#{accountId}',
    sk: 'KEYSLOT#{slot}',
    foundBy: 'account',
  }),
  apiKeyLookup: item({
    table: 'apiKeys',
    owner: 'accounts',
    holds: "a key's lookup copy, found by the hash of the secret a call presents",
    pk: 'SECRET#{secretHash}',
    sk: 'SECRET',
    foundBy: { via: "the key's secretHash" },
  }),
  // ledger
  ledgerEntry: item({
    table: 'ledger',
    owner: 'billing',
    holds: 'a ledger entry (grant, purchase, refund, clawback, hold, release, a failed call given back)',
    pk: 'ACCOUNT#{accountId}',
    sk: 'ENTRY#{at}#{entryId*}',
    foundBy: 'account',
  }),
  ledgerRef: item({
    table: 'ledger',
    owner: 'billing',
    holds: "an entry's idempotency guard",
    pk: 'ACCOUNT#{accountId}',
    sk: 'REF#{idempotencyKey*}',
    foundBy: 'account',
  }),
  balance: item({
    table: 'ledger',
    owner: 'billing',
    holds: "the running balance (debited by the metered gateway), with the low-balance notice's state (metering's: armed, when last sent)",
    pk: 'ACCOUNT#{accountId}',
    sk: 'BALANCE',
    foundBy: 'account',
  }),
  balanceShard: item({
    table: 'ledger',
    owner: 'billing',
    holds: "a part of a sharded plan's balance",
    pk: 'SHARD#{accountId}#{shard}',
    sk: 'BALANCE',
    foundBy: { via: "the shard numbers on the account's balance item" },
  }),
  purchase: item({
    table: 'ledger',
    owner: 'billing',
    holds: 'a purchase, what was reversed of it and the notices of it still to mail',
    pk: 'ACCOUNT#{accountId}',
    sk: 'PURCHASE#{paymentIntentId}',
    foundBy: 'account',
  }),
  lowBalanceNotice: item({
    table: 'ledger',
    owner: 'metering',
    holds: "the low-balance notice's state as earlier versions kept it (read once per account, then kept on the balance item)",
    pk: 'ACCOUNT#{accountId}',
    sk: 'NOTICE#low-balance',
    foundBy: 'account',
  }),
  payment: item({
    table: 'ledger',
    owner: 'billing',
    holds: 'which account a Stripe payment belongs to',
    pk: 'PAYMENT#{paymentIntentId}',
    sk: 'PAYMENT',
    foundBy: { via: "the account's purchases (its accountId becomes the pseudonym)" },
  }),
  pendingReversal: item({
    table: 'webhookEvents',
    owner: 'billing',
    holds: 'a refund or dispute that arrived before its payment (expires with the event records)',
    pk: 'PAYMENT#{paymentIntentId}',
    sk: 'PENDING#{eventId}',
    foundBy: 'nobody',
  }),
  pseudonymisedEntry: item({
    table: 'ledger',
    owner: 'privacy',
    holds: "an erased account's ledger entry, kept for accounting under a keyed pseudonym",
    pk: 'PSEUDONYM#{pseudonym}',
    sk: 'ENTRY#{at}#{entryId*}',
    foundBy: 'nobody',
  }),
  // usageLogs (shared/adapters/dynamodb-usage-logs.ts writes them for the metering worker)
  logPage: item({
    table: 'usageLogs',
    owner: 'metering',
    holds: "a compressed page of one account's calls in one minute, or a call with no sequence number",
    pk: 'ACCOUNT#{accountId}',
    sk: 'L#{at}#{rest*}',
    foundBy: 'account',
  }),
  logSlot: item({
    table: 'usageLogs',
    owner: 'metering',
    holds:
      'up to 8 compact calls of an account that is not busy: one run of its sequence numbers in one hour, by any of its keys and user agents (each key id held once, each agent held or named by its id); earlier per-client slots add `_<client>` to the key',
    pk: 'ACCOUNT#{accountId}',
    sk: 'M#{hourEnd}#Z{slot}',
    foundBy: 'account',
  }),
  logAgent: item({
    table: 'usageLogs',
    owner: 'metering',
    holds: "a user agent the account's slots of one hour name (by 6 bytes of its hash), held once for them",
    pk: 'ACCOUNT#{accountId}',
    sk: 'M#{hourEnd}#a{agentId}',
    foundBy: 'account',
  }),
  logDaySlot: item({
    table: 'usageLogs',
    owner: 'metering',
    holds:
      'up to 8 compact calls an account made after a long silence (ten minutes or more since its previous call): one run of its sequence numbers in one UTC day, held as a slot holds them',
    pk: 'ACCOUNT#{accountId}',
    sk: 'N#{dayEnd}#Z{slot}',
    foundBy: 'account',
  }),
  logDayAgent: item({
    table: 'usageLogs',
    owner: 'metering',
    holds: "a user agent the account's day slots of one day name (by 6 bytes of its hash), held once for them",
    pk: 'ACCOUNT#{accountId}',
    sk: 'N#{dayEnd}#a{agentId}',
    foundBy: 'account',
  }),
  logSingle: item({
    table: 'usageLogs',
    owner: 'metering',
    holds: 'one compressed call of an account that is not busy: refused, no room in its slot, or stored before slots',
    pk: 'ACCOUNT#{accountId}',
    sk: 'M#{at}#{call}',
    foundBy: 'account',
  }),
  logSeqBlock: item({
    table: 'usageLogs',
    owner: 'metering',
    holds: 'which sequence numbers of a block were recorded (exactly once)',
    pk: 'ACCOUNT#{accountId}',
    sk: 'SEQ#{block}',
    foundBy: 'account',
  }),
  sweepList: item({
    table: 'usageLogs',
    owner: 'metering',
    holds:
      "an account with single calls on a day's sweep list, with the hours of the day it had a busy minute in (the scheduled sweep finishes their hours' rollups)",
    pk: 'SWEEP#{day}#{shard}',
    sk: '{accountId}',
    foundBy: { via: 'the account id as sort key of each kept day list (erased with the logs; 3-day TTL)' },
  }),
  sweepWeekList: item({
    table: 'usageLogs',
    owner: 'metering',
    holds:
      "an account with lone calls (its day slots) in a seven-day period, on that week's sweep list (the scheduled sweep finishes each of its days at the period's end)",
    pk: 'SWEEP#W#{week}#{shard}',
    sk: '{accountId}',
    foundBy: { via: 'the account id as sort key of this and the last week list (erased with the logs; kept 3 days past the week)' },
  }),
  logLegacy: item({
    table: 'usageLogs',
    owner: 'metering',
    holds:
      'one call in the earlier one-call form (read, exported and erased alike until it expires; declared last, as a seq block key has its shape too)',
    pk: 'ACCOUNT#{accountId}',
    sk: '{at}#{requestId}',
    foundBy: 'account',
  }),
  // usageAggregates
  singlesDay: item({
    table: 'usageAggregates',
    owner: 'metering',
    holds:
      'the single calls of a day counted so far, per hour and product (an account that is not busy: its slots and single call items), under one version (declared before the hourly rollups, whose key has its shape too)',
    pk: 'ACCOUNT#{accountId}#H',
    sk: '{day}#S',
    foundBy: 'account',
  }),
  singlesWeek: item({
    table: 'usageAggregates',
    owner: 'metering',
    holds:
      "the single calls of an account's seven-day period that the sweep's week pass counted (its lone calls' days), per day, hour and product, under one version (declared before the hourly rollups, whose key has its shape too)",
    pk: 'ACCOUNT#{accountId}#H',
    sk: 'W#{week}',
    foundBy: 'account',
  }),
  hourlyUsage: item({
    table: 'usageAggregates',
    owner: 'metering',
    holds:
      "an account's calls and credits in one hour for one product (pages); with `#S`, the single calls counted so far in the hourly form of earlier versions (read, and taken over into the day's item when counted again)",
    pk: 'ACCOUNT#{accountId}#H',
    sk: '{hour}#{product*}',
    foundBy: 'account',
  }),
  dailyUsage: item({
    table: 'usageAggregates',
    owner: 'metering',
    holds: 'a daily rollup written by earlier versions (read and erased alike)',
    pk: 'ACCOUNT#{accountId}#D',
    sk: '{day}#{product*}',
    foundBy: 'account',
  }),
  productAnalytics: item({
    table: 'usageAggregates',
    owner: 'metering',
    holds: "a product's calls in one hour, from accounts that did not object to analytics (no account named)",
    pk: 'ANALYTICS#{product}#H',
    sk: '{hour}#{rest*}',
    foundBy: 'nobody',
  }),
  sweepCursor: item({
    table: 'usageAggregates',
    owner: 'metering',
    holds:
      "how far the usage sweep got: moved past each hour it finished for every listed account, and a run that ran out of time's mark in the next (its hour, shard and last account)",
    pk: 'SWEEP#CURSOR',
    sk: 'CURSOR',
    foundBy: 'nobody',
  }),
  // privacyRequests
  privacyRequest: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'a privacy request: type, deadline, history, what was done',
    pk: 'REQUEST#{requestId}',
    sk: 'REQUEST',
    gsi1pk: 'ACCOUNT#{accountId}',
    foundBy: { via: 'gsi1pk = ACCOUNT#<accountId>' },
  }),
  openRequestClaim: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'the claim that makes a request asked again join the open one (its type; for a correction, a digest of its words too)',
    pk: 'OPEN#{accountId}#{type}',
    sk: 'OPEN',
    foundBy: { via: "the account id and each request type, and each correction's words (openSlotOf)" },
  }),
  openRequestsIndex: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: "the index of open requests (the watchdog's list)",
    pk: 'OPENREQUESTS',
    sk: '{requestId}',
    foundBy: 'nobody',
  }),
  unclearMail: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'privacy mail nobody could classify, on the legal clock',
    pk: 'UNCLEAR#{ticketId}',
    sk: 'UNCLEAR',
    gsi1pk: 'SENDER#{email}',
    foundBy: { via: 'gsi1pk = SENDER#<address>, since the account held it' },
  }),
  openUnclearIndex: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'the index of unclear mail waiting for an operator',
    pk: 'OPENUNCLEAR',
    sk: '{ticketId}',
    foundBy: { via: 'the unclear mail it indexes' },
  }),
  intake: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'what a privacy mail came to (so a redelivery is not answered twice)',
    pk: 'INTAKE#{messageId*}',
    sk: 'INTAKE',
    foundBy: 'nobody',
  }),
  legalHold: item({
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'a legal hold on an account (defers its deletion)',
    pk: 'HOLD#{accountId}',
    sk: 'HOLD',
    foundBy: 'account',
  }),
  // webhookEvents
  webhookEvent: item({
    table: 'webhookEvents',
    owner: 'billing',
    holds: 'a Stripe event handled (id, type, outcome)',
    pk: 'EVENT#{eventId}',
    sk: 'EVENT',
    foundBy: { via: 'the customerId attribute' },
  }),
  // securityEvents
  securityEvent: item({
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'a sign-in, password or key event with address and user agent',
    pk: 'ACCOUNT#{accountId}',
    sk: '{at}#{eventId}',
    foundBy: 'account',
  }),
  anonymousSignInFailure: item({
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'a failed sign-in for an address no account held',
    pk: 'ACCOUNT#anonymous#{emailHash}',
    sk: '{at}#{eventId}',
    foundBy: 'emailHash',
  }),
  keyAddresses: item({
    table: 'securityEvents',
    owner: 'metering',
    holds: 'per key and hour, digests of the addresses it was used from',
    pk: 'ADDRESSES#{accountId}',
    sk: '{hour}#{keyId}',
    foundBy: 'account',
  }),
  // tickets
  ticket: item({
    table: 'tickets',
    owner: 'mail',
    holds: 'mail received at privacy@, support@ and hello@',
    pk: 'TICKET#{ticketId}',
    sk: 'TICKET',
    gsi1pk: 'SENDER#{email}',
    foundBy: { via: 'gsi1pk = SENDER#<address>, since the account held it' },
  }),
  // notices (lambdas/notices)
  noticeJob: item({
    table: 'notices',
    owner: 'notices',
    holds: 'a technical notice being sent: topic, text, audience counts, progress',
    pk: 'NOTICE#{noticeId}',
    sk: 'JOB',
    foundBy: 'nobody',
  }),
  noticeDelivery: item({
    table: 'notices',
    owner: 'notices',
    holds: 'one recipient of a notice, by a hash of notice and account ids (claimed once, then its outcome)',
    pk: 'NOTICE#{noticeId}',
    sk: 'R#{delivery}',
    foundBy: 'nobody',
  }),
  // suppressions
  suppression: item({
    table: 'suppressions',
    owner: 'notices',
    holds: 'an address no mail may go to (a bounce or complaint SES reported), by the SHA-256 of the address',
    pk: 'ADDRESS#{digest}',
    sk: 'SUPPRESSION',
    foundBy: 'nobody',
  }),
  // auditEvents
  auditEvent: item({
    table: 'auditEvents',
    owner: 'audit',
    holds: 'one event of a hash-chained audit stream',
    pk: 'STREAM#{stream*}',
    sk: 'E#{seq}',
    foundBy: { via: 'pk = STREAM#account#<accountId>' },
  }),
} as const;

export type ItemTypeName = keyof typeof ITEMS;

/**
 * Where an erased account's kept records are filed: its ledger entries (`pk`) and its answered privacy
 * requests (`gsi1pk`), under the account's keyed pseudonym.
 */
export const auditEventKey = (stream: string, seq: number) => ITEMS.auditEvent.key({ stream, seq: String(seq).padStart(12, '0') });

export const pseudonymPartition = (pseudonym: string) => `PSEUDONYM#${pseudonym}`;

/**
 * A fixed-window counter (shared/throttle.ts) as stored: `THROTTLE#<name>#<subject>` / `W#<window start>`.
 * Each counter is declared here with its owner and what its subject is, so erasure finds every
 * counter that names a person without knowing any context's counter names.
 */
export class CounterType {
  readonly item: ItemType;

  constructor(
    readonly name: string,
    readonly spec: { table: TableName; owner: Owner; holds: string; subject: 'accountId' | 'emailHash' | 'ip' | 'senderHash' },
  ) {
    this.item = new ItemType({
      table: spec.table,
      owner: spec.owner,
      holds: spec.holds,
      pk: `THROTTLE#${name}#{${spec.subject}}`,
      sk: 'W#{windowStart}',
      foundBy: spec.subject === 'accountId' ? 'account' : spec.subject === 'emailHash' ? 'emailHash' : 'nobody',
    });
  }

  /** The key the WindowCounter port takes (its adapter adds `THROTTLE#`). */
  of(subject: string): string {
    return `${this.name}#${subject}`;
  }

  /** The partition holding every window of one subject. */
  partition(subject: string): string {
    return `THROTTLE#${this.of(subject)}`;
  }
}

const counter = (name: string, spec: CounterType['spec']) => new CounterType(name, spec);

export const COUNTERS = {
  signInFailures: counter('login-fail', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'failed password checks for an address (15 minutes)',
    subject: 'emailHash',
  }),
  signInAddress: counter('login-ip', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'failed password checks from a network address (an IPv6 /64 as one)',
    subject: 'ip',
  }),
  signUpsForEmail: counter('signup-email', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'sign-ups for an address',
    subject: 'emailHash',
  }),
  signUpsFromAddress: counter('signup-ip', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'sign-ups from a network address (an IPv6 /64 as one)',
    subject: 'ip',
  }),
  passwordResetsForEmail: counter('reset-email', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'password-reset mails asked for an address (its mailbox)',
    subject: 'emailHash',
  }),
  passwordResetsFromAddress: counter('reset-ip', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'password-reset mails asked for from a network address (an IPv6 /64 as one)',
    subject: 'ip',
  }),
  verificationResendsForEmail: counter('resend-email', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'verification mails resent to an address (its mailbox)',
    subject: 'emailHash',
  }),
  verificationResendsFromAddress: counter('resend-ip', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'verification mails resent from a network address (an IPv6 /64 as one)',
    subject: 'ip',
  }),
  emailChangesForEmail: counter('change-email', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'email-change links mailed to an address (its mailbox)',
    subject: 'emailHash',
  }),
  emailChangesFromAddress: counter('change-ip', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: 'email-change links asked for from a network address (an IPv6 /64 as one)',
    subject: 'ip',
  }),
  passwordChecks: counter('password-check', {
    table: 'securityEvents',
    owner: 'accounts',
    holds: "password checks from an account's sessions",
    subject: 'accountId',
  }),
  checkouts: counter('checkout', {
    table: 'securityEvents',
    owner: 'billing',
    holds: 'checkout sessions an account opened in an hour',
    subject: 'accountId',
  }),
  privacyRequestsOfAccount: counter('privacy-account', {
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'privacy requests an account filed',
    subject: 'accountId',
  }),
  privacyPasswordChecks: counter('privacy-password', {
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'password checks confirming an erasure',
    subject: 'accountId',
  }),
  privacyMailFromSender: counter('privacy-sender', {
    table: 'privacyRequests',
    owner: 'privacy',
    holds: 'privacy mail from one sender (flood limit)',
    subject: 'senderHash',
  }),
  mailAnswers: counter('mail-answers', {
    table: 'tickets',
    owner: 'mail',
    holds: 'automatic answers to one sender in a day',
    subject: 'senderHash',
  }),
} as const;

/** Every item type a table can hold: the declared ones and its counters. */
export function itemTypesOf(table: TableName): ItemType[] {
  return [...Object.values(ITEMS), ...Object.values(COUNTERS).map((c) => c.item)].filter((type) => type.table === table);
}

/** The item type a stored item is, or undefined when no declared type recognises it. */
export function itemTypeOf(table: TableName, stored: { pk?: unknown; sk?: unknown }): ItemType | undefined {
  return itemTypesOf(table).find((type) => type.matches(stored));
}

/**
 * The partitions of `table` built from one person's account id or address hash alone: erasure
 * deletes them whole. Counters keyed by an account or an address are among them, whichever context
 * declared them.
 */
export function subjectPartitions(table: TableName, subject: { accountId: string; emailHash: string }): string[] {
  const partitions = new Set<string>();
  for (const type of itemTypesOf(table)) {
    const { pk, foundBy } = type.spec;
    if (foundBy === 'account' && /^[^{]*\{accountId\}[^{]*$/.test(pk)) partitions.add(pk.replace('{accountId}', subject.accountId));
    if (foundBy === 'emailHash' && /^[^{]*\{emailHash\}[^{]*$/.test(pk)) partitions.add(pk.replace('{emailHash}', subject.emailHash));
  }
  return [...partitions];
}
