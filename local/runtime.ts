import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import type { SMTPServer } from 'smtp-server';
import { deriveModel, type LocalModel, synthesizeTemplate } from './assembly';
import { createAwsEndpoint } from './aws-endpoint';
import { LocalFunctions } from './functions';
import { DynamoDbProxy } from './dynamodb-proxy';
import { configureServer, httpGateway } from './http-gateway';
import { LOCAL_REGION } from './intrinsics';
import { Outbox } from './outbox';
import { LocalStepFunctions } from './sfn';
import { createSmtpServer } from './smtp';
import { LocalSqs } from './sqs';
import { TtlSweeper } from './ttl-sweeper';

export interface LocalOptions {
  /** HTTP API port. @default 3000 */
  port?: number;
  /** Inbound mail (SMTP) port. @default 2525 */
  smtpPort?: number;
  /** Embedded DynamoDB (dynalite) port. @default 8000 */
  dynamodbPort?: number;
  /** Embedded S3 (s3rver) port. @default 4569 */
  s3Port?: number;
  /** Local SQS, Step Functions and SES endpoint. @default 4566 */
  awsPort?: number;
  /** All local state. @default .omnapi */
  dataDir?: string;
  /** How often expired TTL items are swept. @default 60000 */
  ttlSweepMs?: number;
  /** Multiplies SQS visibility timeouts and async retry delays; tests shrink it. @default 1 */
  timeScale?: number;
  /** Runs every EventBridge schedule this often instead of at its own rate (e.g. 2000 to see the watchdog work). */
  scheduleMs?: number;
  /** Concurrent batches per SQS event source. @default as Lambda starts them (five, or the mapping's maximum concurrency) */
  sqsPollers?: number;
  /** CDK context for the synth, e.g. `{ stage: 'dev' }`. */
  context?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  urls: { api: string; smtp: { host: string; port: number }; dynamodb: string; s3: string; aws: string };
  model: LocalModel;
  functions: LocalFunctions;
  sqs: LocalSqs;
  sfn: LocalStepFunctions;
  outbox: Outbox;
  sweeper: TtlSweeper;
  /** Every call that reached local DynamoDB (`Operation table`) or the SQS/SFN/SES endpoint. */
  awsCalls(): Map<string, number>;
  /** DynamoDB write units consumed, by `Operation table` (transaction parts as `TransactWriteItems Put usageLogs`). */
  writeUnits(): Map<string, number>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Lambda retries a failed asynchronous invocation twice, after about one and two minutes. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

/**
 * Starts the whole platform on this machine. Everything it serves — tables, routes, queues and their
 * consumers, the state machine, buckets, mail rules — is read from the synthesized CDK app.
 */
export async function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.log(`[omnapi] ${line}`));
  const dataDir = path.resolve(options.dataDir ?? '.omnapi');
  const scale = options.timeScale ?? 1;
  fs.mkdirSync(dataDir, { recursive: true });
  const closers: (() => Promise<unknown>)[] = [];

  const template = synthesizeTemplate({ localPseudonymKeys: localPseudonymKeys(dataDir), ...options.context });

  // dynalite on a private port, behind the proxy that adds transactions.
  const dynaliteServer = dynalite({ path: path.join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynalitePort = await listen(dynaliteServer, 0);
  closers.push(() => close(dynaliteServer));
  const dynamoProxy = new DynamoDbProxy(`http://${HOST}:${dynalitePort}`);
  const dynamoServer = http.createServer(dynamoProxy.listener());
  const dynamodbPort = await listen(dynamoServer, options.dynamodbPort ?? 8000);
  closers.push(async () => {
    await close(dynamoServer);
    dynamoProxy.close();
  });

  const services: Partial<Parameters<typeof createAwsEndpoint>[0]> = {};
  const awsCalls = new Map<string, number>();
  const awsServer = createAwsEndpoint(services as Parameters<typeof createAwsEndpoint>[0], log, awsCalls);
  const awsPort = await listen(awsServer, options.awsPort ?? 4566);
  closers.push(() => close(awsServer));
  const awsEndpoint = `http://${HOST}:${awsPort}`;

  // The API listens first, so links the functions mail out can carry its real address.
  const gateway = http.createServer();
  configureServer(gateway);
  const apiPort = await listen(gateway, options.port ?? 3000);
  closers.push(() => close(gateway));
  const apiUrl = `http://localhost:${apiPort}`;

  const model = deriveModel(template, { aws: awsEndpoint, api: apiUrl });

  const s3Dir = path.join(dataDir, 's3');
  fs.mkdirSync(s3Dir, { recursive: true });
  const s3rver = new S3rver({
    port: options.s3Port ?? 4569,
    address: HOST,
    directory: s3Dir,
    silent: true,
    configureBuckets: model.buckets.map((b) => ({ name: b.name, configs: [] })),
  });
  const s3Address = (await s3rver.run()) as AddressInfo;
  closers.push(() => s3rver.close());

  const endpoints = {
    dynamodb: `http://${HOST}:${dynamodbPort}`,
    s3: `http://${HOST}:${s3Address.port}`,
    aws: awsEndpoint,
  };
  // Every SDK client in this process — the handlers' included — talks to the local services.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // s3rver checks signatures against its fixed key pair; dynalite and the emulators accept any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.aws,
    AWS_ENDPOINT_URL_SFN: endpoints.aws,
    AWS_ENDPOINT_URL_SESV2: endpoints.aws,
    OMNAPI_LOCAL: 'true',
  });

  const dynamoClient = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION });
  await createTables(dynamoClient, model);
  const s3Client = new S3Client({ endpoint: endpoints.s3, region: LOCAL_REGION, forcePathStyle: true });


  const buildDir = path.join(dataDir, 'build');
  fs.rmSync(buildDir, { recursive: true, force: true });
  const functions = new LocalFunctions(model.functions, buildDir);
  const sqs = new LocalSqs(model.queues, { dataDir: path.join(dataDir, 'sqs'), visibilityScale: scale });
  const functionIdOf = (arnOrName: string) =>
    [...model.functions.values()].find((f) => f.arn === arnOrName || f.name === arnOrName)?.logicalId ?? arnOrName;
  const sfn = new LocalStepFunctions(model.stateMachines, (arn, payload) => functions.invoke(functionIdOf(arn), payload), log, path.join(dataDir, 'sfn'));
  const outbox = new Outbox(path.join(dataDir, 'outbox'));
  Object.assign(services, { sqs, sfn, outbox });

  const invokeAsync = (functionId: string, event: unknown) => {
    void (async () => {
      let lastError: Error | undefined;
      for (let attempt = 0; attempt <= ASYNC_RETRY_DELAYS_MS.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, ASYNC_RETRY_DELAYS_MS[attempt - 1]! * scale));
        try {
          await functions.invoke(functionId, event);
          return;
        } catch (error) {
          lastError = error as Error;
          log(`async invocation of ${functionId} failed (attempt ${attempt + 1}): ${lastError.message}`);
        }
      }
      const deadLetterArn = functions.get(functionId).deadLetterArn;
      if (deadLetterArn) {
        sqs.sendMessage(sqs.urlOfArn(deadLetterArn), JSON.stringify(event), {
          ErrorCode: { DataType: 'String', StringValue: '200' },
          ErrorMessage: { DataType: 'String', StringValue: lastError?.message ?? 'unknown' },
        });
      }
    })();
    return Promise.resolve({ StatusCode: 202 });
  };

  await functions.warm();
  sqs.startPolling(model.eventSources, (functionId, event) => functions.invoke(functionId, event), log, { pollers: options.sqsPollers });
  closers.push(async () => sqs.stop());

  // EventBridge schedules: each rule's function, invoked with a scheduled event, at its rate (or scheduleMs).
  for (const schedule of model.schedules) {
    const timer = setInterval(() => {
      const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date().toISOString(), region: LOCAL_REGION, resources: [schedule.ruleId], detail: {} };
      functions.invoke(schedule.functionId, event).catch((error: Error) => log(`scheduled ${schedule.functionId} failed: ${error.message}`));
    }, options.scheduleMs ?? schedule.everyMs * scale);
    timer.unref();
    closers.push(async () => clearInterval(timer));
  }

  const sweeper = new TtlSweeper(DynamoDBDocumentClient.from(dynamoClient), model.tables);
  sweeper.start(options.ttlSweepMs ?? 60_000, log);
  closers.push(async () => sweeper.stop());

  const smtp: SMTPServer = createSmtpServer({
    rules: model.receiptRules,
    putObject: async (bucket, key, body) => {
      await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    invoke: (functionId, event, invocationType) =>
      invocationType === 'RequestResponse' ? functions.invoke(functionId, event) : invokeAsync(functionId, event),
    log,
  });
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 2525, HOST, () => resolve((smtp.server.address() as AddressInfo).port));
  });
  closers.push(() => new Promise((resolve) => smtp.close(() => resolve(undefined))));

  gateway.on('request', httpGateway(model.routes, functions, log, model.cors));

  // Where ops commands find this runtime's resources without synthesizing the app again.
  const webhook = [...model.functions.values()].find((fn) => fn.environment.STRIPE_WEBHOOK_SECRET);
  writeResourceMap(dataDir, { endpoints: { api: apiUrl, ...endpoints }, outputs: model.outputs, stripeWebhookSecret: webhook?.environment.STRIPE_WEBHOOK_SECRET });

  const runtime: LocalRuntime = {
    urls: { api: apiUrl, smtp: { host: HOST, port: smtpPort }, ...endpoints },
    model,
    functions,
    sqs,
    sfn,
    outbox,
    sweeper,
    awsCalls: () => new Map([...dynamoProxy.calls, ...awsCalls]),
    writeUnits: () => new Map(dynamoProxy.writeUnits),
    stop: async () => {
      for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
      dynamoClient.destroy();
      s3Client.destroy();
    },
  };
  return runtime;
}

