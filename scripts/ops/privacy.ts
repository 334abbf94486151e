import { visibleControls } from '../../lambdas/shared/plain-text';
import * as os from 'node:os';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDbHolds } from '../../lambdas/privacy/adapters/dynamodb-holds';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbRequests } from '../../lambdas/privacy/adapters/dynamodb-requests';
import { DynamoDbSubjects } from '../../lambdas/privacy/adapters/dynamodb-subjects';
import { StepFunctionsWorkflow } from '../../lambdas/privacy/adapters/sfn-workflow';
import { LegalClock } from '../../lambdas/privacy/domain/legal-clock';
import { DynamoDbWindowCounter } from '../../lambdas/shared/adapters/dynamodb-counter';
import { SesMailer } from '../../lambdas/shared/adapters/ses-mailer';
import { queryAll, scanPages } from '../../lambdas/shared/dynamodb-query';
import { type PrivacyRequest, REQUEST_TYPES, type RequestType } from '../../lambdas/privacy/domain/model';
import { normaliseEmail } from '../../lambdas/shared/email-address';
import { accountByEmail, Command, pseudonymiserOf, stageOption, UsageError, withResources } from './program';
import type { Resources } from './resources';
import { recordOps } from './audit';

type StageOptions = { stage: 'local' | 'dev' | 'prod' };
const requestsOf = (resources: Resources) => new DynamoDbRequests(resources.dynamo, resources.tables.privacyRequests);
/** The privacy ports as the functions build them, with this stage's tables, mail and workflow. */
const depsFor = (resources: Resources) => {
  const sfn = new SFNClient(resources.clientConfig);
  const ses = new SESv2Client(resources.clientConfig);
  return {
    requests: requestsOf(resources),
    subjects: new DynamoDbSubjects(resources.dynamo, resources.tables.accounts),
    workflow: new StepFunctionsWorkflow(sfn, resources.outputs.PrivacyStateMachineArn!),
    mailer: new SesMailer(ses, resources.outputs.MailFrom!),
    counter: new DynamoDbWindowCounter(resources.dynamo, resources.tables.privacyRequests),
    publicUrl: resources.apiUrl ?? '',
    linkLifeHours: 72,
    now: () => new Date(),
  };
};
/** The legal clock, as the watchdog runs it. */
const legalClockFor = (resources: Resources) => new LegalClock(depsFor(resources));
const left = (request: Pick<PrivacyRequest, 'dueAt'>) => {
  const ms = Date.parse(request.dueAt) - Date.now();
  return ms < 0 ? `OVERDUE by ${Math.ceil(-ms / 86_400_000)} d` : `${Math.floor(ms / 86_400_000)} d left`;
};

const list = new Command('list')
  .description('Open privacy requests, oldest deadline first, with age and time left')
  .option('--overdue', 'only those past their deadline')
  .option('--due-within <days>', 'only those due within this many days (e.g. 7 or 7d)')
  .addOption(stageOption())
  .action(async (options: StageOptions & { overdue?: boolean; dueWithin?: string }) => {
    const within = options.dueWithin === undefined ? undefined : Number(options.dueWithin.replace(/d$/, ''));
    if (within !== undefined && !(within >= 0)) throw new UsageError('--due-within takes a number of days, e.g. 7d');
    /** Whether a deadline passes the filters: overdue, or due within the days asked. */
    const shown = ({ dueAt }: { dueAt: string }) =>
      (!options.overdue || Date.parse(dueAt) < Date.now()) &&
      (within === undefined || Date.parse(dueAt) < Date.now() + within * 86_400_000);
    await withResources(options.stage, async (resources) => {
      const open = (await requestsOf(resources).open()).filter(shown);
      for (const r of open)
        console.log(
          `${r.requestId}  ${r.type.padEnd(11)} ${r.status.padEnd(21)} received ${r.receivedAt.slice(0, 10)}  due ${r.dueAt.slice(0, 10)} (${left(r)})  ${r.history.at(-1)?.note ?? ''}`,
        );
      // Mail no right could be read from: on the clock until classified (ops privacy classify <ticket> <right>).
      const unclear = (await requestsOf(resources).openUnclear()).filter(shown);
      for (const m of unclear)
        console.log(
          `${m.ticketId}  ${'unclear'.padEnd(11)} ${'needs classifying'.padEnd(21)} received ${m.receivedAt.slice(0, 10)}  due ${m.dueAt.slice(0, 10)} (${left(m)})  from ${visibleControls(m.from)}: ${visibleControls(m.why)}`,
        );
      console.log(`${open.length} open request(s), ${unclear.length} unclear mail(s) to classify`);
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
  .description("End a deletion's cooling-off now: erasure starts at once")
  .argument('<requestId>')
  .addOption(stageOption())
  .action(async (requestId: string, options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const request = await requestsOf(resources).get(requestId);
      if (request?.type !== 'deletion' || !request.erasureStartsAt || !request.taskToken || request.erasure) {
        throw new UsageError(`${requestId} is not a deletion in its cooling-off`);
      }
      const sfn = new SFNClient(resources.clientConfig);
      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify({ startedBy: os.userInfo().username }) }),
      );
      sfn.destroy();
      await recordOps(resources, {
        action: 'privacy.start_now',
        targets: [
          { type: 'account', id: request.accountId },
          { type: 'privacy_request', id: requestId },
        ],
        reason: 'cooling-off ended by an operator',
      });
      console.log(`Erasure of ${requestId} starts now.`);
    });
  });

