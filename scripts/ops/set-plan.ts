import { DynamoDbAccountStore, DynamoDbKeyStore, DynamoDbSecurityLog } from '../../lambdas/accounts/adapters/dynamodb-stores';
import { KeyService } from '../../lambdas/accounts/domain/keys';
import { systemClock } from '../../lambdas/accounts/domain/ports';
import { collectBalanceShards } from '../../lambdas/shared/adapters/dynamodb-balance';
import { microToCredits } from '../../lambdas/shared/credits';
import { accountByEmail, Command, stageOption, UsageError, withResources } from './program';
import { recordOps } from './audit';
import { plansOf } from './resources';

export const setPlan = new Command('set-plan')
  .description('Move an account and its keys to a rate-limit plan (calls follow within the key-cache window)')
  .requiredOption('--email <email>', 'the account')
  .requiredOption('--plan <plan>', "a plan of the stage's catalog")
  .option('--settle-seconds <seconds>', 'how long gateways may still use the old plan (the key-cache window)', '11')
  .addOption(stageOption())
  .action(async (options: { email: string; plan: string; settleSeconds: string; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const plans = plansOf(resources);
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
      await recordOps(resources, {
        action: 'plan.set',
        targets: [{ type: 'account', id: account.accountId }],
        change: { before: { plan: account.plan }, after: { plan: options.plan } },
      });
      console.log(`${account.email} is on plan ${options.plan} (was ${account.plan}); ${moved} live key(s) follow it`);
      // Balance shards of a sharded plan it may have been on go back to the balance item — again once
      // gateways have seen the change (the key-cache window), in case one refilled a shard meanwhile.
      // On a sharded plan the gateway refills them as it spends.
      const first = await collectBalanceShards(dynamo, tables.ledger, account.accountId);
      await new Promise((resolve) => setTimeout(resolve, Number(options.settleSeconds) * 1000));
      const second = await collectBalanceShards(dynamo, tables.ledger, account.accountId);
      const collected = first.moved + second.moved;
      if (collected > 0) console.log(`${microToCredits(collected)} credits moved from balance shards back to the balance item`);
      if (second.left > 0)
        console.log(
          `${microToCredits(second.left)} credits are still in balance shards being spent from: run set-plan again once calls have moved to the new plan`,
        );
    });
  });
