import { scanPages } from '../../lambdas/shared/dynamodb-query';
import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { checkPurchases, type PurchaseMismatch } from '../../lambdas/billing/domain/settlement';
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
  /** Purchases whose ledger entries do not add up to the share of money Stripe says we kept. */
  purchaseMismatches: PurchaseMismatch[];
}

/** balance = Σ ledger entries − Σ charged usage (the hourly aggregates), and each purchase against Stripe's amounts, for one account. */
export async function reconcileAccount(resources: Resources, account: { accountId: string; email: string }): Promise<Reconciliation> {
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
  return {
    accountId: account.accountId,
    email: account.email,
    balanceMicro,
    ledgerMicro: entries.reduce((sum, e) => sum + e.amountMicro, 0),
    chargedMicro: hours.reduce((sum, h) => sum + Number(h.chargedMicro ?? 0), 0),
    purchaseMismatches: checkPurchases(purchases, entries),
  };
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
  .addOption(stageOption())
  .action(async (options: { email?: string; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const accounts = options.email ? [await accountByEmail(resources, options.email)] : everyAccount(resources);
      const report = progress('accounts checked');
      const mismatches: Reconciliation[] = [];
      let checked = 0;
      for await (const account of accounts) {
        const result = await reconcileAccount(resources, account);
        if (result.balanceMicro !== result.ledgerMicro - result.chargedMicro || result.purchaseMismatches.length) mismatches.push(result);
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
      }
      console.log(
        mismatches.length
          ? `${mismatches.length} of ${checked} account(s) do not reconcile. Usage still queued (seconds old) shows as a difference until the worker records it: run again before acting.`
          : `All ${checked} account(s) reconcile: balance = Σ ledger − Σ charged usage, and every purchase's entries = the share of money Stripe says we kept.`,
      );
      if (mismatches.length) process.exitCode = 1;
    });
  });
