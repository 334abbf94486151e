import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { DynamoDbLedger } from '../../../lambdas/billing/adapters/dynamodb-ledger';
import { type CreditPack, DEFAULT_PACKS, packMicro } from '../../../lambdas/billing/packs';
import type { LambdaHttpHandler } from '../../../lambdas/shared/middleware/http-stack';
import { type Buyer, chargeRefunded, checkoutCompleted, dispute, refundObject, sign } from '../../../scripts/ops/stripe-fixtures';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { stripeWebhookEnv } from '../../helpers/stripe-webhook-env';

/**
 * Stripe's events for several accounts' checkouts, delivered in an order, with duplicates and
 * redeliveries of an adversary's choosing — including events whose metadata names another account,
 * whose amount or currency is not the pack's, of the other mode or of a connected account, and
 * `payment_intent.*` noise billing does not act on. After every sequence each balance must be exactly
 * what the final state of its payments entitles (paid − refunded − lost disputes − held by open ones,
 * in credits), no account holds an entry of another's payment, nothing answered 5xx, and delivering
 * every event again — as Stripe's redelivery (same id), and as a resend after its record expired (a new
 * id to us) — changes nothing. Fixed seed: a failure replays.
 */
const SECRET = 'whsec_test_ordering_attack';
const PACKS = DEFAULT_PACKS;
const SEED = 20_261_207;
const ses = mockClient(SESv2Client);

/**
 * How a checkout goes. `metadataOther`: the session's metadata names another account than its
 * `client_reference_id` (a session our checkout never makes); `referenceOther`: the reference names
 * another account than the metadata; `amount`/`currency`: paid, but not the pack's price.
 */
type Kind =
  | 'card'
  | 'async_ok'
  | 'async_fail'
  | 'expired'
  | 'amount'
  | 'currency'
  | 'metadataOther'
  | 'referenceOther'
  | 'live'
  | 'connect';

type Op =
  | { op: 'refund'; amount: number }
  | { op: 'failRefund'; which: number }
  | { op: 'dispute'; amount: number }
  | { op: 'close'; which: number; won: boolean }
  | { op: 'noise' };

interface Plan {
  buyer: number;
  pack: keyof typeof PACKS;
  kind: Kind;
  ops: Op[];
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 120_000 }) }),
  fc.record({ op: fc.constant('failRefund' as const), which: fc.nat(3) }),
  fc.record({ op: fc.constant('dispute' as const), amount: fc.integer({ min: 1, max: 120_000 }) }),
  fc.record({ op: fc.constant('close' as const), which: fc.nat(1), won: fc.boolean() }),
  fc.record({ op: fc.constant('noise' as const) }),
);

const planArb: fc.Arbitrary<Plan> = fc.record({
  buyer: fc.nat(2),
  pack: fc.constantFrom(...(Object.keys(PACKS) as (keyof typeof PACKS)[])),
  kind: fc.constantFrom<Kind>(
    'card',
    'card',
    'card',
    'async_ok',
    'async_fail',
    'expired',
    'amount',
    'currency',
    'metadataOther',
    'referenceOther',
    'live',
    'connect',
  ),
  ops: fc.array(opArb, { maxLength: 7 }),
});

const sequenceArb = fc.record({
  plans: fc.array(planArb, { minLength: 1, maxLength: 4 }),
  order: fc.array(fc.nat(), { minLength: 48, maxLength: 48 }),
  duplicates: fc.array(fc.nat(), { maxLength: 8 }),
});

/** One payment as Stripe has it in the end, and every event Stripe made of it (each with its object as it was then). */
interface Sim {
  plan: Plan;
  paymentIntentId: string;
  /** Credits this payment buys its buyer: the pack's, when it was paid as we sell it, in our mode and account. */
  credits: boolean;
  refunds: { id: string; amount: number; failed: boolean }[];
  disputes: { id: string; amount: number; status: 'open' | 'won' | 'lost' }[];
  events: Record<string, unknown>[];
}

