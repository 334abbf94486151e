import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbBillingAccounts } from '../../../lambdas/billing/adapters/dynamodb-billing-accounts';
import { stripeClient } from '../../../lambdas/shared/adapters/stripe-client';
import { StripePayments } from '../../../lambdas/billing/adapters/stripe-payments';
import { StripeCustomers } from '../../../lambdas/privacy/adapters/stripe-customers';
import { CheckoutService } from '../../../lambdas/billing/domain/checkout';
import { DEFAULT_PACKS } from '../../../lambdas/billing/packs';
import { DynamoDbWindowCounter } from '../../../lambdas/shared/adapters/dynamodb-counter';
import { DynamoDbSecurityEvents } from '../../../lambdas/shared/adapters/dynamodb-security-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { StripeStandIn } from '../../helpers/stripe-stand-in';

const origin = { ip: '203.0.113.5', userAgent: 'jest' };

describe('CheckoutService with Stripe (stand-in)', () => {
  let dynamo: LocalDynamo;
  let stripe: StripeStandIn;
  let base: string;
  let n = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    stripe = new StripeStandIn();
    base = await stripe.start();
  });
  afterAll(async () => {
    await stripe.stop();
    await dynamo.stop();
  });

  const credited = new Map<string, { accountId: string; creditsMicro: number }>();
  const service = (options: { apiKey?: string; checkoutsPerHour?: number; now?: () => Date } = {}) =>
    new CheckoutService({
      payments: options.apiKey === '' ? undefined : new StripePayments(stripeClient(options.apiKey ?? 'sk_test_standin', base)),
      accounts: new DynamoDbBillingAccounts(dynamo.client, 'accounts'),
      securityEvents: new DynamoDbSecurityEvents(dynamo.client, 'securityEvents'),
      counter: new DynamoDbWindowCounter(dynamo.client, 'securityEvents'),
      packs: DEFAULT_PACKS,
      publicUrl: 'https://api.omnapi.test/',
      checkoutsPerHour: options.checkoutsPerHour ?? 5,
      purchases: { creditedBy: async (paymentIntentId) => credited.get(paymentIntentId) },
      now: options.now ?? (() => new Date()),
    });

  async function account(): Promise<string> {
    const accountId = `acc_${String(++n).padStart(24, 'c')}`;
    await dynamo.client.send(
      new PutCommand({
        TableName: 'accounts',
        Item: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE', accountId, email: `c${n}@example.org`, name: `C ${n}` },
      }),
    );
    return accountId;
  }
  const sent = (path: string) => stripe.requests.filter((r) => r.path === path);

  it('makes the customer once, keeps it on the account and opens a payment-mode Checkout Session naming the account and pack', async () => {
    const accountId = await account();
    stripe.requests.length = 0;
    const session = await service().startCheckout(accountId, 'growth', origin);
    expect(session.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const [customer] = sent('/v1/customers');
    expect(customer).toMatchObject({
      idempotencyKey: `customer:${accountId}`,
      authorization: 'Bearer sk_test_standin',
      params: { email: expect.any(String), 'metadata[accountId]': accountId },
    });
    const [checkout] = sent('/v1/checkout/sessions');
    expect(checkout!.idempotencyKey).toMatch(new RegExp(`^checkout:${accountId}:growth:\\d+:1$`));
    expect(checkout!.params).toMatchObject({
      mode: 'payment',
      customer: expect.stringMatching(/^cus_/),
      client_reference_id: accountId,
      'metadata[accountId]': accountId,
      'metadata[pack]': 'growth',
      'payment_intent_data[metadata][accountId]': accountId,
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '10000',
      // Paid in the pack's currency only: a buyer shown a converted price would pay an amount the webhook must refuse.
      'adaptive_pricing[enabled]': 'false',
      success_url: 'https://api.omnapi.test/credits/checkout/done?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://api.omnapi.test/credits/checkout/cancelled?session_id={CHECKOUT_SESSION_ID}',
    });
    const { Item } = await dynamo.client.send(
      new GetCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' } }),
    );
    expect(Item!.stripeCustomerId).toBe(checkout!.params.customer);

    // The next checkout and the portal reuse the customer.
    stripe.requests.length = 0;
    await service().startCheckout(accountId, 'starter', origin);
    const portal = await service().portal(accountId);
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
    expect(sent('/v1/customers')).toHaveLength(0);
    expect(sent('/v1/checkout/sessions')[0]!.params.customer).toBe(Item!.stripeCustomerId);
    expect(sent('/v1/billing_portal/sessions')[0]!.params).toEqual({
      customer: Item!.stripeCustomerId,
      return_url: 'https://api.omnapi.test/credits',
    });
  });

  it("tells a checkout's buyer how it ended, from Stripe: pending, paid (credited or not yet), expired; another account's is not found", async () => {
    const [buyer, other] = [await account(), await account()];
    const { id } = await service().startCheckout(buyer, 'starter', origin);
    await expect(service().status(buyer, id)).resolves.toMatchObject({
      sessionId: id,
      status: 'pending',
      pack: 'starter',
      amountMinor: 1000,
      currency: 'usd',
      credited: false,
      credits: null,
    });
    await expect(service().status(other, id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(service().status(buyer, 'cs_test_unknown')).rejects.toMatchObject({ kind: 'not_found' });
    Object.assign(stripe.sessions.get(id)!, { status: 'complete', payment_status: 'paid', payment_intent: 'pi_test_paid' });
    await expect(service().status(buyer, id)).resolves.toMatchObject({ status: 'paid', credited: false, credits: '1000' });
    credited.set('pi_test_paid', { accountId: buyer, creditsMicro: 1_000_000_000 });
    await expect(service().status(buyer, id)).resolves.toMatchObject({ status: 'paid', credited: true, credits: '1000' });
    // A delayed payment method: complete but not paid yet is still pending.
    const delayed = await service().startCheckout(buyer, 'growth', origin);
    Object.assign(stripe.sessions.get(delayed.id)!, { status: 'complete', payment_status: 'unpaid' });
    await expect(service().status(buyer, delayed.id)).resolves.toMatchObject({ status: 'pending' });
    const lapsed = await service().startCheckout(buyer, 'scale', origin);
    Object.assign(stripe.sessions.get(lapsed.id)!, { status: 'expired', expires_at: Math.floor(Date.now() / 1000) - 1 });
    await expect(service().status(buyer, lapsed.id)).resolves.toMatchObject({ status: 'expired', credited: false });
  });

  it('cancels an open checkout at Stripe for its buyer only; a paid one stays paid', async () => {
    const [buyer, other] = [await account(), await account()];
    const { id } = await service().startCheckout(buyer, 'starter', origin);
    await expect(service().cancel(other, id)).rejects.toMatchObject({ kind: 'not_found' });
    expect(stripe.sessions.get(id)!.status).toBe('open');
    await expect(service().cancel(buyer, id)).resolves.toMatchObject({ status: 'cancelled', credited: false });
    expect(sent(`/v1/checkout/sessions/${id}/expire`)).toHaveLength(1);
    await expect(service().status(buyer, id)).resolves.toMatchObject({ status: 'cancelled' });
    const paid = await service().startCheckout(buyer, 'growth', origin);
    Object.assign(stripe.sessions.get(paid.id)!, { status: 'complete', payment_status: 'paid', payment_intent: 'pi_test_kept' });
    await expect(service().cancel(buyer, paid.id)).resolves.toMatchObject({ status: 'paid' });
    expect(sent(`/v1/checkout/sessions/${paid.id}/expire`)).toHaveLength(0);
  });

  it('makes one customer when two first checkouts race', async () => {
    const accountId = await account();
    await Promise.all([service().startCheckout(accountId, 'starter', origin), service().startCheckout(accountId, 'starter', origin)]);
    const { Item } = await dynamo.client.send(
      new GetCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' } }),
    );
    const customers = new Set(
      sent('/v1/checkout/sessions')
        .filter((r) => r.params.client_reference_id === accountId)
        .map((r) => r.params.customer),
    );
    expect([...customers]).toEqual([Item!.stripeCustomerId]);
  });

  it('refuses more checkouts an hour than allowed (429), and an unknown pack (400)', async () => {
    const accountId = await account();
    // One instant for the three: the hour's window must not turn between them (it did, at 03:00).
    const at = new Date();
    const checkout = service({ checkoutsPerHour: 2, now: () => at });
    await checkout.startCheckout(accountId, 'starter', origin);
    await checkout.startCheckout(accountId, 'starter', origin);
    await expect(checkout.startCheckout(accountId, 'starter', origin)).rejects.toMatchObject({
      kind: 'rate_limited',
      code: 'checkout_rate_limited',
    });
    await expect(checkout.startCheckout(accountId, 'platinum', origin)).rejects.toMatchObject({ kind: 'invalid', code: 'unknown_pack' });
  });

  it('answers 503 naming STRIPE_SECRET_KEY when this deployment has no API key', async () => {
    const accountId = await account();
    await expect(service({ apiKey: '' }).startCheckout(accountId, 'starter', origin)).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('STRIPE_SECRET_KEY'),
    });
    await expect(service({ apiKey: '' }).portal(accountId)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('turns a Stripe outage into a 503 that asks to retry, not a 500', async () => {
    const accountId = await account();
    stripe.failNext = [500, 500, 500];
    await expect(service().startCheckout(accountId, 'starter', origin)).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'payments_unavailable',
    });
    stripe.failNext = [];
  });

  it('erasure deletes the customer checkout made, and counts one Stripe no longer has as deleted', async () => {
    const payments = new StripeCustomers(stripeClient('sk_test_standin', base));
    const accountId = await account();
    await service().startCheckout(accountId, 'starter', origin);
    const { Item } = await dynamo.client.send(
      new GetCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' } }),
    );
    await expect(payments.deleteCustomer(Item!.stripeCustomerId)).resolves.toBe('deleted');
    await expect(payments.deleteCustomer(Item!.stripeCustomerId)).resolves.toBe('already_gone');
  });
});
