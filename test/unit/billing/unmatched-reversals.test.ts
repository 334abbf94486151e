import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLedger } from '../../../lambdas/billing/adapters/dynamodb-ledger';
import { DEFAULT_PACKS } from '../../../lambdas/billing/packs';
import {
  type Buyer,
  chargeRefunded,
  checkoutCompleted,
  dispute,
  newDisputeId,
  newRefundId,
  refundObject,
} from '../../../scripts/ops/stripe-fixtures';
import type { StripeStandIn } from '../../helpers/stripe-stand-in';
import { startWebhookWorld, type WebhookWorld } from '../../helpers/stripe-webhook-world';

const SECRET = 'whsec_test_unmatched';
const starter = DEFAULT_PACKS.starter!;
const ses = mockClient(SESv2Client);

/**
 * Stripe's refund, dispute and charge objects may carry `payment_intent: null` (a refund or dispute
 * rendered without it, a charge made with the Charges API). Such an event is tied to its purchase
 * through its charge, as Stripe has it now; one that cannot be tied to any payment is refused loudly
 * (PurchaseMismatch), never dropped as if nothing had happened.
 */
describe('refunds and disputes that do not name their PaymentIntent', () => {
  let world: WebhookWorld;
  let stripe: StripeStandIn;
  let ledger: DynamoDbLedger;
  let mismatches: jest.SpyInstance;

  beforeAll(async () => {
    world = await startWebhookWorld(SECRET);
    stripe = world.stripe;
    mismatches = jest.spyOn(require('../../../lambdas/billing/adapters/powertools-metrics').billingMetrics, 'purchaseMismatch');
    ledger = new DynamoDbLedger(world.dynamo.client, 'ledger');
  });
  afterAll(() => world.stop());
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    mismatches.mockClear();
  });

  const deliver = (event: object) => world.deliver(event);
  const buyer = () => world.buyer();

  /** A purchase credited, and its charge as Stripe holds it. */
  async function purchased(b: Buyer, options: { deliver?: boolean } = {}) {
    const event = checkoutCompleted(b, 'starter', starter);
    const payment = {
      paymentIntentId: String(event.data.object.payment_intent),
      amountMinor: starter.priceMinor,
      currency: starter.currency,
    };
    const chargeId = `ch_${payment.paymentIntentId.replace(/^pi_/, '')}`;
    stripe.charges.set(chargeId, { id: chargeId, object: 'charge', payment_intent: payment.paymentIntentId, amount_refunded: 0 });
    if (options.deliver !== false) expect((await deliver(event)).outcome).toBe('credited');
    return { event, payment, chargeId };
  }
  /** An event whose object names its charge only. */
  const withoutPaymentIntent = <E extends { data: { object: Record<string, unknown> } }>(event: E): E => {
    event.data.object.payment_intent = null;
    return event;
  };
  const credits = (b: Buyer) => ledger.balance(b.accountId).then((micro) => micro / 1_000_000);

  it('claws back a refund that names only its charge, through the charge Stripe has', async () => {
    const b = await buyer();
    const { payment } = await purchased(b);
    const refund = withoutPaymentIntent(refundObject('refund.created', payment, newRefundId(), 500, 'succeeded'));
    expect(await deliver(refund)).toMatchObject({ status: 200, outcome: 'reversed' });
    expect(await credits(b)).toBe(starter.credits / 2);
    expect(stripe.requests.filter((r) => r.path.startsWith('/v1/charges/'))).toHaveLength(1);
  });

  it('holds for a dispute that names only its charge, and takes it on loss', async () => {
    const b = await buyer();
    const { payment } = await purchased(b);
    const disputeId = newDisputeId();
    expect(await deliver(withoutPaymentIntent(dispute('charge.dispute.created', payment, disputeId, 'needs_response')))).toMatchObject({
      outcome: 'held',
    });
    expect(await credits(b)).toBe(0);
    expect(await deliver(withoutPaymentIntent(dispute('charge.dispute.closed', payment, disputeId, 'lost')))).toMatchObject({
      outcome: 'dispute_lost',
    });
    const purchase = await ledger.purchaseOf(payment.paymentIntentId);
    expect(purchase?.disputes).toEqual({ [disputeId]: { amountMinor: starter.priceMinor, status: 'lost' } });
  });

  it('keeps one that comes before its purchase under the payment its charge names, and applies it when the purchase lands', async () => {
    const b = await buyer();
    const { event, payment } = await purchased(b, { deliver: false });
    expect(await deliver(withoutPaymentIntent(chargeRefunded(b, payment, 300)))).toMatchObject({ outcome: 'deferred_until_purchase' });
    expect(await deliver(event)).toMatchObject({ outcome: 'credited' });
    expect(await credits(b)).toBe(starter.credits * 0.7);
  });

  it('refuses loudly a refund of a charge that has no PaymentIntent: no purchase of ours, and ops are alarmed', async () => {
    const b = await buyer();
    const { payment, chargeId } = await purchased(b);
    // A charge made with the Charges API, say by another product on the same Stripe account.
    stripe.charges.set(chargeId, { id: chargeId, object: 'charge', payment_intent: null });
    expect(await deliver(withoutPaymentIntent(chargeRefunded(b, payment, 1000)))).toMatchObject({
      status: 200,
      outcome: 'unmatched_payment',
    });
    expect(mismatches).toHaveBeenCalledTimes(1);
    expect(await credits(b)).toBe(starter.credits);
  });

  it('refuses loudly a refund Stripe knows no charge of', async () => {
    const b = await buyer();
    const { payment } = await purchased(b);
    const refund = withoutPaymentIntent(refundObject('refund.created', payment, newRefundId(), 500, 'succeeded'));
    refund.data.object.charge = 'ch_test_nobody_knows';
    expect(await deliver(refund)).toMatchObject({ status: 200, outcome: 'unmatched_payment' });
    expect(mismatches).toHaveBeenCalledTimes(1);
  });

  it('refuses loudly a dispute whose amount cannot be read, instead of ignoring it', async () => {
    const b = await buyer();
    const { payment } = await purchased(b);
    const event = dispute('charge.dispute.created', payment, newDisputeId(), 'needs_response');
    event.data.object.amount = '1000' as never;
    expect(await deliver(event)).toMatchObject({ status: 200, outcome: 'unreadable' });
    expect(mismatches).toHaveBeenCalledTimes(1);
  });

  it('answers 503 while Stripe cannot say whose charge it is, and applies the retry', async () => {
    const b = await buyer();
    const { payment } = await purchased(b);
    const refund = withoutPaymentIntent(refundObject('refund.created', payment, newRefundId(), 1000, 'succeeded'));
    // The SDK retries twice itself: three failures make the outage last.
    stripe.failNext.push(500, 500, 500);
    expect(await deliver(refund)).toMatchObject({ status: 503 });
    expect(await credits(b)).toBe(starter.credits);
    expect(await deliver(refund)).toMatchObject({ status: 200, outcome: 'reversed' });
    expect(await credits(b)).toBe(0);
  });
});
