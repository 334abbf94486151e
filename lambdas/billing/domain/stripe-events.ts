import { consoleUrl } from '../../shared/console-links';
import { microToCredits } from '../../shared/credits';
import { securityEvent } from '../../shared/security-events';
import { formatAmount } from '../../shared/money';
import { type CreditPack, packMicro } from '../packs';
import type { ClaimedNotice, NewLedgerEntry, PendingReversal, Purchase, PurchaseNoticeId, PurchaseWrite, ReversalNotice } from './ledger';
import { disputeStatusOf, isForeign, type PaymentFact, type RefundStatus, settle } from './settlement';
import { NoticeUnavailableError, PurchaseContentionError } from '../errors';
import type { BillingAccount, BillingDeps } from './ports';

/** A Stripe event as the webhook verified it; only the fields billing reads. */
export interface StripeEvent {
  id: string;
  type: string;
  /** Whether the event is from live mode; absent in hand-made events. */
  livemode?: boolean;
  /** The connected account whose object this is (Connect endpoints); absent for our own account's events. */
  account?: string;
  /** The API version the endpoint rendered the event in. */
  api_version?: string | null;
  data: { object: Record<string, unknown> };
}

/** What handling an event came to; logged, and recorded with the event id. */
export type EventOutcome =
  | 'credited'
  | 'already_credited'
  | 'not_paid_yet'
  | 'rejected_mismatch'
  | 'unknown_account'
  | 'reversed'
  | 'restored'
  | 'held'
  | 'released'
  | 'dispute_lost'
  | 'nothing_to_reverse'
  | 'deferred_until_purchase'
  | 'purchase_erased'
  | 'customer_unlinked'
  | 'wrong_mode'
  | 'other_account'
  | 'unmatched_payment'
  | 'unreadable'
  | 'payment_failed'
  | 'payment_failed_after_credit'
  | 'ignored';

/** Events that carry one refund object (its own amount and state). */
const REFUND_EVENTS = ['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated'] as const;
/** Events that carry a dispute; its status says how it stands, whichever of them reports it. */
const DISPUTE_EVENTS = [
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'charge.dispute.closed',
] as const;

/** The event types billing acts on; anything else is acknowledged and ignored. */
export const HANDLED_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'charge.refunded',
  ...REFUND_EVENTS,
  ...DISPUTE_EVENTS,
  'customer.deleted',
] as const;

/** Attempts at a purchase change before answering 409 (Stripe retries the event later). */
const MAX_ATTEMPTS = 8;

/** Jittered, growing pauses between attempts, so concurrent events on one purchase take turns. */
const backoffMs = (attempt: number) => Math.round(Math.random() * 20 * 2 ** Math.min(attempt, 5));

const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const int = (value: unknown): number | undefined => (Number.isSafeInteger(value) ? (value as number) : undefined);
/** Stripe fields that may be an id or an expanded object. */
const idOf = (value: unknown): string | undefined => str(value) ?? str((value as { id?: unknown } | null)?.id);

/**
 * Applies verified Stripe events to the ledger, exactly once, in whatever order Stripe delivers them.
 * A purchase credits its pack only when the amount and currency paid are the pack's. Refunds and
 * disputes are facts about the payment's money; the purchase's credits are split by them (settlement.ts):
 * the share of money refunded or lost is clawed back for good, the share under an open dispute held.
 * A refund or dispute that arrives before its purchase is recorded and applied when the purchase
 * lands. Every movement is idempotent on its Stripe object.
 */
export class StripeEventHandler {
  constructor(private readonly deps: BillingDeps) {}

