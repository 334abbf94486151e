import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { microToCredits } from '../../lambdas/shared/credits';
import { accountByEmail, Command, stageOption, withResources } from './program';

export const balance = new Command('balance')
  .description("Show an account's balance and its ledger, oldest first")
  .requiredOption('--email <email>', 'the account')
  .addOption(stageOption())
  .action(async (options: { email: string; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const account = await accountByEmail(resources, options.email);
      const ledger = new DynamoDbLedger(resources.dynamo, resources.tables.ledger);
      console.log(`${account.email} (${account.accountId}): ${microToCredits(await ledger.balance(account.accountId))} credits`);
      for (const entry of await ledger.all(account.accountId)) {
        console.log(
          `  ${entry.at}  ${entry.type.padEnd(9)} ${microToCredits(entry.amountMicro).padStart(12)}  ${entry.reason}${entry.ref ? `  [${entry.ref}]` : ''}`,
        );
      }
    });
  });
