import { DynamoDbAccountStore, DynamoDbKeyStore, DynamoDbSecurityLog } from '../../lambdas/accounts/adapters/dynamodb-stores';
import { KeyService } from '../../lambdas/accounts/domain/keys';
import { systemClock } from '../../lambdas/accounts/domain/ports';
import { accountByEmail, Command, stageOption, withResources } from './program';
import type { Resources } from './resources';
import { recordOps } from './audit';
import { STAFF_ACTOR, STAFF_ORIGIN } from '../../lambdas/shared/audit';

const keysOf = ({ dynamo, tables }: Resources) =>
  new KeyService({
    keys: new DynamoDbKeyStore(dynamo, tables.apiKeys),
    accounts: new DynamoDbAccountStore(dynamo, tables.accounts),
    securityLog: new DynamoDbSecurityLog(dynamo, tables.securityEvents),
    clock: systemClock,
  });
/** The holder's security log shows staff, not who: the audit event (`recordOps`) names the operator for ops. */
const operator = STAFF_ORIGIN;

export const suspend = new Command('suspend')
  .description(
    'Suspend an account for abuse: its keys answer 403 account_suspended within the key-cache window; the holder can still sign in, read their data and file privacy requests',
  )
  .requiredOption('--email <email>', 'the account')
  .requiredOption('--reason <text>', 'why (recorded as a security event the holder sees)')
  .addOption(stageOption())
  .action(async (options: { email: string; reason: string; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const account = await accountByEmail(resources, options.email);
      const { keys } = await keysOf(resources).setSuspended(account.accountId, { reason: options.reason, by: STAFF_ACTOR.id }, operator);
      await recordOps(resources, {
        action: 'account.suspend',
        targets: [{ type: 'account', id: account.accountId }],
        reason: options.reason,
      });
      console.log(`${account.email} is suspended (${keys} live key(s) refused from now, within the key-cache window): ${options.reason}`);
    });
  });

export const unsuspend = new Command('unsuspend')
  .description('Lift a suspension: the keys work again within the key-cache window')
  .requiredOption('--email <email>', 'the account')
  .requiredOption('--reason <text>', 'why')
  .addOption(stageOption())
  .action(async (options: { email: string; reason: string; stage: 'local' | 'dev' | 'prod' }) => {
    await withResources(options.stage, async (resources) => {
      const account = await accountByEmail(resources, options.email);
      const { keys } = await keysOf(resources).setSuspended(account.accountId, undefined, operator);
      await recordOps(resources, {
        action: 'account.unsuspend',
        targets: [{ type: 'account', id: account.accountId }],
        reason: options.reason,
      });
      console.log(`${account.email} is no longer suspended (${keys} key(s)): ${options.reason}`);
    });
  });