  async handle(event: StripeEvent): Promise<EventOutcome> {
    // A test-mode payment is no money: its events never move a live deployment's credits, nor the reverse.
    const livemode = await this.deps.livemode();
    if (livemode !== undefined && typeof event.livemode === 'boolean' && event.livemode !== livemode) return 'wrong_mode';
    // A connected account's payment paid that account, not us: it never buys credits, and its refunds and disputes are not ours.
    if (typeof event.account === 'string') return 'other_account';
    const object = event.data.object;
    // Ids are keys of ours: anything not shaped like Stripe's is not from Stripe's API.
    if (!Object.values(idsOf(object)).every((id) => id === undefined || /^[\w-]{1,255}$/.test(id))) return 'ignored';
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return this.purchase(event, object);
      case 'checkout.session.async_payment_failed':
        return this.paymentFailed(object);
      case 'charge.refunded':
      case 'refund.created':
      case 'refund.updated':
      case 'refund.failed':
      case 'charge.refund.updated':
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.funds_withdrawn':
      case 'charge.dispute.funds_reinstated':
      case 'charge.dispute.closed':
        return this.reversal(event.id, event.type, reduce(event.type, object));
      case 'customer.deleted': {
        const accountId = str((object.metadata as Record<string, unknown> | undefined)?.accountId);
        const customerId = str(object.id);
        if (!accountId || !customerId) return 'ignored';
        await this.deps.accounts.unlinkCustomer(accountId, customerId);
        return 'customer_unlinked';
      }
      default:
        return 'ignored';
    }
  }

  private async purchase(event: StripeEvent, session: Record<string, unknown>): Promise<EventOutcome> {
    if (session.mode !== 'payment') return 'ignored';
    // Delayed methods (bank debits) complete unpaid; their async_payment_succeeded event credits them.
    if (session.payment_status !== 'paid') return 'not_paid_yet';
    const metadata = (session.metadata ?? {}) as Record<string, unknown>;
    const accountId = str(session.client_reference_id);
    const packId = str(metadata.pack);
    const paymentIntentId = idOf(session.payment_intent) ?? str(session.id)!;
    const amountMinor = int(session.amount_total);
    const currency = str(session.currency);
    const pack: CreditPack | undefined = packId ? this.deps.packs[packId] : undefined;
    const account = accountId ? await this.deps.accounts.get(accountId) : undefined;
    if (!account) {
      // Paid, but for no account we know (deleted, or a forged reference): nobody is credited, so ops must look.
      this.deps.metrics.purchaseMismatch();
      return 'unknown_account';
    }
    if (!pack || metadata.accountId !== accountId || amountMinor !== pack.priceMinor || currency !== pack.currency) {
      // Someone paid something other than a pack as we sell it: credit nothing, and tell ops.
      this.deps.metrics.purchaseMismatch();
      await this.deps.securityEvents.record(
        securityEvent(account.accountId, 'purchase_mismatch', { ip: 'stripe', userAgent: 'stripe-webhook' }, this.deps.now(), {
          checkoutSessionId: String(session.id),
          pack: packId ?? '(none)',
          paid: `${amountMinor ?? '?'} ${currency ?? '?'}`,
          expected: pack ? `${pack.priceMinor} ${pack.currency}` : '(unknown pack)',
        }),
      );
      return 'rejected_mismatch';
    }
    const customerId = idOf(session.customer);
    const purchase: Purchase = {
      paymentIntentId,
      accountId: account.accountId,
      pack: packId!,
      creditsMicro: packMicro(pack),
      amountMinor,
      currency,
      checkoutSessionId: String(session.id),
      customerId,
      refundedMinor: 0,
      clawedBackMicro: 0,
      heldMicro: 0,
      disputes: {},
      version: 0,
      at: this.deps.now().toISOString(),
      receiptDue: true,
    };
    const { outcome } = await this.deps.ledger.post(
      account.accountId,
      {
        type: 'purchase',
        amountMicro: purchase.creditsMicro,
        reason: `Bought ${pack.name}`,
        ref: paymentIntentId,
        pack: packId,
        stripe: { customerId, checkoutSessionId: purchase.checkoutSessionId, paymentIntentId, eventId: event.id, amountMinor, currency },
      },
      `purchase:${purchase.checkoutSessionId}`,
      { kind: 'create', purchase },
    );
    if (outcome === 'payment_taken') {
      // A session naming a payment another account bought with (only a forger can send one): one payment credits once.
      this.deps.metrics.purchaseMismatch();
      await this.deps.securityEvents.record(
        securityEvent(account.accountId, 'purchase_mismatch', { ip: 'stripe', userAgent: 'stripe-webhook' }, this.deps.now(), {
          checkoutSessionId: purchase.checkoutSessionId,
          pack: packId!,
          paid: `payment ${paymentIntentId}, which another account's purchase holds`,
          expected: 'a payment of its own',
        }),
      );
      return 'rejected_mismatch';
    }
    if (outcome === 'applied') this.deps.metrics.purchaseCredited(packId!);
    await this.sendReceipt(account, pack, purchase);
    // Refunds and disputes that beat the purchase here are applied now.
    const parked = await this.deps.parked.of(paymentIntentId);
    for (const pending of parked) {
      await this.reversal(pending.eventId, pending.eventType, pending.object);
      await this.deps.parked.remove(paymentIntentId, pending.eventId);
    }
    // A redelivery of this event may be the retry of one that applied a parked reversal and could not send its
    // notice; that reversal's own delivery may have unparked it since, so what is still due is sent from the purchase.
    if (outcome !== 'applied' || parked.length > 0) {
      const current = await this.deps.ledger.purchaseOf(paymentIntentId);
      if (current) await this.sendReversalNotices(current, Object.keys(current.noticesDue ?? {}));
    }
    return outcome === 'applied' ? 'credited' : 'already_credited';
  }

  /**
   * A delayed payment that failed. Stripe sends this instead of `async_payment_succeeded`, so it normally
   * finds no purchase and changes nothing. One that finds the purchase credited contradicts the success
   * it was credited on (a late failure is a dispute or refund at Stripe, whose own events move the
   * credits): nothing is moved on its word alone, but ops are alarmed and the account's security events
   * say which checkout, so a person compares it with the payment in Stripe.
   */
  private async paymentFailed(session: Record<string, unknown>): Promise<EventOutcome> {
    if (session.mode !== 'payment') return 'ignored';
    const purchase = await this.deps.ledger.purchaseOf(idOf(session.payment_intent) ?? str(session.id)!);
    if (!purchase) return 'payment_failed';
    this.deps.metrics.purchaseMismatch();
    await this.deps.securityEvents.record(
      securityEvent(purchase.accountId, 'purchase_mismatch', { ip: 'stripe', userAgent: 'stripe-webhook' }, this.deps.now(), {
        checkoutSessionId: String(session.id),
        pack: purchase.pack,
        paid: 'payment reported failed after it was credited',
        expected: `${purchase.amountMinor} ${purchase.currency}`,
      }),
    );
    return 'payment_failed_after_credit';
  }

  /**
   * Sends one notice a purchase owes its buyer, once: claimed on the purchase first, cleared when it went
   * out, and released if it could not, so the event answers 503 and Stripe's retry (which finds the
   * ledger already moved) sends it. A delivery that finds another one sending it waits for how that
   * ends rather than answering 200 — were that send to fail after this event was acknowledged, nothing
   * would send it. A redelivery after it went out sends nothing. Receipts, refund and dispute notices
   * all go through here.
   */
  private async deliverOnce(
    accountId: string,
    paymentIntentId: string,
    id: PurchaseNoticeId,
    send: (claimed: ClaimedNotice) => Promise<void>,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const claimed = await this.deps.ledger.claimNotice(accountId, paymentIntentId, id, this.deps.now());
      if (!claimed) return false;
      if (claimed === 'busy') {
        if (attempt >= MAX_ATTEMPTS) throw new NoticeUnavailableError(new Error('another delivery is sending this notice'));
        await this.deps.sleep(backoffMs(attempt));
        continue;
      }
      try {
        await send(claimed);
      } catch (error) {
        await this.deps.ledger.releaseNotice(accountId, paymentIntentId, id);
        throw new NoticeUnavailableError(error);
      }
      await this.deps.ledger.noticeSent(accountId, paymentIntentId, id);
      return true;
    }
  }

  /** The receipt of a credited purchase, once (`deliverOnce`). */
  private async sendReceipt(account: BillingAccount, pack: CreditPack, purchase: Purchase): Promise<void> {
    const { accountId } = account;
    const sent = await this.deliverOnce(accountId, purchase.paymentIntentId, 'receipt', async () => {
      // A buyer hears before running dry: the notice is on by default once credits are bought.
      const threshold = await this.deps.accounts.defaultLowBalance(accountId, defaultLowBalanceCredits(pack));
      await this.deps.mailer.send({
        to: account.email,
        subject: `Receipt: ${pack.name}`,
        text: [
          `Hello ${account.name},`,
          '',
          `Thank you: ${microToCredits(purchase.creditsMicro)} credits were added to your OmnAPI account.`,
          `Paid: ${formatAmount(purchase.amountMinor, purchase.currency)} (Stripe payment ${purchase.paymentIntentId}).`,
          `Balance now: ${microToCredits(await this.deps.ledger.balance(accountId))} credits.`,
          '',
          ...(threshold
            ? [
                `We mail you once when your balance falls below ${threshold} credits; change or turn that off in your settings: ${consoleUrl(this.deps.publicUrl, 'settings')}`,
              ]
            : []),
          `Your balance, receipts, invoices and payment methods: ${consoleUrl(this.deps.publicUrl, 'credits')}. We never see or keep your card details.`,
        ].join('\n'),
      });
    });
    if (!sent) return;
    // After the mail, so a retry never records it twice (a failure here is retried with the receipt already sent).
    await this.deps.securityEvents.record(
      securityEvent(accountId, 'purchase_credited', { ip: 'stripe', userAgent: 'stripe-webhook' }, this.deps.now(), {
        pack: purchase.pack,
        paymentIntentId: purchase.paymentIntentId,
      }),
    );
  }

  /** Sends the refund and dispute notices a purchase still owes its buyer, each once (`deliverOnce`). */
  private async sendReversalNotices(purchase: Purchase, entries: Iterable<string>): Promise<void> {
    const due = [...new Set(entries)];
    if (due.length === 0) return;
    const account = await this.deps.accounts.get(purchase.accountId);
    if (!account) return;
    for (const entry of due) {
      await this.deliverOnce(account.accountId, purchase.paymentIntentId, { entry }, async (claimed) => {
        if (claimed.kind !== 'reversal') return;
        await this.deps.mailer.send({
          to: account.email,
          subject: claimed.notice.subject,
          text: [
            `Hello ${account.name},`,
            '',
            claimed.notice.line,
            `Balance now: ${microToCredits(await this.deps.ledger.balance(account.accountId))} credits.`,
            '',
            `Your ledger and receipts: ${consoleUrl(this.deps.publicUrl, 'credits')}. Questions: write to support@omnapi.com.`,
          ].join('\n'),
        });
      });
    }
  }

  /**
   * What a refund or dispute did to the buyer's credits, as its notice says it: how many were taken back,
   * held or released (the balance is added when it is sent). None for a change the buyer need not hear of.
   */
  private reversalNotice(
    purchase: Purchase,
    entry: NewLedgerEntry,
    changes: Partial<Pick<Purchase, 'clawedBackMicro' | 'heldMicro'>>,
  ): ReversalNotice | undefined {
    // What moved: credits taken for good (from the balance, or from those a dispute held), held, or released.
    const [clawedBefore, heldBefore] = [purchase.clawedBackMicro ?? 0, purchase.heldMicro ?? 0];
    const taken = microToCredits((changes.clawedBackMicro ?? clawedBefore) - clawedBefore);
    const heldMoved = microToCredits(Math.abs((changes.heldMicro ?? heldBefore) - heldBefore));
    const pack = this.deps.packs[purchase.pack]?.name ?? purchase.pack;
    const paid = formatAmount(purchase.amountMinor, purchase.currency);
    const refundReturned = entry.type === 'release' && entry.stripe?.refundId !== undefined;
    const what = {
      clawback: entry.stripe?.disputeId
        ? {
            subject: `A payment dispute on ${pack} was decided against you`,
            line: `The dispute over your payment of ${paid} for ${pack} was lost, so ${taken} of its credits are taken back for good.`,
          }
        : {
            subject: `Refund on your purchase of ${pack}`,
            line: `${formatAmount(entry.stripe?.amountMinor ?? 0, purchase.currency)} of the ${paid} you paid for ${pack} was refunded, so ${taken} credits were taken back.`,
          },
      hold: {
        subject: `Your purchase of ${pack} is disputed`,
        line: `A dispute was opened on your payment of ${paid} for ${pack} (with your bank or card issuer). ${heldMoved} of its credits are held until the dispute is decided.`,
      },
      release: refundReturned
        ? entry.amountMicro > 0 && {
            subject: `A refund on your purchase of ${pack} did not go through`,
            line: `The refund of ${formatAmount(entry.stripe?.amountMinor ?? 0, purchase.currency)} on your payment of ${paid} for ${pack} did not reach you (it failed or was cancelled), so the money stays paid: ${microToCredits(entry.amountMicro)} credits that were taken back are yours again.`,
          }
        : {
            subject: `The dispute on your purchase of ${pack} is closed`,
            line:
              (changes.clawedBackMicro ?? clawedBefore) < clawedBefore
                ? `The dispute on your payment of ${paid} for ${pack}, lost at first, was won on appeal: ${microToCredits(entry.amountMicro)} credits taken back are yours to use again.`
                : `The dispute on your payment of ${paid} for ${pack} was decided in your favour: ${heldMoved} held credits are yours to use again.`,
          },
    }[entry.type as 'clawback' | 'hold' | 'release'];
    return what || undefined;
  }

  /** A refund or dispute event, reduced to ids and amounts, applied to its purchase (or kept until it lands). */
  private async reversal(eventId: string, eventType: string, reported: PendingReversal['object']): Promise<EventOutcome> {
    const fact = factOf(eventType, reported);
    // A refund or dispute whose amount or state cannot be read may still move money: never dropped quietly.
    if (!fact) return this.refused('unreadable');
    const paymentIntentId = str(reported.paymentIntentId) ?? (await this.paymentOfCharge(reported.chargeId));
    if (!paymentIntentId) return this.refused('unmatched_payment');
    const object = { ...reported, paymentIntentId };
    let parked = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.deps.sleep(backoffMs(attempt));
      const purchase = await this.deps.ledger.purchaseOf(paymentIntentId);
      if (!purchase) {
        // Paid and credited once, then erased with its account: no credits are left to move, and nothing of it is kept.
        if (await this.deps.ledger.paymentRecorded(paymentIntentId)) return 'purchase_erased';
        await this.deps.parked.add(paymentIntentId, { eventId, eventType, object, receivedAt: this.deps.now().toISOString() });
        parked = true;
        // The purchase may have landed while this was written; if so it is applied now, not lost.
        if (!(await this.deps.ledger.purchaseOf(paymentIntentId))) return 'deferred_until_purchase';
        continue;
      }
      const applied = await this.applyFact(purchase, fact, attempt);
      if (applied === 'stale') continue;
      // Parked just as the purchase landed (whose own pass may have missed it): applied here, so nothing is left parked.
      if (parked) await this.deps.parked.remove(paymentIntentId, eventId);
      // This fact's notice, and any an earlier delivery could not send (its retry may be this one, or another event's).
      await this.sendReversalNotices(purchase, [...Object.keys(purchase.noticesDue ?? {}), ...(applied.notice ? [applied.notice] : [])]);
      return applied.outcome;
    }
    throw new PurchaseContentionError(paymentIntentId);
  }

  /**
   * The payment of a refund or dispute that does not name its PaymentIntent (Stripe's `payment_intent` may be
   * null on a refund, a dispute and a charge): its charge's, as Stripe has it. None when the charge has no
   * PaymentIntent (the Charges API: no Checkout purchase of ours), Stripe knows no such charge, or this
   * deployment has no API key to ask. Stripe not answering is a 503, so Stripe retries the event.
   */
  private async paymentOfCharge(chargeId: unknown): Promise<string | undefined> {
    const charge = str(chargeId);
    const payments = charge ? await this.deps.payments() : undefined;
    return (await payments?.paymentIntentOfCharge(charge!)) ?? undefined;
  }

  /** A refund or dispute that cannot be tied to a payment or read: acknowledged (a retry reads it no better), and ops alarmed. */
  private refused(outcome: 'unmatched_payment' | 'unreadable'): EventOutcome {
    this.deps.metrics.purchaseMismatch();
    return outcome;
  }

  /**
   * One fact applied to the purchase as read, its notice made due in the same write; `stale` when the
   * purchase changed meanwhile (read it again).
   */
  private async applyFact(
    purchase: Purchase,
    fact: PaymentFact,
    attempt: number,
  ): Promise<{ outcome: EventOutcome; notice?: string } | 'stale'> {
    const step = reversalStep(fact, purchase);
    if (!step) return { outcome: 'nothing_to_reverse' };
    // Counted as the whole payment (settlement.ts); a person must look at what Stripe really moved.
    if (attempt === 0 && isForeign(purchase, fact)) this.deps.metrics.purchaseMismatch();
    const notice = step.entry && this.reversalNotice(purchase, step.entry, step.write.changes);
    const write = notice
      ? { ...step.write, notice: { entry: step.idempotencyKey, notice, first: purchase.noticesDue === undefined } }
      : step.write;
    const result = step.entry
      ? (await this.deps.ledger.post(purchase.accountId, step.entry, step.idempotencyKey, write)).outcome
      : await this.deps.ledger.updatePurchase(purchase.accountId, write);
    if (result === 'stale') return 'stale';
    // A concurrent delivery of the same fact posted it first: this one changed nothing, but is not acknowledged while
    // that one's notice may still fail to go out — it is sent here if so (deliverOnce waits on the other's send).
    if (result === 'duplicate') return { outcome: 'nothing_to_reverse', notice: notice ? step.idempotencyKey : undefined };
    const sent = notice && result === 'applied' ? step.idempotencyKey : undefined;
    if (fact.kind !== 'dispute') return { outcome: (step.entry?.amountMicro ?? 0) > 0 ? 'restored' : 'reversed', notice: sent };
    return { outcome: fact.status === 'open' ? 'held' : fact.status === 'won' ? 'released' : 'dispute_lost', notice: sent };
  }
}

