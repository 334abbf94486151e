import type { DisputeStatus, LedgerEntry, Purchase } from './ledger';

/**
 * What Stripe has told us about one payment's money, one event at a time. Each fact only ever moves
 * forward — the largest refunded total seen grows, a refund ends once (succeeded, then perhaps failed),
 * a dispute closes once — so the facts an account ends with do not depend on the order Stripe
 * delivered them in.
 */
export type PaymentFact =
  /** The charge's refunded total (`charge.refunded`), as it stood when Stripe sent it. */
  (
    | { kind: 'refund'; refundedMinor: number; chargeId?: string }
    /** One refund and its state (`refund.*`, `charge.refund.updated`): its own amount, not the charge's total. */
    | { kind: 'refundStatus'; refundId: string; amountMinor: number; status: RefundStatus; chargeId?: string }
    | { kind: 'dispute'; disputeId: string; amountMinor: number; status: DisputeStatus; chargeId?: string }
  ) & {
    /** The currency the amount is counted in, as Stripe reported it (absent: the payment's). */
    currency?: string;
  };

/**
 * An amount counted in another currency than the payment's cannot be compared with what was paid
 * (100 yen is not 100 cents): it is read as the whole payment, so money that may be gone never stays
 * spendable as credits. Stripe counts a charge's refunds and disputes in the charge's currency, so this
 * only happens when something is wrong; ops are told (stripe-events.ts).
 */
export function inPaymentCurrency(purchase: Pick<Purchase, 'amountMinor' | 'currency'>, fact: PaymentFact): PaymentFact {
  if (!isForeign(purchase, fact)) return fact;
  return fact.kind === 'refund' ? { ...fact, refundedMinor: purchase.amountMinor } : { ...fact, amountMinor: purchase.amountMinor };
}

/** Whether the fact's amount is counted in another currency than the purchase was paid in. */
export function isForeign(purchase: Pick<Purchase, 'currency'>, fact: PaymentFact): boolean {
  return fact.currency !== undefined && fact.currency.toLowerCase() !== purchase.currency.toLowerCase();
}

/**
 * A refund's state as far as money is concerned: `pending` (Stripe's `pending` and `requires_action`)
 * and `succeeded` have taken the money back to the buyer; `failed` and `canceled` gave it back to us.
 * A refund only moves forward: pending → succeeded → failed, or pending → canceled.
 */
export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

const REFUND_RANK: Record<RefundStatus, number> = { pending: 0, succeeded: 1, failed: 2, canceled: 2 };
/**
 * How far a dispute has come: open, then decided. A won dispute is final; a lost one may still be won
 * on appeal (Stripe's `appeal_*` statuses follow a loss, its money still withdrawn), never the reverse.
 */
const DISPUTE_RANK: Record<DisputeStatus, number> = { open: 0, lost: 1, won: 2 };
/** Refund states in which the money came back to us. */
const RETURNED = new Set<RefundStatus>(['failed', 'canceled']);

/**
 * Dispute statuses that end a dispute costing us nothing: won, an inquiry closed with a warning, and a
 * chargeback Stripe `prevented` before it was filed (blocked, or resolved by a refund — which its own
 * refund events report and claw back). `charge_refunded` is how API versions before 2014-11-20 spell a
 * dispute won on a refunded charge.
 */
const DISPUTE_WON = new Set(['won', 'warning_closed', 'prevented', 'charge_refunded']);
/**
 * Dispute statuses whose money is gone: lost, and a lost dispute under appeal (`appeal_needs_response`,
 * `appeal_under_review`: the funds stay withdrawn until the appeal is won, when it becomes `won`).
 */
const DISPUTE_LOST = new Set(['lost', 'appeal_needs_response', 'appeal_under_review']);

/** A dispute's state as money sees it, from the status Stripe writes; a `closed` dispute that was not won was lost. */
export function disputeStatusOf(reported: string, closed = false): DisputeStatus {
  if (DISPUTE_WON.has(reported)) return 'won';
  return DISPUTE_LOST.has(reported) || closed ? 'lost' : 'open';
}

/** One refund as the purchase remembers it. */
export interface RefundRecord {
  amountMinor: number;
  status: RefundStatus;
}

/**
 * What is refunded of a payment now, from both kinds of fact: the largest total the charge reported,
 * less the refunds that failed or were cancelled since (a charge's total drops when one does), and
 * never less than the refunds Stripe reported one by one that still stand. Once every refund event is
 * in, this is exactly Stripe's figure; before that, it never counts a failed refund as kept.
 */
