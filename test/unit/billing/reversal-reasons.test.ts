import type { Purchase } from '../../../lambdas/billing/domain/ledger';
import { reversalStep } from '../../../lambdas/billing/domain/stripe-events';

function purchaseOf(amountMinor: number, currency: string): Purchase {
  return {
    paymentIntentId: 'pi_1',
    accountId: 'acc_1',
    pack: 'starter',
    creditsMicro: 1_000_000_000,
    amountMinor,
    currency,
    checkoutSessionId: 'cs_1',
    refundedMinor: 0,
    clawedBackMicro: 0,
    heldMicro: 0,
    disputes: {},
    version: 0,
    at: '2026-12-05T00:00:00Z',
  };
}

describe("a refund's ledger entry", () => {
  it('says the money in units of its currency, not in Stripe minor units', () => {
    const usd = reversalStep({ kind: 'refund', refundedMinor: 500, chargeId: 'ch_1' }, purchaseOf(1000, 'usd'));
    expect(usd?.entry?.reason).toBe('Refund of 5.00 USD of 10.00 USD paid for starter');
    const yen = reversalStep({ kind: 'refund', refundedMinor: 500, chargeId: 'ch_1' }, purchaseOf(1500, 'jpy'));
    expect(yen?.entry?.reason).toBe('Refund of 500 JPY of 1500 JPY paid for starter');
    const failed = reversalStep(
      { kind: 'refundStatus', refundId: 're_1', amountMinor: 5120, status: 'succeeded', chargeId: 'ch_1' },
      purchaseOf(10_000, 'kwd'),
    );
    expect(failed?.entry?.reason).toBe('Refund of 5.120 KWD of 10.000 KWD paid for starter');
  });

  it('names the currency Stripe reported a refund in when it is not the payment’s', () => {
    const foreign = reversalStep({ kind: 'refund', refundedMinor: 500, chargeId: 'ch_1', currency: 'eur' }, purchaseOf(1000, 'usd'));
    expect(foreign?.entry?.reason).toMatch(
      /^Refund of 5\.00 EUR of 10\.00 USD paid for starter.*\(reported in eur, so counted as the whole payment\)$/,
    );
  });
});
