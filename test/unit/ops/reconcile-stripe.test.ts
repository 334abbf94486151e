import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { StripePayments } from '../../../lambdas/billing/adapters/stripe-payments';
import { DEFAULT_PACKS } from '../../../lambdas/billing/packs';
import { stripeClient } from '../../../lambdas/shared/adapters/stripe-client';
import { TABLE_SPECS, type TableName } from '../../../lambdas/shared/tables';
import { reconcileAccount, type StripeCheck } from '../../../scripts/ops/reconcile';
import type { Resources } from '../../../scripts/ops/resources';
import { chargeRefunded, checkoutCompleted, dispute, newDisputeId } from '../../../scripts/ops/stripe-fixtures';
import type { StripeStandIn } from '../../helpers/stripe-stand-in';
import { startWebhookWorld, type WebhookWorld } from '../../helpers/stripe-webhook-world';

const SECRET = 'whsec_test_reconcile';
const starter = DEFAULT_PACKS.starter!;
const ses = mockClient(SESv2Client);

/**
 * `ops reconcile` compared the ledger with what Stripe's events had reported: a dispute recorded in the
 * wrong state (an event lost, forged with a leaked secret, or misread) agreed with itself. Asked through
 * the Stripe port, it now compares each payment with a refund or dispute against Stripe's own account.
 */
describe('reconcile against what Stripe says', () => {
  let world: WebhookWorld;
  let stripe: StripeStandIn;
  let resources: Resources;
  let check: StripeCheck;

  beforeAll(async () => {
    world = await startWebhookWorld(SECRET);
    stripe = world.stripe;
    resources = {
      stage: 'local',
      outputs: {},
      tables: Object.fromEntries(Object.keys(TABLE_SPECS).map((name) => [name, name])) as Record<TableName, string>,
      dynamo: world.dynamo.client,
      clientConfig: {},
      close: () => undefined,
    };
    check = { records: new StripePayments(stripeClient('sk_test_reconcile', world.stripeApiBase)), everyPurchase: false };
  });
  afterAll(() => world.stop());
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });

  const deliver = async (event: object) => expect((await world.deliver(event)).status).toBe(200);

  /** An account that bought a starter pack; its charge as Stripe holds it (a test changes it to disagree). */
  async function bought() {
    const b = await world.buyer();
    const event = checkoutCompleted(b, 'starter', starter);
    await deliver(event);
    const payment = {
      paymentIntentId: String(event.data.object.payment_intent),
      amountMinor: starter.priceMinor,
      currency: starter.currency,
    };
    const charge = { id: `ch_${payment.paymentIntentId.slice(3)}`, object: 'charge', payment_intent: payment.paymentIntentId };
    stripe.charges.set(charge.id, { ...charge, amount: payment.amountMinor, amount_refunded: 0, currency: payment.currency });
    return { b, payment, charge: stripe.charges.get(charge.id)! };
  }
  const atStripe = (disputeId: string, paymentIntentId: string, status: string, amount = starter.priceMinor) =>
    stripe.disputes.set(disputeId, { id: disputeId, object: 'dispute', payment_intent: paymentIntentId, amount, currency: 'usd', status });

  it('reports a dispute the ledger took as won that Stripe says was lost', async () => {
    const { b, payment } = await bought();
    const disputeId = newDisputeId();
    await deliver(dispute('charge.dispute.created', payment, disputeId, 'needs_response'));
    await deliver(dispute('charge.dispute.closed', payment, disputeId, 'won'));
    atStripe(disputeId, payment.paymentIntentId, 'lost');
    const result = await reconcileAccount(resources, b, check);
    // The ledger agrees with itself: only Stripe's own account shows the credits were kept for money lost.
    expect(result.purchaseMismatches).toEqual([]);
    expect(result.stripeDivergences).toEqual([
      {
        paymentIntentId: payment.paymentIntentId,
        problems: [
          `dispute ${disputeId} is won here, lost at Stripe`,
          "the ledger gives 1000000000 micro-credits, Stripe's money pays for 0",
        ],
        ledgerMicro: 1_000_000_000,
        stripeMicro: 0,
      },
    ]);
  });

  it('reports a refund that failed at Stripe but still claws back here, and a dispute unknown to Stripe', async () => {
    const { b, payment, charge } = await bought();
    await deliver(chargeRefunded(b, payment, 500));
    const forged = newDisputeId();
    await deliver(dispute('charge.dispute.created', payment, forged, 'needs_response'));
    // The refund failed (its refund.failed never reached us): Stripe's charge has nothing refunded.
    charge.amount_refunded = 0;
    const { stripeDivergences } = await reconcileAccount(resources, b, check);
    expect(stripeDivergences).toHaveLength(1);
    expect(stripeDivergences[0]!.problems).toEqual([
      'refunded 500 here, 0 at Stripe',
      `dispute ${forged} is recorded here, unknown to Stripe`,
      "the ledger gives 0 micro-credits, Stripe's money pays for 1000000000",
    ]);
  });

  it('finds nothing where Stripe agrees, and asks about payments with no refund or dispute only when told to', async () => {
    const agreed = await bought();
    const disputeId = newDisputeId();
    await deliver(dispute('charge.dispute.created', agreed.payment, disputeId, 'needs_response'));
    await deliver(dispute('charge.dispute.updated', agreed.payment, disputeId, 'under_review'));
    atStripe(disputeId, agreed.payment.paymentIntentId, 'under_review');
    await deliver(chargeRefunded(agreed.b, agreed.payment, 200));
    agreed.charge.amount_refunded = 200;
    expect((await reconcileAccount(resources, agreed.b, check)).stripeDivergences).toEqual([]);

    // A dispute whose events never came: the purchase has nothing on record, so only a full check asks.
    const quiet = await bought();
    const unseen = newDisputeId();
    atStripe(unseen, quiet.payment.paymentIntentId, 'lost');
    const asked = stripe.requests.length;
    expect((await reconcileAccount(resources, quiet.b, check)).stripeDivergences).toEqual([]);
    expect(stripe.requests.length).toBe(asked);
    const full = await reconcileAccount(resources, quiet.b, { ...check, everyPurchase: true });
    expect(full.stripeDivergences[0]!.problems[0]).toBe(`dispute ${unseen} (lost at Stripe) is not recorded here`);
  });
});