export function refundedOf(purchase: Pick<Purchase, 'amountMinor' | 'refundedMinor' | 'refunds'>): number {
  const refunds = Object.values(purchase.refunds ?? {});
  const returned = sum(refunds.filter((r) => RETURNED.has(r.status)).map((r) => r.amountMinor));
  const standing = sum(refunds.filter((r) => !RETURNED.has(r.status)).map((r) => r.amountMinor));
  return Math.min(purchase.amountMinor, Math.max(purchase.refundedMinor - returned, standing, 0));
}

/** One dispute as the purchase remembers it. `heldMicro` is only on purchases stored before settlement. */
export interface DisputeRecord {
  amountMinor?: number;
  status: DisputeStatus;
  heldMicro?: number;
}

/** A purchase's credits, split by what Stripe's facts say of its money. */
export interface CreditSplit {
  /** Taken back for good: the share of money refunded or lost to disputes. Never comes back. */
  clawedBackMicro: number;
  /** Set aside while disputes are open; released when they are won. */
  heldMicro: number;
}

/**
 * The one rule for a purchase's credits: the customer may spend exactly the share of the price we
 * keep. Money refunded or lost in a dispute is gone (clawed back); money under an open dispute is
 * held; a won dispute costs nothing. Each share is taken of the cumulative amount, so rounding never
 * leaves a micro-credit behind or takes one twice, and the split is a function of the facts alone:
 * clawedBack + held + available = purchased, whatever order the events came in.
 */
export function splitOf(
  purchase: Pick<Purchase, 'creditsMicro' | 'amountMinor' | 'refundedMinor' | 'refunds'> & { disputes: Record<string, DisputeRecord> },
): CreditSplit {
  const disputes = Object.values(purchase.disputes).map((d) => ({ status: d.status, amountMinor: disputedMinor(purchase, d) }));
  const lost = sum(disputes.filter((d) => d.status === 'lost').map((d) => d.amountMinor));
  const open = sum(disputes.filter((d) => d.status === 'open').map((d) => d.amountMinor));
  const gone = Math.min(purchase.amountMinor, refundedOf(purchase) + lost);
  const clawedBackMicro = shareOf(purchase, gone);
  return { clawedBackMicro, heldMicro: shareOf(purchase, Math.min(purchase.amountMinor, gone + open)) - clawedBackMicro };
}

/** The split as the purchase has recorded it (purchases stored before settlement kept holds per dispute). */
export function recordedSplit(purchase: Purchase): CreditSplit {
  const disputes = Object.values(purchase.disputes as Record<string, DisputeRecord>);
  const legacyHeld = sum(disputes.map((d) => (d.status === 'won' ? 0 : (d.heldMicro ?? 0))));
  return { clawedBackMicro: purchase.clawedBackMicro, heldMicro: purchase.heldMicro ?? legacyHeld };
}

/** A dispute as its buyer is shown it: the payment, what was disputed and how it stands. */
export interface DisputeSummary {
  disputeId: string;
  paymentIntentId: string;
  pack: string;
  /** Open: its share of the credits is held; won: released; lost: taken back for good. */
  status: DisputeStatus;
  amountMinor: number;
  currency: string;
  /** When the payment was made. */
  paidAt: string;
}

/** Every dispute of the buyer's payments, newest payment first, and the credits the open ones hold. */
export function disputesOf(purchases: Purchase[]): { heldMicro: number; disputes: DisputeSummary[] } {
  const disputes = [...purchases]
    .sort((a, b) => b.at.localeCompare(a.at))
    .flatMap((purchase) =>
      Object.entries(purchase.disputes as Record<string, DisputeRecord>).map(([disputeId, dispute]) => ({
        disputeId,
        paymentIntentId: purchase.paymentIntentId,
        pack: purchase.pack,
        status: dispute.status,
        amountMinor: disputedMinor(purchase, dispute),
        currency: purchase.currency,
        paidAt: purchase.at,
      })),
    );
  return { heldMicro: sum(purchases.map((p) => recordedSplit(p).heldMicro)), disputes };
}