/** The micro-credits the payment's final state entitles its buyer to. */
function entitled(pack: CreditPack, sim: Sim): number {
  if (!sim.credits) return 0;
  const refunded = sim.refunds.filter((r) => !r.failed).reduce((t, r) => t + r.amount, 0);
  const disputed = sim.disputes.filter((d) => d.status !== 'won').reduce((t, d) => t + d.amount, 0);
  const gone = BigInt(Math.min(pack.priceMinor, refunded + disputed));
  return packMicro(pack) - Number((BigInt(packMicro(pack)) * gone) / BigInt(pack.priceMinor));
}

let ids = 0;
const id = (prefix: string) => `${prefix}_attack_${String(++ids).padStart(10, '0')}`;

/** Plays one checkout through Stripe's rules (no refund past what is left, none under an open or lost chargeback). */
function simulate(buyers: Buyer[], plan: Plan): Sim {
  const pack = PACKS[plan.pack]!;
  const buyer = buyers[plan.buyer]!;
  const other = buyers[(plan.buyer + 1) % buyers.length]!;
  const paymentIntentId = id('pi');
  const base = checkoutCompleted(buyer, plan.pack, pack, {
    paymentIntentId,
    sessionId: id('cs'),
    ...(plan.kind === 'amount' ? { amountMinor: pack.priceMinor - 1 } : {}),
    ...(plan.kind === 'currency' ? { currency: 'eur' } : {}),
  });
  const session = base.data.object as Record<string, unknown>;
  if (plan.kind === 'metadataOther') session.metadata = { accountId: other.accountId, pack: plan.pack };
  if (plan.kind === 'referenceOther') session.client_reference_id = other.accountId;
  const sim: Sim = { plan, paymentIntentId, credits: false, refunds: [], disputes: [], events: [] };
  const emit = (event: { type: string; data: { object: Record<string, unknown> } }, type = event.type) => {
    const stamped: Record<string, unknown> = { ...event, id: id('evt'), type, data: { object: structuredClone(event.data.object) } };
    if (plan.kind === 'live') stamped.livemode = true;
    if (plan.kind === 'connect') stamped.account = 'acct_attack_connected';
    sim.events.push(stamped);
  };
  const sessionAs = (status: string, paymentStatus: string) => ({
    ...base,
    data: { object: { ...session, status, payment_status: paymentStatus } },
  });
  const intent = (type: string, status: string) =>
    emit({
      type,
      data: {
        object: {
          id: paymentIntentId,
          object: 'payment_intent',
          amount: session.amount_total,
          currency: session.currency,
          status,
          metadata: session.metadata,
        },
      },
    });
  if (plan.kind === 'expired') {
    intent('payment_intent.canceled', 'canceled');
    emit(sessionAs('expired', 'unpaid'), 'checkout.session.expired');
    return sim;
  }
  if (plan.kind === 'async_ok' || plan.kind === 'async_fail') {
    intent('payment_intent.processing', 'processing');
    emit(sessionAs('complete', 'unpaid'));
    if (plan.kind === 'async_fail') {
      intent('payment_intent.payment_failed', 'requires_payment_method');
      emit(sessionAs('complete', 'unpaid'), 'checkout.session.async_payment_failed');
      return sim;
    }
    intent('payment_intent.succeeded', 'succeeded');
    emit(sessionAs('complete', 'paid'), 'checkout.session.async_payment_succeeded');
  } else {
    intent('payment_intent.succeeded', 'succeeded');
    emit(sessionAs('complete', 'paid'));
  }
  sim.credits = ['card', 'async_ok'].includes(plan.kind);
  const payment = { paymentIntentId, amountMinor: Number(session.amount_total), currency: String(session.currency) };
  const standing = () => sim.refunds.filter((r) => !r.failed).reduce((t, r) => t + r.amount, 0);
  for (const op of plan.ops) {
    if (op.op === 'noise') intent('payment_intent.amount_capturable_updated', 'succeeded');
    else if (op.op === 'refund') {
      const amount = Math.min(op.amount, payment.amountMinor - standing());
      if (amount <= 0 || sim.disputes.some((d) => d.status !== 'won')) continue;
      const refund = { id: id('re'), amount, failed: false };
      sim.refunds.push(refund);
      emit(refundObject('refund.created', payment, refund.id, amount, 'succeeded'));
      emit(chargeRefunded(buyers[plan.buyer]!, payment, standing()));
    } else if (op.op === 'failRefund') {
      const refund = sim.refunds[op.which % Math.max(1, sim.refunds.length)];
      if (!refund || refund.failed) continue;
      refund.failed = true;
      emit(refundObject('refund.failed', payment, refund.id, refund.amount, 'failed'));
    } else if (op.op === 'dispute') {
      if (sim.disputes.length >= 2) continue;
      const amount = Math.min(op.amount, payment.amountMinor - standing());
      if (amount <= 0) continue;
      const d = { id: id('dp'), amount, status: 'open' as const };
      sim.disputes.push(d);
      emit(dispute('charge.dispute.created', { ...payment, amountMinor: amount }, d.id, 'needs_response'));
      emit(dispute('charge.dispute.funds_withdrawn', { ...payment, amountMinor: amount }, d.id, 'needs_response'));
    } else {
      const d = sim.disputes[op.which % Math.max(1, sim.disputes.length)];
      if (d?.status !== 'open') continue;
      d.status = op.won ? 'won' : 'lost';
      if (op.won) emit(dispute('charge.dispute.funds_reinstated', { ...payment, amountMinor: d.amount }, d.id, 'won'));
      emit(dispute('charge.dispute.closed', { ...payment, amountMinor: d.amount }, d.id, op.won ? 'won' : 'lost'));
    }
  }
  return sim;
}

