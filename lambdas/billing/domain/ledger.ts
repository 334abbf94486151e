/**
 * Kinds of money movement. Credits in: `grant` (by an operator), `purchase` (a paid Stripe checkout),
 * `refund` (a metered call whose upstream failed), `release` (a dispute won). Credits out: `clawback`
 * (a Stripe refund), `hold` (a dispute opened). Usage charges are not entries: they are summed in the
 * daily usage aggregates, so balance = Σ entries − Σ charged usage.
 */
export const LEDGER_ENTRY_TYPES = ['grant', 'purchase', 'refund', 'clawback', 'hold', 'release'] as const;
export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

/** Stripe's side of a money movement: ids, amount and currency only — never card data. */
export interface StripeRefs {
  customerId?: string;
  checkoutSessionId?: string;
  paymentIntentId?: string;
  chargeId?: string;
  disputeId?: string;
  eventId?: string;
  /** What was paid or refunded, in the currency's smallest unit. */
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

/** A page of entries, newest first. */
export interface LedgerPage {
  entries: LedgerEntry[];
  nextCursor?: string;
}

/** Port: the append-only ledger and the balance it moves. */
export interface Ledger {
  /**
   * Appends the entry and moves the balance by its amount in one transaction. `idempotencyKey` names
   * the movement (e.g. `purchase:cs_…`): posting it again changes nothing and returns `applied: false`.
   */
  post(accountId: string, entry: Omit<LedgerEntry, 'entryId' | 'at'> & { at?: Date }, idempotencyKey: string): Promise<{ applied: boolean; entry: LedgerEntry }>;
  balance(accountId: string): Promise<number>;
  page(accountId: string, options: { limit: number; cursor?: string }): Promise<LedgerPage>;
  /** Every entry, oldest first (reconciliation, export). */
  all(accountId: string): Promise<LedgerEntry[]>;
}