/** What applying one fact to a purchase changes: its new facts and split, and the balance's move. */
export interface Settlement {
  changes: Pick<Purchase, 'refundedMinor' | 'refunds' | 'disputes' | 'clawedBackMicro' | 'heldMicro'>;
  /** Positive gives credits back (a dispute won, a refund failed), negative takes them; 0 when only their kind changes. */
  balanceMicro: number;
  before: CreditSplit;
  after: CreditSplit;
}

/**
 * Applies a fact; undefined when the purchase knows it already (a redelivery, an older refund total, a
 * refund's earlier state, a closed dispute reopened).
 */
export function settle(purchase: Purchase, reported: PaymentFact): Settlement | undefined {
  const fact = inPaymentCurrency(purchase, reported);
  const disputes = purchase.disputes as Record<string, DisputeRecord>;
  const refunds = purchase.refunds ?? {};
  let refundedMinor = purchase.refundedMinor;
  let nextDisputes = disputes;
  let nextRefunds = refunds;
  if (fact.kind === 'refund') {
    if (fact.refundedMinor <= refundedMinor) return undefined;
    refundedMinor = Math.min(fact.refundedMinor, purchase.amountMinor);
    if (refundedMinor === purchase.refundedMinor) return undefined;
  } else if (fact.kind === 'refundStatus') {
    const known = refunds[fact.refundId];
    // A refund's amount never changes; its state only moves forward, so a late earlier state changes nothing.
    const status = known && REFUND_RANK[known.status] >= REFUND_RANK[fact.status] ? known.status : fact.status;
    const amountMinor = Math.max(known?.amountMinor ?? 0, fact.amountMinor);
    if (known && known.status === status && known.amountMinor === amountMinor) return undefined;
    nextRefunds = { ...refunds, [fact.refundId]: { amountMinor, status } };
  } else {
    const known = disputes[fact.disputeId];
    // A dispute only moves forward — open, lost (appealed or not), won — so an earlier event delivered late changes
    // nothing; a lost dispute won on appeal moves on to won, and its money is ours again.
    if (known && known.status !== 'open' && DISPUTE_RANK[fact.status] <= DISPUTE_RANK[known.status]) return undefined;
    // While open, the most it was ever disputed for is held, whichever update came last; closing states the final amount.
    const amountMinor = known && fact.status === 'open' ? Math.max(disputedMinor(purchase, known), fact.amountMinor) : fact.amountMinor;
    if (known && known.status === fact.status && disputedMinor(purchase, known) === amountMinor) return undefined;
    nextDisputes = { ...disputes, [fact.disputeId]: { amountMinor, status: fact.status } };
  }
  const before = recordedSplit(purchase);
  const after = splitOf({ ...purchase, refundedMinor, refunds: nextRefunds, disputes: nextDisputes });
  return {
    changes: { refundedMinor, refunds: nextRefunds, disputes: nextDisputes as Purchase['disputes'], ...after },
    balanceMicro: before.clawedBackMicro + before.heldMicro - after.clawedBackMicro - after.heldMicro,
    before,
    after,
  };
}

/**
 * The share of a purchase's credits that `minor` of its price pays for, rounded down. Exact: a pack
 * may hold 10^14 micro-credits and cost 10^8 of the smallest unit, so the product is taken in BigInt
 * (a double past 2^53 would round it, and a full refund would leave a micro-credit behind).
 */
export function shareOf(purchase: Pick<Purchase, 'creditsMicro' | 'amountMinor'>, minor: number): number {
  if (purchase.amountMinor <= 0) return 0;
  const paid = BigInt(Math.max(0, Math.min(minor, purchase.amountMinor)));
  return Number((BigInt(purchase.creditsMicro) * paid) / BigInt(purchase.amountMinor));
}

/** A dispute's amount; a dispute stored before settlement knew only the credits it held (rounded up, exactly). */
function disputedMinor(purchase: Pick<Purchase, 'creditsMicro' | 'amountMinor'>, dispute: DisputeRecord): number {
  if (dispute.amountMinor !== undefined) return dispute.amountMinor;
  if (purchase.creditsMicro <= 0) return 0;
  const [held, credits] = [BigInt(dispute.heldMicro ?? 0), BigInt(purchase.creditsMicro)];
  return Number((held * BigInt(purchase.amountMinor) + credits - 1n) / credits);
}

export interface PurchaseMismatch {
  paymentIntentId: string;
  /** The purchase's credits less the share of money refunded, lost or under open dispute. */
  expectedMicro: number;
  /** What its ledger entries (purchase, clawbacks, holds, releases) add up to. */
  ledgerMicro: number;
}

