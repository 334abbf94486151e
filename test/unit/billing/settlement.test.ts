import fc from 'fast-check';
import type { Purchase } from '../../../lambdas/billing/domain/ledger';
import {
  checkPurchases,
  type PaymentFact,
  type RefundStatus,
  refundedOf,
  settle,
  shareOf,
  splitOf,
} from '../../../lambdas/billing/domain/settlement';
import { factOf, reversalStep } from '../../../lambdas/billing/domain/stripe-events';

/** A purchase as the ledger creates it, before any refund or dispute. */
function purchaseOf(amountMinor: number, creditsMicro: number, currency = 'usd'): Purchase {
  return {
    paymentIntentId: 'pi_1',
    accountId: 'acc_1',
    pack: 'p',
    creditsMicro,
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

/** Delivers facts one at a time as the ledger would apply them; returns the balance moved and the final purchase. */
function deliver(start: Purchase, facts: PaymentFact[], check: (p: Purchase, balance: number) => void = () => {}) {
  let purchase = start;
  let balance = start.creditsMicro;
  for (const fact of facts) {
    const settled = settle(purchase, fact);
    if (!settled) continue;
    purchase = { ...purchase, ...settled.changes, version: purchase.version + 1 };
    balance += settled.balanceMicro;
    check(purchase, balance);
  }
  return { purchase, balance };
}

/** What an operator (or the bank) does to a payment's refunds, in the order it happens. */
const refundStep = fc.oneof(
  fc.record({ op: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 100_000 }), settled: fc.boolean() }),
  fc.record({ op: fc.constant('settle' as const), which: fc.nat(), to: fc.constantFrom<RefundStatus>('succeeded', 'failed', 'canceled') }),
);

/**
 * What Stripe can say of one payment, in the order it happened: refunds made, each reported by the
 * charge's refunded total (`charge.refunded`, which falls again when a refund fails) and, when the
 * endpoint takes refund events, by the refund itself as it goes pending → succeeded → failed, or
 * pending → canceled; and disputes that open, may be updated and may close (won, lost, warning_closed).
 * `refundedNow` is Stripe's refunded total once everything has happened.
 */
