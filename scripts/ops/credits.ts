import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { collectBalanceShards } from '../../lambdas/shared/adapters/dynamodb-balance';
import { creditsToMicro, microToCredits } from '../../lambdas/shared/credits';
import { recordOps } from './audit';
import { accountByEmail, Command, stageOption, UsageError, withResources } from './program';

const adjust = new Command('adjust')
  .description(
    "Correct an account's balance by a signed amount (an 'adjustment' ledger entry), once per --ref; a debit never takes the balance below zero",
  )
  .requiredOption('--email <email>', 'the account')
  .requiredOption('--amount <credits>', 'signed decimal credits, e.g. 25 or -12.5 (at most 6 decimals)')
  .requiredOption('--reason <text>', 'why, for the ledger and the audit trail')
  .requiredOption('--ref <reference>', 'idempotency reference (a ticket id): the same --ref never adjusts twice')
  .addOption(stageOption())
  .action(async (options: { email: string; amount: string; reason: string; ref: string; stage: 'local' | 'dev' | 'prod' }) => {
    let amountMicro: number;
    try {
      amountMicro = creditsToMicro(options.amount.replace(/^-/, '')) * (options.amount.startsWith('-') ? -1 : 1);
    } catch {
      throw new UsageError(`--amount must be a signed credit amount with at most 6 decimals, got ${options.amount}`);
    }
    if (amountMicro === 0) throw new UsageError('--amount must not be zero');
    await withResources(options.stage, async (resources) => {
      const account = await accountByEmail(resources, options.email);
      const ledger = new DynamoDbLedger(resources.dynamo, resources.tables.ledger);
      // A debit is checked against the whole balance: credit a sharded plan moved into its shards comes back first.
      if (amountMicro < 0) await collectBalanceShards(resources.dynamo, resources.tables.ledger, account.accountId);
      const ref = createHash('sha256').update(`${account.accountId}|${options.ref}`).digest('hex').slice(0, 24);
      const { outcome, entry } = await ledger.post(
        account.accountId,
        { type: 'adjustment', amountMicro, reason: options.reason, ref: `ops:${os.userInfo().username}:${options.ref}` },
        `adjust:${ref}`,
        undefined,
        { keepNonNegative: true },
      );
      if (outcome === 'insufficient') {
        throw new UsageError(
          `The balance is ${microToCredits(await ledger.balance(account.accountId))} credits: a debit of ${microToCredits(-amountMicro)} would take it below zero`,
        );
      }
      if (outcome === 'applied') {
        await recordOps(resources, {
          action: 'credits.adjust',
          targets: [
            { type: 'account', id: account.accountId },
            { type: 'ledger_entry', id: entry.entryId },
          ],
          reason: options.reason,
          change: { after: { amountMicro, ref: options.ref } },
        });
      }
      console.log(
        outcome === 'applied'
          ? `Adjusted ${account.email} by ${microToCredits(amountMicro)} credits; entry ${entry.entryId}`
          : `Already adjusted with --ref ${options.ref}: nothing changed`,
      );
      console.log(`Balance: ${microToCredits(await ledger.balance(account.accountId))} credits`);
    });
  });

export const credits = new Command('credits').description("Operators' corrections of balances").addCommand(adjust);
