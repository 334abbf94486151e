import type Stripe from 'stripe';
import type { BillingAccount, CheckoutSessionState, PaymentProvider, PaymentRecords } from '../domain/ports';
import type { StripeMoneyView } from '../domain/settlement';
import { PaymentProviderError } from '../errors';
import type { CreditPack } from '../packs';

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : value?.id);
const missing = (error: unknown) => (error as { code?: string }).code === 'resource_missing';

/** Stripe through its SDK: customers, Checkout Sessions in payment mode, the Customer Portal, and a payment's charges and disputes. */
export class StripePayments implements PaymentProvider, PaymentRecords {
  constructor(private readonly stripe: Stripe) {}

  async createCustomer(account: BillingAccount, idempotencyKey: string): Promise<string> {
    const customer = await this.call(() =>
      this.stripe.customers.create(
        { email: account.email, name: account.name, metadata: { accountId: account.accountId } },
        { idempotencyKey },
      ),
    );
    return customer.id;
  }

  async createCheckout(
    input: { customerId: string; accountId: string; packId: string; pack: CreditPack; successUrl: string; cancelUrl: string },
    idempotencyKey: string,
  ): Promise<{ id: string; url: string }> {
    const metadata = { accountId: input.accountId, pack: input.packId };
    const session = await this.call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          customer: input.customerId,
          client_reference_id: input.accountId,
          metadata,
          // The payment intent (and so its charges, refunds and disputes) names the account and pack too.
          payment_intent_data: { metadata },
          // Adaptive Pricing (on by the dashboard's default) would let the buyer pay a converted amount in
          // their own currency: not the pack's price, so the webhook would credit nothing for money paid.
          adaptive_pricing: { enabled: false },
          line_items: [
            {
              quantity: 1,
              price_data: { currency: input.pack.currency, unit_amount: input.pack.priceMinor, product_data: { name: input.pack.name } },
            },
          ],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        { idempotencyKey },
      ),
    );
    return { id: session.id, url: session.url! };
  }

  async createPortal(customerId: string, returnUrl: string): Promise<string> {
    const session = await this.call(() => this.stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl }));
    return session.url;
  }

  async retrieveCheckout(sessionId: string): Promise<CheckoutSessionState | undefined> {
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.retrieve(sessionId);
    } catch (error) {
      if (missing(error)) return undefined;
      throw new PaymentProviderError(error);
    }
    const paymentIntent = session.payment_intent;
    return {
      id: session.id,
      // Statuses Stripe may add later read as the safe ones: not paid, not final.
      status: session.status === 'complete' ? 'complete' : session.status === 'expired' ? 'expired' : 'open',
      paymentStatus:
        session.payment_status === 'paid' ? 'paid' : session.payment_status === 'no_payment_required' ? 'no_payment_required' : 'unpaid',
      accountId: session.metadata?.accountId,
      packId: session.metadata?.pack,
      paymentIntentId: typeof paymentIntent === 'string' ? paymentIntent : paymentIntent?.id,
      amountMinor: session.amount_total ?? undefined,
      currency: session.currency ?? undefined,
      expiresAt: session.expires_at,
    };
  }

  async expireCheckout(sessionId: string): Promise<void> {
    await this.call(() => this.stripe.checkout.sessions.expire(sessionId));
  }

  async paymentIntentOfCharge(chargeId: string): Promise<string | null | undefined> {
    try {
      const charge = await this.stripe.charges.retrieve(chargeId);
      return idOf(charge.payment_intent) ?? null;
    } catch (error) {
      if (missing(error)) return undefined;
      throw new PaymentProviderError(error);
    }
  }

  async moneyOf(paymentIntentId: string): Promise<StripeMoneyView> {
    const money: StripeMoneyView = { refundedMinor: 0, disputes: {} };
    await this.call(async () => {
      for await (const charge of this.stripe.charges.list({ payment_intent: paymentIntentId, limit: 100 })) {
        money.refundedMinor += charge.amount_refunded;
        money.currency ??= charge.currency;
      }
      for await (const dispute of this.stripe.disputes.list({ payment_intent: paymentIntentId, limit: 100 }))
        money.disputes[dispute.id] = { amountMinor: dispute.amount, status: dispute.status };
    });
    return money;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new PaymentProviderError(error);
    }
  }
}