/** The ids an event names, for a sanity check before any of them becomes a key. */
function idsOf(object: Record<string, unknown>): Record<string, string | undefined> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    id: str(object.id),
    paymentIntent: idOf(object.payment_intent),
    charge: idOf(object.charge),
    customer: idOf(object.customer),
    clientReference: str(object.client_reference_id),
    accountId: str(metadata.accountId),
    pack: str(metadata.pack),
  };
}

/** The fields of a charge or dispute that reversing a purchase needs; nothing else is kept (no card data). */
function reduce(eventType: string, object: Record<string, unknown>): PendingReversal['object'] {
  if (isRefundEvent(eventType)) {
    return {
      refundId: str(object.id),
      chargeId: idOf(object.charge),
      paymentIntentId: idOf(object.payment_intent),
      amount: int(object.amount),
      currency: str(object.currency),
      status: str(object.status),
    };
  }
  if (eventType === 'charge.refunded') {
    return {
      chargeId: str(object.id),
      paymentIntentId: idOf(object.payment_intent),
      amountRefunded: int(object.amount_refunded),
      currency: str(object.currency),
    };
  }
  return {
    disputeId: str(object.id),
    chargeId: idOf(object.charge),
    paymentIntentId: idOf(object.payment_intent),
    amount: int(object.amount),
    currency: str(object.currency),
    status: str(object.status),
  };
}

