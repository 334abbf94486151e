import { DynamoDbAccountStore, DynamoDbKeyStore, DynamoDbSecurityLog } from '../../lambdas/accounts/adapters/dynamodb-stores';
import { KeyService } from '../../lambdas/accounts/domain/keys';
import { systemClock } from '../../lambdas/accounts/domain/ports';
import { accountByEmail, Command, stageOption, UsageError, withResources } from './program';

export const setPlan = new Command('set-plan')
  .description('Move an account and its keys to a rate-limit plan (calls follow within the key-cache window)')
  .requiredOption('--email <email>', 'the account')
  .requiredOption('--plan <plan>', 'a plan of the stage\'s catalog')
  .addOption(stageOption())
  .action(async (options: { email: string; plan: string; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const plans = (resources.outputs.Plans ?? '').split(',').filter(Boolean);
      if (!plans.includes(options.plan)) throw new UsageError(`--plan must be one of ${plans.join(', ')}`);
      const account = await accountByEmail(resources, options.email);
      const { tables, dynamo } = resources;
      const keys = new KeyService({
        keys: new DynamoDbKeyStore(dynamo, tables.apiKeys),
        accounts: new DynamoDbAccountStore(dynamo, tables.accounts),
        securityLog: new DynamoDbSecurityLog(dynamo, tables.securityEvents),
        clock: systemClock,
      });
      const { keys: moved } = await keys.setPlan(account.accountId, options.plan);
      console.log(`${account.email} is on plan ${options.plan} (was ${account.plan}); ${moved} live key(s) follow it`);
    });
  });
