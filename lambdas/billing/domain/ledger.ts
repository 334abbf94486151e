import type { DisputeRecord, RefundRecord } from './settlement';

/**
 * Kinds of money movement. Credits in: `grant` (by an operator), `purchase` (a paid Stripe checkout),
 * `refund` (a metered call whose upstream failed), `release` (a dispute won, or a Stripe refund that failed or was cancelled), `adjustment` (an operator's correction, either way; never below zero). Credits out: `clawback`
 * (a Stripe refund), `hold` (a dispute opened; kept if it is lost). A `clawback` of 0 records that held credits were
 * taken for good (a refund or a lost dispute of money already held). Usage charges are not entries:
 * they are summed in the daily usage aggregates, so balance = Σ entries − Σ charged usage.
 */
export const LEDGER_ENTRY_TYPES = ['grant', 'purchase', 'refund', 'clawback', 'hold', 'release', 'adjustment'] as const;
export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

/** Stripe's side of a money movement: ids, amount and currency only — never card data. */
export interface StripeRefs {
  customerId?: string;
  checkoutSessionId?: string;
  paymentIntentId?: string;
  chargeId?: string;
  disputeId?: string;
  refundId?: string;
  eventId?: string;
  /** What was paid, refunded or disputed, in the currency's smallest unit. */
  amountMinor?: number;
  currency?: string;
}