async function createTables(client: DynamoDBClient, model: LocalModel): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    page.TableNames?.forEach((name) => existing.add(name));
    start = page.LastEvaluatedTableName;
  } while (start);
  for (const table of model.tables) {
    if (existing.has(table.name)) continue;
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        ...(table.definition as object),
      } as ConstructorParameters<typeof CreateTableCommand>[0]),
    );
  }
}

/** The local counterpart of a deployed stack's outputs, read by `npm run ops`. */
export interface ResourceMap {
  endpoints: { api: string; dynamodb: string; s3: string; aws: string };
  outputs: Record<string, string>;
  /** The local signing secret of Stripe webhooks, for `npm run ops -- stripe-event`. */
  stripeWebhookSecret?: string;
}

export const RESOURCE_MAP_FILE = 'resources.json';

/**
 * The pseudonym key set of this data folder: generated once (as deploy generates the secret) and kept,
 * so pseudonyms stay the same across restarts; `pseudonym-keys.json` beside the data, never committed.
 */
function localPseudonymKeys(dataDir: string): string {
  const file = path.join(dataDir, 'pseudonym-keys.json');
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ current: 1, k1: randomBytes(32).toString('base64url') }), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

function writeResourceMap(dataDir: string, map: ResourceMap): void {
  const file = path.join(dataDir, RESOURCE_MAP_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(map, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