const isRefundEvent = (eventType: string) => (REFUND_EVENTS as readonly string[]).includes(eventType);

/** Refund statuses Stripe reports, as far as money is concerned; one it may add later is not read, and alarms (`unreadable`). */
const REFUND_STATUS: Record<string, RefundStatus> = {
  pending: 'pending',
  requires_action: 'pending',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
};

/** The fact an event reports; a `closed` dispute that was not won was lost. */
export function factOf(eventType: string, object: PendingReversal['object']): PaymentFact | undefined {
  const chargeId = str(object.chargeId);
  const currency = str(object.currency);
  if (isRefundEvent(eventType)) {
    const refundId = str(object.refundId);
    const amountMinor = int(object.amount);
    const status = REFUND_STATUS[str(object.status) ?? ''];
    if (!refundId || amountMinor === undefined || amountMinor < 0 || !status) return undefined;
    return { kind: 'refundStatus', refundId, amountMinor, status, chargeId, currency };
  }
  if (eventType === 'charge.refunded') {
    const refundedMinor = int(object.amountRefunded);
    return refundedMinor !== undefined && refundedMinor >= 0 ? { kind: 'refund', refundedMinor, chargeId, currency } : undefined;
  }
  const disputeId = str(object.disputeId);
  const amountMinor = int(object.amount);
  if (!disputeId || amountMinor === undefined || amountMinor < 0) return undefined;
  const status = disputeStatusOf(str(object.status) ?? '', eventType === 'charge.dispute.closed');
  return { kind: 'dispute', disputeId, amountMinor, status, chargeId, currency };
}

