import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { creditsToMicro, microToCredits } from '../../lambdas/shared/credits';
import { normaliseEmail } from '../../lambdas/shared/email-address';
import { accountByEmail, Command, stageOption, UsageError, withResources } from './program';
import { recordOps } from './audit';

export const grantCredits = new Command('grant-credits')
  .description('Add a grant to the ledger and credit the balance, once per --ref')
  .requiredOption('--email <email>', 'the account')
  .requiredOption('--amount <credits>', 'decimal credits, at most 6 decimals')
  .requiredOption('--reason <text>', 'why, for the ledger')
  .option(
    '--ref <reference>',
    'idempotency reference; default: a hash of email, amount, reason and the UTC day, so a re-run after a timeout credits nothing twice',
  )
  .addOption(stageOption())
  .action(async (options: { email: string; amount: string; reason: string; ref?: string; stage: 'local' | 'dev' | 'prod' }) => {
    let amountMicro: number;
    try {
      amountMicro = creditsToMicro(options.amount);
    } catch {
      throw new UsageError(`--amount must be a credit amount with at most 6 decimals, got ${options.amount}`);
    }
    if (amountMicro <= 0) throw new UsageError('--amount must be positive');
    const day = new Date().toISOString().slice(0, 10);
    const ref =
      options.ref ??
      createHash('sha256')
        .update([normaliseEmail(options.email), amountMicro, options.reason, day].join('|'))
        .digest('hex')
        .slice(0, 16);
    await withResources(options.stage, async (resources) => {
      const account = await accountByEmail(resources, options.email);
      const ledger = new DynamoDbLedger(resources.dynamo, resources.tables.ledger);
      const { outcome, entry } = await ledger.post(
        account.accountId,
        { type: 'grant', amountMicro, reason: options.reason, ref: `ops:${os.userInfo().username}:${ref}` },
        `grant:${ref}`,
      );
      if (outcome === 'applied') {
        await recordOps(resources, {
          action: 'credits.grant',
          targets: [
            { type: 'account', id: account.accountId },
            { type: 'ledger_entry', id: entry.entryId },
          ],
          reason: options.reason,
          change: { after: { amountMicro } },
        });
      }
      console.log(
        outcome === 'applied'
          ? `Granted ${microToCredits(amountMicro)} credits to ${account.email} (${account.accountId}); entry ${entry.entryId}`
          : `Already granted with reference ${ref}: nothing changed`,
      );
      console.log(`Balance: ${microToCredits(await ledger.balance(account.accountId))} credits`);
    });
  });
