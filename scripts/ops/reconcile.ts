import { scanPages } from '../../lambdas/shared/dynamodb-query';
import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { StripePayments } from '../../lambdas/billing/adapters/stripe-payments';
import type { Purchase } from '../../lambdas/billing/domain/ledger';
import type { PaymentRecords } from '../../lambdas/billing/domain/ports';
import {
  checkPurchases,
  ledgerByPayment,
  type PurchaseMismatch,
  type StripeDivergence,
  stripeDivergence,
} from '../../lambdas/billing/domain/settlement';
import { readSecretString } from '../../lambdas/shared/adapters/secrets';
import { stripeClient } from '../../lambdas/shared/adapters/stripe-client';
import { microToCredits } from '../../lambdas/shared/credits';
import { DynamoDbUsageReader } from '../../lambdas/shared/adapters/dynamodb-usage-reader';
import { accountByEmail, Command, progress, stageOption, withResources } from './program';
import type { Resources } from './resources';

export interface Reconciliation {
  accountId: string;
  email: string;
  balanceMicro: number;
  ledgerMicro: number;
  chargedMicro: number;
  /** Purchases whose ledger entries do not add up to the share of money Stripe's events reported we kept. */
  purchaseMismatches: PurchaseMismatch[];
  /** Purchases whose record or ledger part from what Stripe's API says of the payment now (when Stripe was asked). */
  stripeDivergences: StripeDivergence[];
}

/** Which purchases reconciliation asks Stripe about: those with a refund or dispute on record, or every one. */
export type StripeCheck = { records: Pick<PaymentRecords, 'moneyOf'>; everyPurchase: boolean };

const involved = (purchase: Purchase) =>
  purchase.refundedMinor > 0 || Object.keys(purchase.refunds ?? {}).length > 0 || Object.keys(purchase.disputes).length > 0;

/** balance = Σ ledger entries − Σ charged usage (the hourly aggregates), and each purchase against Stripe's amounts, for one account. */
export async function reconcileAccount(
  resources: Resources,
  account: { accountId: string; email: string },
  stripe?: StripeCheck,
): Promise<Reconciliation> {
  const ledger = new DynamoDbLedger(resources.dynamo, resources.tables.ledger);
  const [balanceMicro, entries, purchases, hours] = await Promise.all([
    ledger.balance(account.accountId),
    ledger.all(account.accountId),
    ledger.purchasesOf(account.accountId),
    // Through the usage reader: it adds the single calls not yet counted into their hour's rollup.
    new DynamoDbUsageReader(resources.dynamo, {
      usageLogs: resources.tables.usageLogs,
      usageAggregates: resources.tables.usageAggregates,
    }).aggregates(account.accountId, 'day', '2000-01-01T00:00:00Z', new Date().toISOString()),
  ]);
  const byPayment = ledgerByPayment(entries);
  const stripeDivergences: StripeDivergence[] = [];
  // One purchase at a time: Stripe's rate limit is the operator's whole account's.
  for (const purchase of stripe ? purchases.filter((p) => stripe.everyPurchase || involved(p)) : []) {
    const divergence = stripeDivergence(
      purchase,
      byPayment.get(purchase.paymentIntentId) ?? 0,
      await stripe!.records.moneyOf(purchase.paymentIntentId),
    );
    if (divergence) stripeDivergences.push(divergence);
  }
  return {
    accountId: account.accountId,
    email: account.email,
    balanceMicro,
    ledgerMicro: entries.reduce((sum, e) => sum + e.amountMicro, 0),
    chargedMicro: hours.reduce((sum, h) => sum + Number(h.chargedMicro ?? 0), 0),
    purchaseMismatches: checkPurchases(purchases, entries),
    stripeDivergences,
  };
}

/**
 * Stripe's API as the stage's functions reach it: deployed, with the key in the stage's Stripe secret;
 * locally, with STRIPE_SECRET_KEY (and STRIPE_API_BASE) in the operator's environment. None without a key.
 */
