import { visibleControls } from '../../lambdas/shared/plain-text';
import { DynamoDbAccountStore, DynamoDbKeyStore } from '../../lambdas/accounts/adapters/dynamodb-stores';
import type { Account } from '../../lambdas/accounts/domain/model';
import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { DynamoDbRequests } from '../../lambdas/privacy/adapters/dynamodb-requests';
import { microToCredits } from '../../lambdas/shared/credits';
import { DynamoDbUsageReader } from '../../lambdas/shared/adapters/dynamodb-usage-reader';
import { scanPages } from '../../lambdas/shared/dynamodb-query';
import { accountByEmail, Command, stageOption, UsageError, withResources } from './program';
import type { Resources } from './resources';

type StageOptions = { stage: 'local' | 'dev' | 'prod' };

/** The first item of a filtered scan (key prefixes and Stripe customers have no index: rare, interactive look-ups). */
async function scanFirst(
  resources: Resources,
  table: string,
  filter: string,
  values: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  for await (const item of scanPages(resources.dynamo, { TableName: table, FilterExpression: filter, ExpressionAttributeValues: values }))
    return item;
  return undefined;
}

/** The account a support question names: by email, id, an API key's visible prefix, or its Stripe customer. */
async function findAccount(
  resources: Resources,
  by: { email?: string; accountId?: string; keyPrefix?: string; stripeCustomer?: string },
): Promise<Account> {
  const accounts = new DynamoDbAccountStore(resources.dynamo, resources.tables.accounts);
  let account: Account | undefined;
  if (by.email) return accountByEmail(resources, by.email);
  if (by.accountId) account = await accounts.get(by.accountId);
  else if (by.keyPrefix) {
    const key = await scanFirst(resources, resources.tables.apiKeys, 'begins_with(pk, :account) AND begins_with(prefix, :prefix)', {
      ':account': 'ACCOUNT#',
      ':prefix': by.keyPrefix,
    });
    account = key ? await accounts.get(String(key.accountId)) : undefined;
  } else if (by.stripeCustomer) {
    const item = await scanFirst(resources, resources.tables.accounts, 'sk = :profile AND stripeCustomerId = :customer', {
      ':profile': 'PROFILE',
      ':customer': by.stripeCustomer,
    });
    account = item ? await accounts.get(String(item.accountId)) : undefined;
  } else throw new UsageError('Give --email, --account-id, --key-prefix or --stripe-customer');
  if (!account) throw new UsageError('No account matches');
  return account;
}

const lookups = (command: Command) =>
  command
    .option('--email <email>', 'the sign-in address')
    .option('--account-id <id>', 'acc_…')
    .option('--key-prefix <prefix>', "an API key's visible start, e.g. omn_live_AbC1")
    .option('--stripe-customer <id>', 'cus_…')
    .addOption(stageOption());

const find = lookups(new Command('find').description('Find an account by email, id, API key prefix or Stripe customer')).action(
  async (options: StageOptions & Parameters<typeof findAccount>[1]) => {
    await withResources(options.stage, async (resources) => {
      const account = await findAccount(resources, options);
      console.log(
        `${account.accountId}  ${account.email}  ${visibleControls(account.name)}  plan ${account.plan}${account.suspension ? '  SUSPENDED' : ''}  since ${account.createdAt.slice(0, 10)}`,
      );
    });
  },
);

const show = lookups(
  new Command('show').description('An account at a glance: profile, plan, balance, keys, open privacy requests, the last day of usage'),
).action(async (options: StageOptions & Parameters<typeof findAccount>[1]) => {
  await withResources(options.stage, async (resources) => {
    const account = await findAccount(resources, options);
    const [balance, keys, requests, hours] = await Promise.all([
      new DynamoDbLedger(resources.dynamo, resources.tables.ledger).balance(account.accountId),
      new DynamoDbKeyStore(resources.dynamo, resources.tables.apiKeys).listByAccount(account.accountId),
      new DynamoDbRequests(resources.dynamo, resources.tables.privacyRequests).listByAccount(account.accountId),
      // Through the usage reader, as the usage API and reconcile read it: the rollups, and the calls not counted into them yet.
      new DynamoDbUsageReader(resources.dynamo, resources.tables).aggregates(
        account.accountId,
        'hour',
        `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 13)}:00:00Z`,
        new Date().toISOString(),
      ),
    ]);
    // Names are the holder's words: one stored before they were checked must not drive the terminal or forge a line.
    console.log(`${visibleControls(account.name)} <${account.email}>  ${account.accountId}`);
    console.log(
      `  plan ${account.plan}, ${account.emailVerified ? 'verified' : 'NOT verified'}${account.suspension ? `, SUSPENDED: ${account.suspension.reason}` : ''}, since ${account.createdAt.slice(0, 10)}`,
    );
    console.log(
      `  profile ${JSON.stringify(account.profile)}, preferences ${JSON.stringify(account.preferences)}${account.stripeCustomerId ? `, Stripe ${account.stripeCustomerId}` : ''}`,
    );
    console.log(`  balance ${microToCredits(balance)} credits`);
    for (const key of keys)
      console.log(
        `  key ${key.keyId} ${key.prefix}… ${visibleControls(JSON.stringify(key.name))} ${key.status} created ${key.createdAt.slice(0, 10)}`,
      );
    const open = requests.filter((r) => !['completed', 'rejected', 'cancelled', 'expired'].includes(r.status));
    for (const r of open) console.log(`  privacy ${r.requestId} ${r.type} ${r.status}, due ${r.dueAt.slice(0, 10)}`);
    const calls = hours.reduce((sum, h) => sum + Number(h.calls ?? 0), 0);
    const charged = hours.reduce((sum, h) => sum + Number(h.chargedMicro ?? 0), 0);
    console.log(`  last 24 h: ${calls} call(s), ${microToCredits(charged)} credits charged`);
  });
});

export const accounts = new Command('accounts').description('Find and look at accounts (read-only)').addCommand(find).addCommand(show);
