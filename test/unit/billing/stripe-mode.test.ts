import type { BillingDeps } from '../../../lambdas/billing/domain/ports';
import { StripeEventHandler } from '../../../lambdas/billing/domain/stripe-events';
import { DEFAULT_PACKS } from '../../../lambdas/billing/packs';
import { livemodeOf } from '../../../lambdas/shared/adapters/stripe-client';
import { checkoutCompleted } from '../../../scripts/ops/stripe-fixtures';

/** Deps whose every port fails the test if touched: an event of the other mode must change nothing. */
function untouchable(livemode: boolean | undefined): BillingDeps {
  const touched = (what: string) =>
    new Proxy({}, { get: (_target, name) => () => Promise.reject(new Error(`${what}.${String(name)} was called`)) });
  return {
    ledger: touched('ledger'),
    parked: touched('parked'),
    accounts: touched('accounts'),
    mailer: touched('mailer'),
    securityEvents: touched('securityEvents'),
    metrics: touched('metrics'),
    packs: DEFAULT_PACKS,
    publicUrl: 'https://omnapi.test',
    now: () => new Date(),
    sleep: async () => undefined,
    livemode: async () => livemode,
  } as unknown as BillingDeps;
}

const buyer = { accountId: 'acc_000000000000000000000001', email: 'a@example.org', name: 'A' };

describe('Stripe events of the other mode', () => {
  it('reads the mode from the API key: live for sk_live_/rk_live_, test for sk_test_/rk_test_, unknown without a key', () => {
    expect([
      livemodeOf('sk_live_abc'),
      livemodeOf('rk_live_abc'),
      livemodeOf('sk_test_abc'),
      livemodeOf('rk_test_abc'),
      livemodeOf(undefined),
      livemodeOf('pk_live_abc'),
    ]).toEqual([true, true, false, false, undefined, undefined]);
  });

  it('a live deployment ignores a test-mode payment, touching nothing (test cards are no money)', async () => {
    const event = checkoutCompleted(buyer, 'starter', DEFAULT_PACKS.starter!);
    expect(event.livemode).toBe(false);
    await expect(new StripeEventHandler(untouchable(true)).handle(event)).resolves.toBe('wrong_mode');
  });

  it('a test deployment ignores a live-mode event', async () => {
    const event = { ...checkoutCompleted(buyer, 'starter', DEFAULT_PACKS.starter!), livemode: true };
    await expect(new StripeEventHandler(untouchable(false)).handle(event)).resolves.toBe('wrong_mode');
  });

  it('a deployment that cannot tell its mode (no API key) reads the event as usual', async () => {
    const event = { ...checkoutCompleted(buyer, 'starter', DEFAULT_PACKS.starter!), livemode: true };
    await expect(new StripeEventHandler(untouchable(undefined)).handle(event)).rejects.toThrow('accounts.get was called');
  });
});