describe('Stripe events in an adversary’s order', () => {
  let dynamo: LocalDynamo;
  let handler: LambdaHttpHandler;
  let ledger: DynamoDbLedger;
  let accounts = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    Object.assign(process.env, stripeWebhookEnv(dynamo.endpoint, SECRET));
    handler = require('../../../lambdas/billing/handlers/stripe-webhook').handler;
    ledger = new DynamoDbLedger(dynamo.client, 'ledger');
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await dynamo.stop();
  });

  async function newBuyer(): Promise<Buyer> {
    const n = ++accounts;
    const accountId = `acc_attack_${String(n).padStart(14, '0')}`;
    const b = { accountId, email: `attack${n}@example.org`, name: `Attack ${n}`, customerId: `cus_attack_${n}` };
    await dynamo.client.send(
      new PutCommand({
        TableName: 'accounts',
        Item: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE', accountId, email: b.email, name: b.name, stripeCustomerId: b.customerId },
      }),
    );
    return b;
  }

  async function deliver(event: Record<string, unknown>, signedAt?: number) {
    const payload = JSON.stringify(event);
    const response = await handler(
      {
        ...httpEvent({
          method: 'POST',
          path: '/v1/webhooks/stripe',
          headers: { 'content-type': 'application/json', 'stripe-signature': sign(payload, SECRET, signedAt) },
        }),
        routeKey: 'POST /v1/webhooks/stripe',
        body: payload,
        isBase64Encoded: false,
      },
      lambdaContext,
    );
    return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') as { outcome?: string } };
  }

  /** Delivers every event until each was acknowledged (Stripe retries any non-2xx); the answers that were no 2xx or 409. */
  async function deliverAll(events: Record<string, unknown>[]): Promise<string[]> {
    const problems: string[] = [];
    for (const event of events) {
      for (let tries = 0; ; tries++) {
        const { status, body } = await deliver(event);
        if (status >= 200 && status < 300) break;
        if (status !== 409 || tries > 5) {
          problems.push(`${event.type} ${event.id} answered ${status} ${JSON.stringify(body)}`);
          break;
        }
      }
    }
    return problems;
  }

  /** Each buyer's balance, and the invariants of the money against what the payments' final state entitles. */
  async function check(buyers: Buyer[], sims: Sim[]): Promise<{ balances: number[]; problems: string[] }> {
    const problems: string[] = [];
    const balances: number[] = [];
    for (const [i, b] of buyers.entries()) {
      const mine = sims.filter((s) => s.plan.buyer === i);
      const expected = mine.reduce((t, s) => t + entitled(PACKS[s.plan.pack]!, s), 0);
      const balance = await ledger.balance(b.accountId);
      balances.push(balance);
      if (balance !== expected) problems.push(`buyer ${i}: balance ${balance}, the payments entitle ${expected}`);
      const own = new Set(mine.map((s) => s.paymentIntentId));
      const foreign = (await ledger.all(b.accountId)).filter((e) => e.stripe?.paymentIntentId && !own.has(e.stripe.paymentIntentId));
      if (foreign.length) problems.push(`buyer ${i} holds entries of another account's payment: ${JSON.stringify(foreign)}`);
    }
    return { balances, problems };
  }

  it('ends every sequence in exactly what each payment entitles; redelivering any event changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb, async ({ plans, order, duplicates }) => {
        const buyers = [await newBuyer(), await newBuyer(), await newBuyer()];
        const sims = plans.map((plan) => simulate(buyers, plan));
        const all = sims.flatMap((s) => s.events);
        const queue = [...all, ...duplicates.map((d) => all[d % all.length]!)];
        const shuffled = queue
          .map((event, i) => ({ event, key: order[i % order.length]! * 97 + i }))
          .sort((a, b) => a.key - b.key)
          .map((k) => k.event);
        const answered = await deliverAll(shuffled);
        const first = await check(buyers, sims);
        expect([...answered, ...first.problems]).toEqual([]);
        // Stripe's redelivery of every event, last first: nothing moves.
        const again = await deliverAll([...all].reverse());
        const second = await check(buyers, sims);
        expect([...again, ...second.problems]).toEqual([]);
        expect(second.balances).toEqual(first.balances);
        // The same again once the event records expired (30 days; Stripe may resend for as long): only the facts guard the money.
        const expired = all.map((event) => ({ ...event, id: `${event.id}_resent` }));
        const third = await deliverAll(expired);
        const after = await check(buyers, sims);
        expect([...third, ...after.problems]).toEqual([]);
        expect(after.balances).toEqual(first.balances);
      }),
      { numRuns: Number(process.env.STRIPE_ATTACK_RUNS ?? 25), seed: SEED, endOnFailure: true },
    );
  }, 240_000);

  describe('named sequences', () => {
    const starter = PACKS.starter!;
    const payment = (pi: string) => ({ paymentIntentId: pi, amountMinor: starter.priceMinor, currency: starter.currency });
    const micro = packMicro(starter);

    it('a refund, then a dispute closed lost before it was created, then the completion: paid − refunded − lost', async () => {
      const [b] = [await newBuyer()];
      const pi = id('pi');
      const dp = id('dp');
      const re = id('re');
      const events = [
        refundObject('refund.created', payment(pi), re, 300, 'succeeded'),
        chargeRefunded(b!, payment(pi), 300),
        dispute('charge.dispute.closed', { ...payment(pi), amountMinor: 200 }, dp, 'lost'),
        dispute('charge.dispute.created', { ...payment(pi), amountMinor: 200 }, dp, 'needs_response'),
        checkoutCompleted(b!, 'starter', starter, { paymentIntentId: pi }),
      ];
      expect(await deliverAll(events)).toEqual([]);
      expect(await ledger.balance(b!.accountId)).toBe(micro / 2);
    });

    it('a failed async payment delivered after the succeeded one moves nothing', async () => {
      const b = (await newBuyer())!;
      const completed = checkoutCompleted(b, 'starter', starter, { paymentIntentId: id('pi') });
      const session = completed.data.object;
      const succeeded = { ...completed, id: id('evt'), type: 'checkout.session.async_payment_succeeded' };
      const failed = {
        ...completed,
        id: id('evt'),
        type: 'checkout.session.async_payment_failed',
        data: { object: { ...session, payment_status: 'unpaid' } },
      };
      const unpaid = { ...completed, data: { object: { ...session, payment_status: 'unpaid' } } };
      expect(await deliverAll([unpaid, succeeded, failed, succeeded, failed])).toEqual([]);
      expect(await ledger.balance(b.accountId)).toBe(micro);
    });

    it('several partial refunds delivered newest first count once each, up to what was paid', async () => {
      const b = (await newBuyer())!;
      const pi = id('pi');
      const refunds = [100, 250, 650].map((amount) => ({ id: id('re'), amount }));
      let total = 0;
      const events = refunds.flatMap((r) => {
        total += r.amount;
        return [refundObject('refund.created', payment(pi), r.id, r.amount, 'succeeded'), chargeRefunded(b, payment(pi), total)];
      });
      expect(await deliverAll([...events].reverse())).toEqual([]);
      expect(await deliverAll([checkoutCompleted(b, 'starter', starter, { paymentIntentId: pi }), ...events])).toEqual([]);
      expect(await ledger.balance(b.accountId)).toBe(0);
    });

    it('a checkout whose metadata names another account credits neither', async () => {
      const [a, b] = [await newBuyer(), await newBuyer()];
      const event = checkoutCompleted(a!, 'starter', starter, { paymentIntentId: id('pi') });
      event.data.object.metadata = { accountId: b!.accountId, pack: 'starter' };
      const { body } = await deliver(event);
      expect(body.outcome).toBe('rejected_mismatch');
      expect([await ledger.balance(a!.accountId), await ledger.balance(b!.accountId)]).toEqual([0, 0]);
    });

    it('a second session naming a payment another account was credited for credits nobody, and leaves its refunds with the payer', async () => {
      // Only a forger holding the webhook secret can send it (Stripe makes one PaymentIntent per session): one payment, one credit.
      const [a, b] = [await newBuyer(), await newBuyer()];
      const pi = id('pi');
      expect(await deliverAll([checkoutCompleted(a!, 'starter', starter, { paymentIntentId: pi })])).toEqual([]);
      const forged = await deliver(checkoutCompleted(b!, 'starter', starter, { paymentIntentId: pi }));
      expect([forged.status, forged.body.outcome]).toEqual([200, 'rejected_mismatch']);
      expect(await deliverAll([refundObject('refund.created', payment(pi), id('re'), 400, 'succeeded')])).toEqual([]);
      expect([await ledger.balance(a!.accountId), await ledger.balance(b!.accountId)]).toEqual([micro - (micro * 4) / 10, 0]);
    });

    it('a refund reported in another currency than the payment is counted as the whole payment (documented)', async () => {
      const b = (await newBuyer())!;
      const pi = id('pi');
      const foreign = refundObject('refund.created', { paymentIntentId: pi, currency: 'jpy' }, id('re'), 100, 'succeeded');
      expect(await deliverAll([checkoutCompleted(b, 'starter', starter, { paymentIntentId: pi }), foreign])).toEqual([]);
      expect(await ledger.balance(b.accountId)).toBe(0);
    });

    it('a real signed event replayed after the signature tolerance (300 s) is refused and credits nothing', async () => {
      const b = (await newBuyer())!;
      const replayed = await deliver(checkoutCompleted(b, 'starter', starter), Math.floor(Date.now() / 1000) - 301);
      expect([replayed.status, (replayed.body as { error?: { code: string } }).error?.code]).toEqual([400, 'invalid_signature']);
      expect(await ledger.balance(b.accountId)).toBe(0);
    });

    it('events of the other mode or of a connected account move nothing, in any order', async () => {
      const b = (await newBuyer())!;
      const pi = id('pi');
      const live = { ...checkoutCompleted(b, 'starter', starter, { paymentIntentId: pi }), livemode: true };
      const connected = { ...checkoutCompleted(b, 'starter', starter), account: 'acct_attack_other' };
      const answers = [await deliver(live), await deliver(connected)];
      expect(answers).toEqual([
        { status: 200, body: expect.objectContaining({ outcome: 'wrong_mode' }) },
        { status: 200, body: expect.objectContaining({ outcome: 'other_account' }) },
      ]);
      expect(await ledger.balance(b.accountId)).toBe(0);
    });
  });
});