export interface LedgerEntry {
  entryId: string;
  type: LedgerEntryType;
  /** Positive adds credit, negative takes it away; integer micro-credits. */
  amountMicro: number;
  reason: string;
  /** What it answers to: a Stripe object id, a request id, an operator's reference. */
  ref?: string;
  /** The credit pack a purchase (or its reversal) concerns. */
  pack?: string;
  stripe?: StripeRefs;
  at: string;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'entryId' | 'at'> & { at?: Date };

/** A page of entries, newest first. */
export interface LedgerPage {
  entries: LedgerEntry[];
  nextCursor?: string;
}

export type DisputeStatus = 'open' | 'won' | 'lost';

/** One paid Stripe payment as the ledger knows it: enough to reverse exactly what it credited. */
export interface Purchase {
  paymentIntentId: string;
  accountId: string;
  pack: string;
  creditsMicro: number;
  /** What was paid, in the currency's smallest unit. */
  amountMinor: number;
  currency: string;
  checkoutSessionId: string;
  customerId?: string;
  /** The largest refunded total Stripe reported on the charge (cumulative; see `refundedOf` for what stands now). */
  refundedMinor: number;
  /** Refunds Stripe reported one by one, by id: amount and state (absent on purchases stored before). */
  refunds?: Record<string, RefundRecord>;
  /** Credits taken back for good: the share of the money refunded or lost to disputes (see settlement.ts). */
  clawedBackMicro: number;
  /** Credits set aside while disputes are open; absent on purchases stored before settlement. */
  heldMicro?: number;
  /** Disputes of this payment by id: the amount disputed and how it stands. */
  disputes: Record<string, DisputeRecord>;
  /** Bumped by every change; a change names the version it read (optimistic concurrency). */
  version: number;
  at: string;
  /** Set when the purchase is credited, cleared once its receipt went out (absent on purchases stored before). */
  receiptDue?: boolean;
  /** When a delivery claimed the receipt to send it (see `Ledger.claimNotice`); cleared with it. */
  receiptClaimedAt?: string;
  /**
   * What refunds and disputes did to the purchase, still to be mailed to its buyer, by the idempotency key
   * of the ledger entry that did it: set with the entry, cleared once the notice went out.
   */
  noticesDue?: Record<string, ReversalNotice & { claimedAt?: string }>;
}

/** A refund or dispute notice as written when its entry was applied (greeting and balance are added when it is sent). */
export interface ReversalNotice {
  subject: string;
  line: string;
}

/**
 * How long a claim on a notice keeps other deliveries from sending it: past the webhook function's
 * timeout (20 s), so a claim outlives only a delivery that died while sending, whose notice then goes
 * with a later one (perhaps a second time, if that delivery died after SES took it).
 */
export const NOTICE_CLAIM_LEASE_MS = 60_000;

/** A notice a purchase owes its buyer: its receipt, or the notice of the ledger entry (by idempotency key) that reversed part of it. */
export type PurchaseNoticeId = 'receipt' | { entry: string };

/** What a claimed notice holds: nothing for the receipt (written as it is sent), the text of a reversal's. */
export type ClaimedNotice = { kind: 'receipt' } | { kind: 'reversal'; notice: ReversalNotice };

/** A change to a purchase, made in the same transaction as the ledger entry it explains. */
export type PurchaseWrite =
  | { kind: 'create'; purchase: Purchase }
  | {
      kind: 'update';
      paymentIntentId: string;
      expectVersion: number;
      changes: Partial<Pick<Purchase, 'refundedMinor' | 'refunds' | 'clawedBackMicro' | 'heldMicro' | 'disputes'>>;
      /**
       * The notice the change owes the buyer, made due with it; `first` when the purchase as read had no
       * notices map (the version condition keeps that true until the write).
       */
      notice?: { entry: string; notice: ReversalNotice; first: boolean };
    };

/** `keepNonNegative`: the movement applies only if the balance item covers it (an operator's debit never overdraws). */
export interface PostOptions {
  keepNonNegative?: boolean;
}

/**
 * `applied`: written. `duplicate`: this movement was posted before; nothing changed.
 * `stale`: the purchase changed since it was read; read it again and recompute.
 * `payment_taken`: a purchase's payment is another account's purchase already; nothing changed.
 */
export type PostOutcome = 'applied' | 'duplicate' | 'stale' | 'insufficient' | 'payment_taken';

/** A refund or dispute that arrived before the purchase it reverses (Stripe does not promise order). */
export interface PendingReversal {
  eventId: string;
  eventType: string;
  /** The Stripe object of the event (charge or dispute), reduced to ids and amounts. */
  object: Record<string, string | number | undefined>;
  receivedAt: string;
}

/** Port: the append-only ledger, the balance it moves and the purchases it can reverse. */
export interface Ledger {
  /**
   * Appends the entry and moves the balance by its amount in one transaction, with the purchase
   * change if one is given. `idempotencyKey` names the movement (e.g. `purchase:cs_…`): posting it
   * again changes nothing.
   */
  post(
    accountId: string,
    entry: NewLedgerEntry,
    idempotencyKey: string,
    purchase?: PurchaseWrite,
    options?: PostOptions,
  ): Promise<{ outcome: PostOutcome; entry: LedgerEntry }>;
  /**
   * Claims one of the purchase's due notices to send: what it holds, for exactly one caller at a time;
   * `busy` while another caller's claim (younger than `NOTICE_CLAIM_LEASE_MS`) stands, for that send may
   * still fail; undefined when it is not due (sent, or never owed). The notice stays due until
   * `noticeSent`; `releaseNotice` drops the claim of a send that failed, so the next caller sends it.
   */
  claimNotice(accountId: string, paymentIntentId: string, id: PurchaseNoticeId, now: Date): Promise<ClaimedNotice | 'busy' | undefined>;
  noticeSent(accountId: string, paymentIntentId: string, id: PurchaseNoticeId): Promise<void>;
  releaseNotice(accountId: string, paymentIntentId: string, id: PurchaseNoticeId): Promise<void>;
  /** A purchase change with no money movement (a dispute won that held nothing). */
  updatePurchase(accountId: string, write: Extract<PurchaseWrite, { kind: 'update' }>): Promise<'applied' | 'stale'>;
  /** The purchase paid by this payment intent, whichever account made it. */
  purchaseOf(paymentIntentId: string): Promise<Purchase | undefined>;
  /**
   * Whether this payment was ever credited: its record outlives the purchase only when erasure took the
   * purchase with its account (the record then names the account's pseudonym).
   */
  paymentRecorded(paymentIntentId: string): Promise<boolean>;
  /** Every purchase of an account (open disputes are a legal hold on erasure). */
  purchasesOf(accountId: string): Promise<Purchase[]>;
  balance(accountId: string): Promise<number>;
  page(accountId: string, options: { limit: number; cursor?: string }): Promise<LedgerPage>;
  /** Every entry, oldest first (reconciliation, export). */
  all(accountId: string): Promise<LedgerEntry[]>;
}

/**
 * Port: refunds and disputes parked until their purchase lands. Parked only as long as Stripe could
 * still deliver that purchase: a payment of something else on the account never gets one.
 */
export interface ParkedReversals {
  add(paymentIntentId: string, pending: PendingReversal): Promise<void>;
  of(paymentIntentId: string): Promise<PendingReversal[]>;
  remove(paymentIntentId: string, eventId: string): Promise<void>;
}
