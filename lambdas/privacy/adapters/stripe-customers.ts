import type Stripe from 'stripe';

/** Deletes a Stripe customer; one Stripe no longer has (404) counts as deleted. */
export class StripeCustomers {
  constructor(private readonly stripe: Stripe) {}

  async deleteCustomer(customerId: string): Promise<'deleted' | 'already_gone'> {
    try {
      await this.stripe.customers.del(customerId);
      return 'deleted';
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return 'already_gone';
      throw error;
    }
  }
}
