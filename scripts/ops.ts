import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_METADATA_KEY, type TableName } from '../lib/constructs/data';
import { synthesizeTemplate } from '../local/assembly';
import { DynamoDbAccountStore } from '../lambdas/accounts/adapters/dynamodb-stores';
import { normaliseEmail } from '../lambdas/accounts/domain/accounts';
import { DynamoDbLedger } from '../lambdas/metering/adapters/dynamodb-ledger';
import { creditsToMicro, microToCredits } from '../lambdas/metering/catalog';
import { UNQUEUED_USAGE_MESSAGE } from '../lambdas/metering/config';
import { UsageEventSchema } from '../lambdas/metering/domain/usage';

const USAGE = `Usage: npm run ops -- <command> [options]

Commands:
  grant-credits --email <email> --amount <credits> --reason <text>   add a ledger entry and credit the balance
  balance --email <email>                                             show the balance and the ledger
  replay-unqueued --since <ISO time> --stage dev|prod                 queue again the usage events the gateway
                                                                      could not queue (from its log); idempotent

Options:
  --stage local|dev|prod   local (default) talks to npm start's DynamoDB on DYNAMODB_PORT (8000);
                           dev and prod find the tables in the deployed stack with your AWS credentials`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The stack's tables, by data-map name: local names locally, physical names in AWS. */
async function tablesFor(stage: string): Promise<Record<TableName, string> & { client: DynamoDBDocumentClient }> {
  const template = synthesizeTemplate(stage === 'local' ? {} : { stage });
  const logicalIds = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
      .map(([id, r]) => [String(r.Metadata?.[TABLE_METADATA_KEY]), id]),
  ) as Record<TableName, string>;
  if (stage === 'local') {
    const endpoint = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    return { ...(Object.fromEntries(Object.keys(logicalIds).map((name) => [name, name])) as Record<TableName, string>), client };
  }
  const cloudFormation = new CloudFormationClient({});
  const stackName = `OmnApi-${stage}`;
  const physical = await Promise.all(
    Object.entries(logicalIds).map(async ([name, logicalId]) => {
      const { StackResourceDetail } = await cloudFormation.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
      return [name, StackResourceDetail!.PhysicalResourceId!];
    }),
  );
  return { ...(Object.fromEntries(physical) as Record<TableName, string>), client: DynamoDBDocumentClient.from(new DynamoDBClient({})) };
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      amount: { type: 'string' },
      reason: { type: 'string' },
      since: { type: 'string' },
      stage: { type: 'string', default: 'local' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (!['local', 'dev', 'prod'].includes(values.stage!)) throw new Error(`--stage must be local, dev or prod`);
  if (command === 'replay-unqueued') return replayUnqueued(values.stage!, values.since);
  if (!values.email) throw new Error('--email is required');
  const tables = await tablesFor(values.stage!);
  const account = await new DynamoDbAccountStore(tables.client, tables.accounts).findByEmail(normaliseEmail(values.email));
  if (!account) throw new Error(`No account with email ${values.email}`);
  const ledger = new DynamoDbLedger(tables.client, tables.ledger);

  switch (command) {
    case 'grant-credits': {
      if (!values.amount || !values.reason) throw new Error('--amount and --reason are required');
      const amountMicro = creditsToMicro(values.amount);
      if (amountMicro <= 0) throw new Error('--amount must be positive');
      const entry = await ledger.post(account.accountId, { type: 'grant', amountMicro, reason: values.reason, ref: `ops:${os.userInfo().username}` });
      console.log(`Granted ${microToCredits(amountMicro)} credits to ${account.email} (${account.accountId}); entry ${entry.entryId}`);
      console.log(`Balance: ${microToCredits(await ledger.balance(account.accountId))} credits`);
      return 0;
    }
    case 'balance': {
      console.log(`${account.email} (${account.accountId}): ${microToCredits(await ledger.balance(account.accountId))} credits`);
      for (const entry of await ledger.entries(account.accountId)) {
        console.log(`  ${entry.at}  ${entry.type.padEnd(8)} ${microToCredits(entry.amountMicro).padStart(12)}  ${entry.reason}`);
      }
      return 0;
    }
    default:
      console.error(`Unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

/** Reads the gateway's "not queued" log lines and sends their events to the usage queue again. */
async function replayUnqueued(stage: string, since: string | undefined): Promise<number> {
  if (stage === 'local') throw new Error('replay-unqueued reads CloudWatch Logs: give --stage dev or prod');
  const start = Date.parse(since ?? '');
  if (Number.isNaN(start)) throw new Error('--since must be an ISO time, e.g. 2026-11-24T00:00:00Z');
  const template = synthesizeTemplate({ stage });
  const logicalId = (type: string, prefix: string) => Object.entries(template.Resources).find(([id, r]) => r.Type === type && id.startsWith(prefix))![0];
  const cloudFormation = new CloudFormationClient({});
  const physical = async (id: string) =>
    (await cloudFormation.send(new DescribeStackResourceCommand({ StackName: `OmnApi-${stage}`, LogicalResourceId: id }))).StackResourceDetail!.PhysicalResourceId!;
  const logGroupName = await physical(logicalId('AWS::Logs::LogGroup', 'MeteringGatewayLogs'));
  const queueUrl = await physical(logicalId('AWS::SQS::Queue', 'MeteringUsageQueue'));
  const logsClient = new CloudWatchLogsClient({});
  const sqs = new SQSClient({});
  let replayed = 0;
  let nextToken: string | undefined;
  do {
    const page = await logsClient.send(
      new FilterLogEventsCommand({ logGroupName, startTime: start, filterPattern: `{ $.message = "${UNQUEUED_USAGE_MESSAGE}" }`, nextToken }),
    );
    for (const line of page.events ?? []) {
      const event = UsageEventSchema.parse(JSON.parse(line.message ?? '{}').usageEvent);
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
      replayed += 1;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  console.log(`Queued ${replayed} usage event(s) again; events already recorded are skipped by the worker.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`ops: ${error.message}`);
    process.exit(1);
  },
);
