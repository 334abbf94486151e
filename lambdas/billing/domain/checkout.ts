import { consoleUrl } from '../../shared/console-links';
import { fixedWindow } from '../../shared/throttle';
import { securityEvent, type RequestOrigin } from '../../shared/security-events';
import { NotFoundError } from '../../shared/errors';
import { microToCredits } from '../../shared/credits';
import { CheckoutRateLimitError, StripeNotConfiguredError, UnknownPackError } from '../errors';
import type { CheckoutDeps, CheckoutSessionState, PaymentProvider } from './ports';
import { COUNTERS } from '../../shared/items';

/** A checkout's outcome as its buyer's console shows it. */
export interface CheckoutStatus {
  sessionId: string;
  status: 'pending' | 'paid' | 'cancelled' | 'expired';
  pack: string | null;
  packName: string | null;
  amountMinor: number | null;
  currency: string | null;
  /** Whether the purchase's credits are on the balance (the webhook may land a moment after the buyer). */
  credited: boolean;
  /** Credits the purchase adds (decimal string), once paid. */
  credits: string | null;
}

const HOUR = 3600;

/**
 * Starts purchases: Stripe Checkout for a credit pack, and the Customer Portal for invoices and
 * payment methods. The account's Stripe customer is made once and kept on the account; card details
 * only ever reach Stripe.
 */
export class CheckoutService {
  constructor(private readonly deps: CheckoutDeps) {}

  /** A Checkout Session for `packId`, at most `checkoutsPerHour` an hour per account. */
  async startCheckout(accountId: string, packId: string, origin: RequestOrigin): Promise<{ id: string; url: string }> {
    const pack = this.deps.packs[packId];
    if (!pack) throw new UnknownPackError(packId, Object.keys(this.deps.packs));
    const payments = this.requirePayments();
    const now = this.deps.now();
    const { start, end } = fixedWindow(now, HOUR);
    const count = await this.deps.counter.increment(COUNTERS.checkouts.of(accountId), start, end);
    if (count > this.deps.checkoutsPerHour)
      throw new CheckoutRateLimitError(this.deps.checkoutsPerHour, end - Math.floor(now.getTime() / 1000));
    const customerId = await this.customerOf(accountId, payments);
    const base = this.deps.publicUrl;
    // One session per account, pack and attempt: a retried request reuses the session Stripe made.
    const session = await payments.createCheckout(
      {
        customerId,
        accountId,
        packId,
        pack,
        // Stripe fills in {CHECKOUT_SESSION_ID}; the console pages ask GET /v1/billing/checkout/{id} what came of it.
        successUrl: consoleUrl(base, 'checkoutDone', {}, { session_id: '{CHECKOUT_SESSION_ID}' }),
        cancelUrl: consoleUrl(base, 'checkoutCancelled', {}, { session_id: '{CHECKOUT_SESSION_ID}' }),
      },
      `checkout:${accountId}:${packId}:${start}:${count}`,
    );
    await this.deps.securityEvents.record(
      securityEvent(accountId, 'checkout_started', origin, now, { pack: packId, checkoutSessionId: session.id }),
    );
    return session;
  }

  /**
   * How the signed-in account's checkout ended, from Stripe itself (not from which page the buyer
   * landed on): `pending` while it can still be paid (or a delayed payment is on its way), `paid`
   * (with whether its credits have landed yet), `cancelled` when it was ended before Stripe's own
   * expiry (the buyer cancelled), `expired` when it lapsed unpaid. Another account's session, or one
   * Stripe does not know, is not found.
   */
  async status(accountId: string, sessionId: string): Promise<CheckoutStatus> {
    return this.statusOf(accountId, await this.ownSession(accountId, sessionId));
  }

  /** The buyer left the checkout: it is ended at Stripe (so it can no longer be paid) and reads `cancelled`. */
  async cancel(accountId: string, sessionId: string): Promise<CheckoutStatus> {
    const session = await this.ownSession(accountId, sessionId);
    if (session.status !== 'open') return this.statusOf(accountId, session);
    await this.requirePayments().expireCheckout(sessionId);
    return this.statusOf(accountId, await this.ownSession(accountId, sessionId));
  }

  private async ownSession(accountId: string, sessionId: string): Promise<CheckoutSessionState> {
    const session = await this.requirePayments().retrieveCheckout(sessionId);
    if (!session || session.accountId !== accountId) throw new NotFoundError('No such checkout');
    return session;
  }

  private async statusOf(accountId: string, session: CheckoutSessionState): Promise<CheckoutStatus> {
    const pack = session.packId ? this.deps.packs[session.packId] : undefined;
    const base = {
      sessionId: session.id,
      pack: session.packId ?? null,
      packName: pack?.name ?? null,
      amountMinor: session.amountMinor ?? null,
      currency: session.currency ?? null,
    };
    if (session.status === 'complete' && session.paymentStatus !== 'unpaid') {
      const purchase = session.paymentIntentId ? await this.deps.purchases?.creditedBy(session.paymentIntentId) : undefined;
      const credited = purchase?.accountId === accountId;
      return {
        ...base,
        status: 'paid',
        credited,
        credits: credited ? microToCredits(purchase!.creditsMicro) : pack ? String(pack.credits) : null,
      };
    }
    if (session.status !== 'expired') return { ...base, status: 'pending', credited: false, credits: null };
    const early = session.expiresAt !== undefined && this.deps.now().getTime() < session.expiresAt * 1000;
    return { ...base, status: early ? 'cancelled' : 'expired', credited: false, credits: null };
  }

  /** A Customer Portal link for the account's invoices and payment methods. */
  async portal(accountId: string): Promise<{ url: string }> {
    const payments = this.requirePayments();
    const customerId = await this.customerOf(accountId, payments);
    return { url: await payments.createPortal(customerId, consoleUrl(this.deps.publicUrl, 'credits')) };
  }

  private requirePayments(): PaymentProvider {
    if (!this.deps.payments) throw new StripeNotConfiguredError();
    return this.deps.payments;
  }

  /** The account's customer, made on first need; concurrent first needs keep one (Stripe's idempotency key makes them the same). */
  private async customerOf(accountId: string, payments: PaymentProvider): Promise<string> {
    const account = await this.deps.accounts.get(accountId);
    if (!account) throw new NotFoundError('No such account');
    if (account.stripeCustomerId) return account.stripeCustomerId;
    const created = await payments.createCustomer(account, `customer:${accountId}`);
    return this.deps.accounts.linkCustomer(accountId, created);
  }
}