async function stripeRecords(resources: Resources): Promise<PaymentRecords | undefined> {
  const secretName = resources.outputs.StripeSecretName;
  const apiKey =
    resources.stage === 'local' || !secretName
      ? process.env.STRIPE_SECRET_KEY
      : (JSON.parse(await readSecretString(secretName)) as { apiKey?: string }).apiKey;
  return apiKey ? new StripePayments(stripeClient(apiKey)) : undefined;
}

/** Every account, a page of the accounts table at a time. */
async function* everyAccount(resources: Resources): AsyncGenerator<{ accountId: string; email: string }> {
  const profiles = scanPages(resources.dynamo, {
    TableName: resources.tables.accounts,
    FilterExpression: 'sk = :profile',
    ExpressionAttributeValues: { ':profile': 'PROFILE' },
    ProjectionExpression: 'accountId, email',
  });
  for await (const item of profiles) yield { accountId: String(item.accountId), email: String(item.email) };
}

export const reconcile = new Command('reconcile')
  .description('Prove balance = Σ ledger − Σ charged usage for every account (or one); exits 1 on any mismatch')
  .option('--email <email>', 'only this account')
  .option(
    '--stripe-every-purchase',
    'ask Stripe about every purchase, not only those with a refund or dispute on record (finds a dispute whose events never came)',
  )
  .addOption(stageOption())
  .action(async (options: { email?: string; stripeEveryPurchase?: boolean; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const records = await stripeRecords(resources);
      const stripe = records && { records, everyPurchase: options.stripeEveryPurchase ?? false };
      if (!stripe)
        console.error(
          'Stripe not consulted (no API key: the stage has no Stripe secret with one, or STRIPE_SECRET_KEY is unset locally): refunds and disputes are checked against what its events reported only.',
        );
      const accounts = options.email ? [await accountByEmail(resources, options.email)] : everyAccount(resources);
      const report = progress('accounts checked');
      const mismatches: Reconciliation[] = [];
      let checked = 0;
      for await (const account of accounts) {
        const result = await reconcileAccount(resources, account, stripe);
        if (
          result.balanceMicro !== result.ledgerMicro - result.chargedMicro ||
          result.purchaseMismatches.length ||
          result.stripeDivergences.length
        )
          mismatches.push(result);
        report(++checked);
      }
      report(checked, checked);
      for (const m of mismatches) {
        if (m.balanceMicro !== m.ledgerMicro - m.chargedMicro) {
          console.log(
            `MISMATCH ${m.email} (${m.accountId}): balance ${microToCredits(m.balanceMicro)} ≠ ledger ${microToCredits(m.ledgerMicro)} − charged ${microToCredits(m.chargedMicro)} = ${microToCredits(m.ledgerMicro - m.chargedMicro)}`,
          );
        }
        for (const p of m.purchaseMismatches) {
          console.log(
            `MONEY MISMATCH ${m.email} (${m.accountId}): payment ${p.paymentIntentId} credits ${microToCredits(p.ledgerMicro)} in the ledger, but Stripe's amounts (paid − refunded − lost − disputed) pay for ${microToCredits(p.expectedMicro)}`,
          );
        }
        for (const d of m.stripeDivergences) {
          console.log(
            `STRIPE MISMATCH ${m.email} (${m.accountId}): payment ${d.paymentIntentId}: ${d.problems.join('; ')} (credits: ${microToCredits(d.ledgerMicro)} in the ledger, ${microToCredits(d.stripeMicro)} by Stripe's money now)`,
          );
        }
      }
      console.log(
        mismatches.length
          ? `${mismatches.length} of ${checked} account(s) do not reconcile. Usage still queued (seconds old) shows as a difference until the worker records it: run again before acting.`
          : `All ${checked} account(s) reconcile: balance = Σ ledger − Σ charged usage, every purchase's entries = the share of money Stripe's events say we kept${stripe ? ', and Stripe agrees on every refund and dispute it was asked about' : ''}.`,
      );
      if (mismatches.length) process.exitCode = 1;
    });
  });
