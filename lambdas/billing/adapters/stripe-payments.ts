import type Stripe from 'stripe';
import type { BillingAccount, PaymentProvider } from '../domain/ports';
import { PaymentProviderError } from '../errors';
import type { CreditPack } from '../packs';

/** Stripe through its SDK: customers, Checkout Sessions in payment mode, the Customer Portal. */
export class StripePayments implements PaymentProvider {
  constructor(private readonly stripe: Stripe) {}

  async createCustomer(account: BillingAccount, idempotencyKey: string): Promise<string> {
    const customer = await this.call(() =>
      this.stripe.customers.create({ email: account.email, name: account.name, metadata: { accountId: account.accountId } }, { idempotencyKey }),
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
          line_items: [{ quantity: 1, price_data: { currency: input.pack.currency, unit_amount: input.pack.priceMinor, product_data: { name: input.pack.name } } }],
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

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new PaymentProviderError(error);
    }
  }
}