const extend = new Command('extend')
  .description("Extend a request's deadline (at most two months in all), telling the holder why")
  .argument('<requestId>')
  .requiredOption('--reason <text>', 'why more time is needed (mailed to the holder)')
  .option('--months <n>', '1 or 2', '1')
  .addOption(stageOption())
  .action(async (requestId: string, options: StageOptions & { reason: string; months: string }) => {
    const months = Number(options.months);
    if (![1, 2].includes(months)) throw new UsageError('--months is 1 or 2');
    await withResources(options.stage, async (resources) => {
      const extended = await legalClockFor(resources).extend(requestId, months, options.reason);
      await recordOps(resources, {
        action: 'privacy.extend',
        targets: [
          { type: 'account', id: extended.accountId },
          { type: 'privacy_request', id: requestId },
        ],
        reason: options.reason,
        change: { after: { dueAt: extended.dueAt } },
      });
      console.log(`${requestId} is now due ${extended.dueAt.slice(0, 10)}; the holder was told why.`);
    });
  });

const retry = new Command('retry')
  .description('Run a failed request again: a new execution, whose idempotent steps skip what was done')
  .argument('<requestId>')
  .addOption(stageOption())
  .action(async (requestId: string, options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const requests = requestsOf(resources);
      const request = await requests.get(requestId);
      if (request?.status !== 'failed') throw new UsageError(`${requestId} has not failed`);
      const back = [...request.history].reverse().find((h) => h.status !== 'failed')?.status ?? 'received';
      await requests.update(requestId, { failure: undefined }, { status: back, note: `retried by ${os.userInfo().username}` });
      const sfn = new SFNClient(resources.clientConfig);
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: resources.outputs.PrivacyStateMachineArn!,
          name: `${requestId}-retry-${Date.now()}`,
          input: JSON.stringify({ requestId }),
        }),
      );
      sfn.destroy();
      await recordOps(resources, {
        action: 'privacy.retry',
        targets: [
          { type: 'account', id: request.accountId },
          { type: 'privacy_request', id: requestId },
        ],
        change: { after: { status: back } },
      });
      console.log(`${requestId} runs again from ${back}.`);
    });
  });

