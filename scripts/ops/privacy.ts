import * as os from 'node:os';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbHolds } from '../../lambdas/privacy/adapters/dynamodb-holds';
import { DynamoDbRequests } from '../../lambdas/privacy/adapters/dynamodb-requests';
import type { PrivacyRequest } from '../../lambdas/privacy/domain/model';
import { accountByEmail, Command, stageOption, UsageError, withResources } from './program';
import type { Resources } from './resources';

type StageOptions = { stage: 'local' | 'dev' | 'prod' };
const requestsOf = (resources: Resources) => new DynamoDbRequests(resources.dynamo, resources.tables.privacyRequests);
const left = (request: PrivacyRequest) => {
  const ms = Date.parse(request.dueAt) - Date.now();
  return ms < 0 ? `OVERDUE by ${Math.ceil(-ms / 86_400_000)} d` : `${Math.floor(ms / 86_400_000)} d left`;
};

const list = new Command('list')
  .description('Open privacy requests, oldest deadline first, with age and time left')
  .option('--overdue', 'only those past their deadline')
  .addOption(stageOption())
  .action(async (options: StageOptions & { overdue?: boolean }) => {
    await withResources(options.stage, async (resources) => {
      const open = (await requestsOf(resources).open()).filter((r) => !options.overdue || Date.parse(r.dueAt) < Date.now());
      for (const r of open) console.log(`${r.requestId}  ${r.type.padEnd(11)} ${r.status.padEnd(21)} received ${r.receivedAt.slice(0, 10)}  due ${r.dueAt.slice(0, 10)} (${left(r)})  ${r.history.at(-1)?.note ?? ''}`);
      console.log(`${open.length} open request(s)`);
    });
  });

const show = new Command('show')
  .description('One request: status history, deadline, export or erasure record')
  .argument('<requestId>')
  .addOption(stageOption())
  .action(async (requestId: string, options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const request = await requestsOf(resources).get(requestId);
      if (!request) throw new UsageError(`No request ${requestId}`);
      const { taskToken: _t, confirmation: _c, cancelTokenHash: _x, ...view } = request;
      const { subject: _s, ...erasure } = view.erasure ?? {};
      console.log(JSON.stringify({ ...view, erasure: view.erasure ? erasure : undefined }, null, 2));
    });
  });

const startNow = new Command('start-now')
  .description('End a deletion\'s cooling-off now: erasure starts at once')
  .argument('<requestId>')
  .addOption(stageOption())
  .action(async (requestId: string, options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const request = await requestsOf(resources).get(requestId);
      if (!request || request.type !== 'deletion' || !request.erasureStartsAt || !request.taskToken || request.erasure) {
        throw new UsageError(`${requestId} is not a deletion in its cooling-off`);
      }
      const sfn = new SFNClient(resources.clientConfig);
      await sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify({ startedBy: os.userInfo().username }) }));
      sfn.destroy();
      console.log(`Erasure of ${requestId} starts now.`);
    });
  });

export const privacy = new Command('privacy').description('Privacy requests: list, show, start-now').addCommand(list).addCommand(show).addCommand(startNow);

export const legalHold = new Command('legal-hold')
  .description("Set or clear a legal hold: a held account's deletion waits (the reason is told to the holder) until it is cleared")
  .argument('<action>', 'set or clear')
  .requiredOption('--email <email>', 'the account')
  .option('--reason <text>', 'why (required to set)')
  .addOption(stageOption())
  .action(async (action: string, options: StageOptions & { email: string; reason?: string }) => {
    if (!['set', 'clear'].includes(action)) throw new UsageError('legal-hold takes set or clear');
    if (action === 'set' && !options.reason) throw new UsageError('--reason is required to set a hold');
    await withResources(options.stage, async (resources) => {
      const account = await accountByEmail(resources, options.email);
      const holds = new DynamoDbHolds(resources.dynamo, { ledger: resources.tables.ledger, privacyRequests: resources.tables.privacyRequests });
      if (action === 'set') await holds.set(account.accountId, options.reason!, os.userInfo().username);
      else await holds.clear(account.accountId);
      console.log(action === 'set' ? `Hold set on ${account.email}: ${options.reason}` : `Hold cleared on ${account.email}; a deferred deletion resumes at the watchdog's next pass.`);
    });
  });