const history = fc
  .record({ amountMinor: fc.integer({ min: 1, max: 100_000 }), creditsPerMinor: fc.integer({ min: 1, max: 2_000_000 }) })
  .chain(({ amountMinor, creditsPerMinor }) =>
    fc
      .record({
        refundObjects: fc.boolean(),
        refundSteps: fc.array(refundStep, { maxLength: 6 }),
        disputes: fc.array(
          fc.record({
            amounts: fc.array(fc.integer({ min: 1, max: amountMinor }), { minLength: 1, maxLength: 3 }),
            close: fc.constantFrom(undefined, 'won', 'lost', 'warning_closed'),
          }),
          { maxLength: 2 },
        ),
        seed: fc.array(fc.integer(), { minLength: 20, maxLength: 20 }),
        replays: fc.array(fc.nat(), { maxLength: 4 }),
      })
      .map(({ refundObjects, refundSteps, disputes, seed, replays }) => {
        const facts: PaymentFact[] = [];
        const refunds: { refundId: string; amountMinor: number; status: RefundStatus }[] = [];
        let standing = 0;
        for (const step of refundSteps) {
          if (step.op === 'refund') {
            // Stripe refunds at most what is paid and not refunded already.
            const amount = Math.min(step.amount, amountMinor - standing);
            if (amount <= 0) continue;
            const refund = {
              refundId: `re_${refunds.length}`,
              amountMinor: amount,
              status: (step.settled ? 'succeeded' : 'pending') as RefundStatus,
            };
            refunds.push(refund);
            standing += amount;
            if (refundObjects) facts.push({ kind: 'refundStatus', ...refund });
            facts.push({ kind: 'refund', refundedMinor: standing });
          } else if (refundObjects && refunds.length) {
            // Without refund events nothing tells us a refund failed, so failures are only made where they are reported.
            const refund = refunds[step.which % refunds.length]!;
            const moves =
              (step.to === 'succeeded' && refund.status === 'pending') ||
              (step.to === 'failed' && (refund.status === 'pending' || refund.status === 'succeeded')) ||
              (step.to === 'canceled' && refund.status === 'pending');
            if (!moves) continue;
            if (step.to !== 'succeeded') standing -= refund.amountMinor;
            refund.status = step.to;
            facts.push({ kind: 'refundStatus', ...refund });
          }
        }
        disputes.forEach((dispute, i) => {
          const disputeId = `dp_${i}`;
          for (const amount of dispute.amounts) facts.push({ kind: 'dispute', disputeId, amountMinor: amount, status: 'open' });
          if (dispute.close) {
            const status = dispute.close === 'lost' ? 'lost' : 'won';
            facts.push({ kind: 'dispute', disputeId, amountMinor: dispute.amounts.at(-1)!, status });
          }
        });
        // Stripe promises no order and may deliver an event more than once.
        const shuffled = facts
          .map((fact, i) => ({ fact, key: seed[i % seed.length]! * 31 + i }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.fact);
        for (const r of replays) if (facts.length) shuffled.splice(r % (shuffled.length + 1), 0, facts[r % facts.length]!);
        return { amountMinor, creditsMicro: amountMinor * creditsPerMinor, inOrder: facts, delivered: shuffled, refundedNow: standing };
      }),
  );

describe('a purchase settled by Stripe facts', () => {
  it('keeps clawed back + held + available = purchased, and never returns refunded or lost money as credits, in any order', () => {
    fc.assert(
      fc.property(history, ({ amountMinor, creditsMicro, inOrder, delivered, refundedNow }) => {
        const start = purchaseOf(amountMinor, creditsMicro);
        const final = deliver(start, delivered, (purchase, balance) => {
          const held = purchase.heldMicro ?? 0;
          expect(purchase.clawedBackMicro + held + balance).toBe(creditsMicro);
          expect(purchase.clawedBackMicro).toBeGreaterThanOrEqual(0);
          expect(held).toBeGreaterThanOrEqual(0);
          expect(balance).toBeGreaterThanOrEqual(0);
        });
        // Once every event is in, the purchase knows what Stripe has refunded — failed and cancelled refunds given back.
        expect(refundedOf(final.purchase)).toBe(refundedNow);
        // Money refunded is never spendable, whatever came before or after it.
        expect(final.balance).toBeLessThanOrEqual(creditsMicro - shareOf(start, refundedNow));
        // The order of delivery changes nothing: the balance is what delivering in order gives.
        expect(final.balance).toBe(deliver(start, inOrder).balance);
        expect(final.purchase.clawedBackMicro + (final.purchase.heldMicro ?? 0)).toBe(creditsMicro - final.balance);
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives back what a failed refund took, whether its failure comes before or after the charge reports it', () => {
    const start = purchaseOf(1000, 1_000_000_000);
    const created: PaymentFact = { kind: 'refundStatus', refundId: 're_1', amountMinor: 400, status: 'succeeded' };
    const failed: PaymentFact = { ...created, status: 'failed' };
    const total: PaymentFact = { kind: 'refund', refundedMinor: 400 };
    for (const order of [
      [total, created, failed],
      [failed, total, created],
      [created, failed, total],
    ]) {
      expect(deliver(start, order).balance).toBe(1_000_000_000);
    }
    // Inside an open dispute the money that came back stays held, not spendable.
    const open: PaymentFact = { kind: 'dispute', disputeId: 'dp_1', amountMinor: 1000, status: 'open' };
    expect(deliver(start, [total, created, open, failed]).balance).toBe(0);
    expect(deliver(start, [total, created, open, failed, { ...open, status: 'won' }]).balance).toBe(1_000_000_000);
  });

  it('keeps a full refund inside a won dispute: hold, refund, won leaves nothing to spend', () => {
    const start = purchaseOf(1000, 1_000_000_000);
    const facts: PaymentFact[] = [
      { kind: 'dispute', disputeId: 'dp_1', amountMinor: 1000, status: 'open' },
      { kind: 'refund', refundedMinor: 1000 },
      { kind: 'dispute', disputeId: 'dp_1', amountMinor: 1000, status: 'won' },
    ];
    expect(deliver(start, facts).balance).toBe(0);
    expect(deliver(start, [facts[1]!, facts[0]!, facts[2]!]).balance).toBe(0);
  });

  it('releases only what a won dispute held beyond the refunds', () => {
    const start = purchaseOf(1000, 1_000_000_000);
    const { balance, purchase } = deliver(start, [
      { kind: 'refund', refundedMinor: 300 },
      { kind: 'dispute', disputeId: 'dp_1', amountMinor: 700, status: 'open' },
      { kind: 'dispute', disputeId: 'dp_1', amountMinor: 700, status: 'won' },
    ]);
    expect(balance).toBe(700_000_000);
    expect(splitOf(purchase)).toEqual({ clawedBackMicro: 300_000_000, heldMicro: 0 });
  });

  it('ignores a dispute event older than its close, and a refund total smaller than one already seen', () => {
    const start = purchaseOf(1000, 1_000_000_000);
    const { purchase } = deliver(start, [
      { kind: 'refund', refundedMinor: 500 },
      { kind: 'dispute', disputeId: 'dp_1', amountMinor: 500, status: 'lost' },
    ]);
    expect(settle(purchase, { kind: 'dispute', disputeId: 'dp_1', amountMinor: 500, status: 'open' })).toBeUndefined();
    expect(settle(purchase, { kind: 'refund', refundedMinor: 200 })).toBeUndefined();
  });

  it('reads purchases stored before settlement (holds kept per dispute) without moving credits twice', () => {
    const legacy: Purchase = {
      ...purchaseOf(1000, 1_000_000_000),
      heldMicro: undefined,
      disputes: { dp_1: { heldMicro: 1_000_000_000, status: 'open' } },
    };
    const settled = settle(legacy, { kind: 'dispute', disputeId: 'dp_1', amountMinor: 1000, status: 'lost' })!;
    expect(settled.balanceMicro).toBe(0);
    expect(settled.after).toEqual({ clawedBackMicro: 1_000_000_000, heldMicro: 0 });
  });
});

/** Every order of `items`. */
function orders<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('a dispute lost, then appealed', () => {
  // The dispute as Stripe's events report it, in the order it happened: opened, lost, appealed, and the appeal's outcome.
  const reported = (type: string, status: string) =>
    factOf(type, { disputeId: 'dp_appeal', chargeId: 'ch_1', paymentIntentId: 'pi_1', amount: 1000, currency: 'usd', status })!;
  const opened = reported('charge.dispute.created', 'needs_response');
  const lost = reported('charge.dispute.closed', 'lost');
  const appealing = reported('charge.dispute.updated', 'appeal_needs_response');
  const underAppeal = reported('charge.dispute.updated', 'appeal_under_review');
  const wonOnAppeal = reported('charge.dispute.funds_reinstated', 'won');
  const closedWon = reported('charge.dispute.closed', 'won');

  it('gives the credits back when the appeal is won, and only then, in every order Stripe may deliver the events', () => {
    const start = purchaseOf(1000, 1_000_000_000);
    for (const order of orders([opened, lost, appealing, underAppeal, wonOnAppeal])) {
      expect(deliver(start, [...order, closedWon]).balance).toBe(1_000_000_000);
      expect(deliver(start, order).balance).toBe(1_000_000_000);
      // The loss that came before the win, delivered late, changes nothing.
      expect(deliver(start, [...order, lost]).balance).toBe(1_000_000_000);
    }
    // While the appeal is open, or once it is lost, the money is gone and so are its credits.
    for (const order of orders([opened, lost, appealing, underAppeal])) {
      expect(deliver(start, order).balance).toBe(0);
      expect(deliver(start, [...order, lost]).balance).toBe(0);
    }
  });
});

describe('shares of packs as large as the stage config allows', () => {
  // CreditPacksSchema: up to 100,000,000 credits (10^14 micro-credits) for up to 99,999,999 of the smallest unit.
  const pack = fc.record({
    creditsMicro: fc.integer({ min: 1, max: 100_000_000 }).map((credits) => credits * 1_000_000),
    amountMinor: fc.integer({ min: 50, max: 99_999_999 }),
  });

  it('takes every share exactly, where credits × amount is past 2^53', () => {
    fc.assert(
      fc.property(
        pack.chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 0, max: p.amountMinor }))),
        ([p, minor]) => {
          expect(BigInt(shareOf(p, minor))).toBe((BigInt(p.creditsMicro) * BigInt(minor)) / BigInt(p.amountMinor));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('claws back every micro-credit of a fully refunded or lost purchase, and holds every one of a fully disputed one', () => {
    fc.assert(
      fc.property(pack, ({ creditsMicro, amountMinor }) => {
        const purchase = purchaseOf(amountMinor, creditsMicro);
        expect(deliver(purchase, [{ kind: 'refund', refundedMinor: amountMinor }]).balance).toBe(0);
        const open = { kind: 'dispute' as const, disputeId: 'dp_1', amountMinor, status: 'open' as const };
        expect(deliver(purchase, [open]).balance).toBe(0);
        expect(deliver(purchase, [open, { ...open, status: 'lost' }]).purchase.clawedBackMicro).toBe(creditsMicro);
        expect(deliver(purchase, [open, { ...open, status: 'won' }]).balance).toBe(creditsMicro);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('ops reconcile: each purchase against the money Stripe reported', () => {
  const entry = (type: string, amountMicro: number) =>
    ({ entryId: type, type, amountMicro, reason: '', at: '', stripe: { paymentIntentId: 'pi_1' } }) as never;

  it('finds a fully refunded purchase whose credits came back through a released hold', () => {
    const refunded: Purchase = {
      ...purchaseOf(1000, 1_000_000_000),
      refundedMinor: 1000,
      clawedBackMicro: 0,
      heldMicro: 0,
      disputes: { dp_1: { amountMinor: 1000, status: 'won' } },
    };
    const entries = [
      entry('purchase', 1_000_000_000),
      entry('hold', -1_000_000_000),
      entry('clawback', 0),
      entry('release', 1_000_000_000),
    ];
    expect(checkPurchases([refunded], entries)).toEqual([{ paymentIntentId: 'pi_1', expectedMicro: 0, ledgerMicro: 1_000_000_000 }]);
  });

  it('finds a purchase whose failed refund never gave its credits back, and passes it once it has', () => {
    const failed: Purchase = {
      ...purchaseOf(1000, 1_000_000_000),
      refundedMinor: 500,
      refunds: { re_1: { amountMinor: 500, status: 'failed' } },
      clawedBackMicro: 0,
    };
    const clawed = [entry('purchase', 1_000_000_000), entry('clawback', -500_000_000)];
    expect(checkPurchases([failed], clawed)).toEqual([{ paymentIntentId: 'pi_1', expectedMicro: 1_000_000_000, ledgerMicro: 500_000_000 }]);
    expect(checkPurchases([failed], [...clawed, entry('release', 500_000_000)])).toEqual([]);
  });

  it('passes a purchase whose entries add up to what Stripe says we kept', () => {
    const partly: Purchase = { ...purchaseOf(1000, 1_000_000_000), refundedMinor: 250, clawedBackMicro: 250_000_000 };
    expect(checkPurchases([partly], [entry('purchase', 1_000_000_000), entry('clawback', -250_000_000)])).toEqual([]);
  });
});

describe("a refund's ledger entry", () => {
  it('says the money in units of its currency, not in Stripe minor units', () => {
    const usd = reversalStep({ kind: 'refund', refundedMinor: 500, chargeId: 'ch_1' }, purchaseOf(1000, 1_000_000_000));
    expect(usd?.entry?.reason).toBe('Refund of 5.00 USD of 10.00 USD paid for p');
    const yen = reversalStep({ kind: 'refund', refundedMinor: 500, chargeId: 'ch_1' }, purchaseOf(1500, 1_000_000_000, 'jpy'));
    expect(yen?.entry?.reason).toBe('Refund of 500 JPY of 1500 JPY paid for p');
    const dinar = reversalStep(
      { kind: 'refundStatus', refundId: 're_1', amountMinor: 5120, status: 'succeeded', chargeId: 'ch_1' },
      purchaseOf(10_000, 1_000_000_000, 'kwd'),
    );
    expect(dinar?.entry?.reason).toBe('Refund of 5.120 KWD of 10.000 KWD paid for p');
  });

  it('names the currency Stripe reported a refund in when it is not the payment’s', () => {
    const foreign = reversalStep(
      { kind: 'refund', refundedMinor: 500, chargeId: 'ch_1', currency: 'eur' },
      purchaseOf(1000, 1_000_000_000),
    );
    expect(foreign?.entry?.reason).toMatch(
      /^Refund of 5\.00 EUR of 10\.00 USD paid for p.*\(reported in eur, so counted as the whole payment\)$/,
    );
  });
});