/**
 * Each purchase against the money Stripe reported for it (paid − refunded − lost, less what open
 * disputes hold): the entries that name its payment must add up to exactly that share of its credits.
 */
export function checkPurchases(purchases: Purchase[], entries: LedgerEntry[]): PurchaseMismatch[] {
  const byPayment = ledgerByPayment(entries);
  return purchases.flatMap((purchase) => {
    const split = splitOf(purchase);
    const expectedMicro = purchase.creditsMicro - split.clawedBackMicro - split.heldMicro;
    const ledgerMicro = byPayment.get(purchase.paymentIntentId) ?? 0;
    return expectedMicro === ledgerMicro ? [] : [{ paymentIntentId: purchase.paymentIntentId, expectedMicro, ledgerMicro }];
  });
}

/** A payment's refunds and disputes as Stripe's API reports them now (PaymentRecords.moneyOf). */
export interface StripeMoneyView {
  refundedMinor: number;
  currency?: string;
  disputes: Record<string, { amountMinor: number; status: string }>;
}

/** Where a purchase's record and the ledger part from what Stripe's API says of the payment now. */
export interface StripeDivergence {
  paymentIntentId: string;
  /** Each difference in words: the refunded total, a dispute's state or amount, a dispute one side does not know. */
  problems: string[];
  /** What the ledger gives the payment, and what Stripe's money pays for. */
  ledgerMicro: number;
  stripeMicro: number;
}

/**
 * A purchase against Stripe's own account of its money, for reconciliation: the refunded total, every
 * dispute's state (as the webhook would read Stripe's status) and amount, and the credits the ledger
 * gives the payment against those Stripe's money pays for. None when they agree. A dispute still open
 * at Stripe is compared by state only: while open the webhook holds the largest amount ever reported.
 */
export function stripeDivergence(purchase: Purchase, ledgerMicro: number, stripe: StripeMoneyView): StripeDivergence | undefined {
  const problems: string[] = [];
  const ours = refundedOf(purchase);
  if (ours !== stripe.refundedMinor) problems.push(`refunded ${ours} here, ${stripe.refundedMinor} at Stripe`);
  if (stripe.currency && stripe.currency.toLowerCase() !== purchase.currency.toLowerCase())
    problems.push(`paid in ${purchase.currency} here, ${stripe.currency} at Stripe`);
  const recorded = purchase.disputes as Record<string, DisputeRecord>;
  const disputes: Record<string, DisputeRecord> = {};
  for (const [id, dispute] of Object.entries(stripe.disputes)) {
    const status = disputeStatusOf(dispute.status);
    disputes[id] = { amountMinor: dispute.amountMinor, status };
    const known = recorded[id];
    if (!known) problems.push(`dispute ${id} (${dispute.status} at Stripe) is not recorded here`);
    else if (known.status !== status) problems.push(`dispute ${id} is ${known.status} here, ${dispute.status} at Stripe`);
    else if (status !== 'open' && disputedMinor(purchase, known) !== dispute.amountMinor)
      problems.push(`dispute ${id} is for ${disputedMinor(purchase, known)} here, ${dispute.amountMinor} at Stripe`);
  }
  for (const id of Object.keys(recorded)) if (!stripe.disputes[id]) problems.push(`dispute ${id} is recorded here, unknown to Stripe`);
  const split = splitOf({ ...purchase, refundedMinor: stripe.refundedMinor, refunds: {}, disputes });
  const stripeMicro = purchase.creditsMicro - split.clawedBackMicro - split.heldMicro;
  if (stripeMicro !== ledgerMicro) problems.push(`the ledger gives ${ledgerMicro} micro-credits, Stripe's money pays for ${stripeMicro}`);
  return problems.length ? { paymentIntentId: purchase.paymentIntentId, problems, ledgerMicro, stripeMicro } : undefined;
}

/** What the ledger entries naming each payment add up to. */
export function ledgerByPayment(entries: LedgerEntry[]): Map<string, number> {
  const byPayment = new Map<string, number>();
  for (const entry of entries) {
    const paymentIntentId = entry.stripe?.paymentIntentId;
    if (paymentIntentId) byPayment.set(paymentIntentId, (byPayment.get(paymentIntentId) ?? 0) + entry.amountMicro);
  }
  return byPayment;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