/**
 * What one fact changes on a purchase: the purchase's new facts and credit split, and the ledger entry
 * that moves the balance by the difference (none when nothing but a dispute's state changed). The
 * entry's key names the fact and the purchase version it was computed from, so a concurrent change
 * makes it stale (recomputed), never a duplicate.
 */
export function reversalStep(
  fact: PaymentFact,
  purchase: Purchase,
): { entry?: NewLedgerEntry; idempotencyKey: string; write: Extract<PurchaseWrite, { kind: 'update' }> } | undefined {
  const settled = settle(purchase, fact);
  if (!settled) return undefined;
  const factKey =
    fact.kind === 'refund'
      ? `refund:${purchase.paymentIntentId}:${fact.refundedMinor}`
      : fact.kind === 'refundStatus'
        ? `refund:${fact.refundId}:${fact.status}:${fact.amountMinor}`
        : `dispute:${fact.disputeId}:${fact.status}:${fact.amountMinor}`;
  const idempotencyKey = `${factKey}@v${purchase.version}`;
  const write = {
    kind: 'update' as const,
    paymentIntentId: purchase.paymentIntentId,
    expectVersion: purchase.version,
    changes: settled.changes,
  };
  const { before, after, balanceMicro } = settled;
  if (before.clawedBackMicro === after.clawedBackMicro && before.heldMicro === after.heldMicro) return { idempotencyKey, write };
  const stripe = {
    paymentIntentId: purchase.paymentIntentId,
    customerId: purchase.customerId,
    currency: purchase.currency,
    chargeId: fact.chargeId,
  };
  const paid = `${formatAmount(purchase.amountMinor, purchase.currency)} paid for ${purchase.pack}`;
  // In the currency Stripe reported it in: another than the payment's is named, and counted as the whole payment.
  const refunded = (minor: number) => formatAmount(minor, fact.currency ?? purchase.currency);
  const foreign = isForeign(purchase, fact) ? ` (reported in ${fact.currency}, so counted as the whole payment)` : '';
  const base = { amountMicro: balanceMicro, pack: purchase.pack };
  const held = balanceMicro === 0 ? ': credits held for a dispute are taken back for good' : '';
  if (fact.kind === 'refundStatus') {
    // A refund that failed or was cancelled gave the money back to us: what it had clawed back is the buyer's again.
    const returned = after.clawedBackMicro < before.clawedBackMicro;
    const outcome = fact.status === 'failed' ? 'failed' : 'was cancelled';
    const reason = returned
      ? `Refund of ${refunded(fact.amountMinor)} of ${paid} ${outcome}: the money came back${balanceMicro > 0 ? ', so its credits are given back' : ', and its credits stay held for an open dispute'}`
      : `Refund of ${refunded(fact.amountMinor)} of ${paid}${held}`;
    return {
      entry: {
        ...base,
        type: returned ? 'release' : 'clawback',
        reason: `${reason}${foreign}`,
        ref: fact.refundId,
        stripe: { ...stripe, refundId: fact.refundId, amountMinor: fact.amountMinor },
      },
      idempotencyKey,
      write,
    };
  }
  if (fact.kind === 'refund') {
    return {
      entry: {
        ...base,
        type: 'clawback',
        reason: `Refund of ${refunded(fact.refundedMinor)} of ${paid}${held}${foreign}`,
        ref: fact.chargeId ?? purchase.paymentIntentId,
        stripe: { ...stripe, amountMinor: fact.refundedMinor },
      },
      idempotencyKey,
      write,
    };
  }
  const disputeStripe = { ...stripe, disputeId: fact.disputeId, amountMinor: fact.amountMinor };
  const [type, decided] =
    balanceMicro > 0
      ? ([
          'release',
          after.clawedBackMicro < before.clawedBackMicro
            ? `Dispute on ${purchase.pack} won on appeal: credits taken back are given back`
            : `Dispute on ${purchase.pack} decided in your favour: held credits released`,
        ] as const)
      : fact.status === 'lost'
        ? (['clawback', `Dispute on ${purchase.pack} lost: its credits are taken back for good`] as const)
        : (['hold', `Dispute opened on ${purchase.pack}: its credits are held until it is decided`] as const);
  return { entry: { ...base, type, reason: `${decided}${foreign}`, ref: fact.disputeId, stripe: disputeStripe }, idempotencyKey, write };
}

/** The low-balance threshold a purchase turns on when the holder never chose one: a tenth of the pack, in whole credits. */
export function defaultLowBalanceCredits(pack: CreditPack): string {
  return String(Math.max(1, Math.floor(pack.credits / 10)));
}