const classify = new Command('classify')
  .description(
    "Read unclear privacy mail as the rights it asks for: each opens from the mail's arrival (its deadline unchanged) and is confirmed through the account's registered address",
  )
  .argument('<ticket>', 'the ticket of the unclear mail (ops privacy list)')
  .argument('<rights...>', `one or more of ${REQUEST_TYPES.join(', ')}`)
  .addOption(stageOption())
  .action(async (ticketId: string, rights: string[], options: StageOptions) => {
    const unknown = rights.filter((r) => !(REQUEST_TYPES as readonly string[]).includes(r));
    if (unknown.length) throw new UsageError(`Not a right: ${unknown.join(', ')}; choose from ${REQUEST_TYPES.join(', ')}`);
    await withResources(options.stage, async (resources) => {
      // Loaded here, not with the CLI: the classifier compiles every language's vocabulary as it loads (seconds of CPU).
      const { PrivacyIntake } = await import('../../lambdas/privacy/domain/intake');
      const intake = new PrivacyIntake(depsFor(resources));
      const by = os.userInfo().username;
      const mail = await requestsOf(resources).getUnclear(ticketId);
      const result = await intake.classifyUnclear(ticketId, rights as RequestType[], by).catch((error: Error) => {
        throw new UsageError(error.message);
      });
      await recordOps(resources, {
        action: 'privacy.classify',
        targets: [...(mail ? [{ type: 'ticket', id: ticketId }] : []), ...result.requestIds.map((id) => ({ type: 'privacy_request', id }))],
        reason: `classified as ${rights.join(' and ')}`,
      });
      console.log(
        result.outcome === 'classified'
          ? `${ticketId} opened ${result.requestIds.join(', ')}; the confirmation link goes to the account's registered address.`
          : `${ticketId} is closed: no account has ${mail?.from ?? 'its sender'}, so nothing can be released or erased (the sender got the neutral reply).`,
      );
    });
  });

const pseudonyms = new Command('pseudonyms')
  .description(
    "A former customer's keyed pseudonyms under every key version, and the records kept under them (a legal hold's or an authority's lookup)",
  )
  .option('--account-id <id>', 'the account id the person had')
  .option('--email <address>', 'the address the person had')
  .addOption(stageOption())
  .action(async (options: StageOptions & { accountId?: string; email?: string }) => {
    if (!options.accountId && !options.email) throw new UsageError('Give --account-id or --email (or both)');
    await withResources(options.stage, async (resources) => {
      const pseudonymiser = pseudonymiserOf(resources);
      const lookups = [
        ...(options.accountId ? [['account', options.accountId] as const] : []),
        ...(options.email ? [['email', normaliseEmail(options.email)] as const] : []),
      ];
      for (const [kind, value] of lookups) {
        for (const pseudonym of await pseudonymiser.every(kind, value)) {
          if (kind === 'account') {
            const [ledger, requests] = await Promise.all([
              queryAll(resources.dynamo, {
                TableName: resources.tables.ledger,
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': `PSEUDONYM#${pseudonym}` },
              }),
              queryAll(resources.dynamo, {
                TableName: resources.tables.privacyRequests,
                IndexName: 'gsi1',
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': `PSEUDONYM#${pseudonym}` },
              }),
            ]);
            console.log(
              `account ${pseudonym}: ${ledger.length} ledger entries, ${requests.length} answered request(s) (${requests.map((r) => r.requestId).join(', ') || 'none'})`,
            );
          } else {
            // Answered requests keep the address's pseudonym, not under a key of its own: a scan, for a rare lookup.
            const requests: Record<string, unknown>[] = [];
            for await (const item of scanPages(resources.dynamo, {
              TableName: resources.tables.privacyRequests,
              FilterExpression: 'email = :p',
              ExpressionAttributeValues: { ':p': pseudonym },
            }))
              requests.push(item);
            console.log(
              `email ${pseudonym}: ${requests.length} answered request(s) (${requests.map((r) => r.requestId).join(', ') || 'none'})`,
            );
          }
        }
      }
    });
  });

export const privacy = new Command('privacy')
  .description('Privacy requests: list, show, extend, retry, start-now')
  .addCommand(list)
  .addCommand(show)
  .addCommand(extend)
  .addCommand(retry)
  .addCommand(startNow)
  .addCommand(classify)
  .addCommand(pseudonyms);

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
      const holds = new DynamoDbHolds(resources.dynamo, {
        ledger: resources.tables.ledger,
        privacyRequests: resources.tables.privacyRequests,
      });
      if (action === 'set') await holds.set(account.accountId, options.reason!, os.userInfo().username);
      else await holds.clear(account.accountId);
      await recordOps(resources, {
        action: action === 'set' ? 'legal_hold.set' : 'legal_hold.clear',
        targets: [{ type: 'account', id: account.accountId }],
        reason: options.reason,
      });
      console.log(
        action === 'set'
          ? `Hold set on ${account.email}: ${options.reason}`
          : `Hold cleared on ${account.email}; a deferred deletion resumes at the watchdog's next pass.`,
      );
    });
  });
