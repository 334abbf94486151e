import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import S3rver from 's3rver';
import type { SMTPServer } from 'smtp-server';
import { deriveModel, type LocalModel, type LocalSchedule, synthesizeTemplate } from './assembly';
import { createAwsEndpoint } from './aws-endpoint';
import { type ConsoleServer, deriveConsole, startConsole } from './console';
import { type InvokeCaller, LocalFunctions } from './functions';
import { DynamoDbProxy } from './dynamodb-proxy';
import { configureServer, errorAnswer, httpGateway, pathOf } from './http-gateway';
import { type IamMode, iamModeOf, isServicePrincipal, LocalIam } from './iam';
import { LOCAL_ACCOUNT, LOCAL_REGION, type Template } from './intrinsics';
import { createS3Gateway } from './s3-gateway';
import { LocalStripeTestMode } from './stripe-test-mode';
import { LOCAL_TEST_MODE_KEY } from '../lib/template-keys';
import { Outbox } from './outbox';
import { LocalStepFunctions } from './sfn';
import { sesEventOf, simulatedFeedback, snsEventOf } from './ses-simulator';
import { createSmtpServer } from './smtp';
import { LocalSqs } from './sqs';
import { TtlSweeper } from './ttl-sweeper';
import { startDynaliteProcess } from './dynalite-process';

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
  /** Multiplies SQS visibility timeouts, batching windows and async retry delays; tests shrink it. @default 1 */
  timeScale?: number;
  /** Multiplies SQS batching windows alone (the usage worker's 30 s): tests that only wait for usage shrink it. @default timeScale */
  batchingWindowScale?: number;
  /** Runs every EventBridge schedule but a queue's drain this often instead of at its own rate (e.g. 2000 to see the watchdog work). */
  scheduleMs?: number;
  /** Concurrent batches per SQS event source. @default as Lambda starts them (five, or the mapping's maximum concurrency) */
  sqsPollers?: number;
  /** CDK context for the synth, e.g. `{ stage: 'dev' }`. */
  context?: Record<string, unknown>;
  /** A template to serve instead of synthesizing the app (a test's altered one). */
  template?: Template;
  /** IAM at the local endpoints. @default LOCAL_IAM, or enforce */
  iam?: IamMode;
  /**
   * Loads every function before ready, so no first call pays its cold start. Off, a function loads on
   * its first call, as on Lambda: a faster start when few of them are used (a test). @default true
   */
  warmFunctions?: boolean;
  /** Invocations each function runs at once; more wait for a free one. @default DEFAULT_FUNCTION_CONCURRENCY (8) */
  functionConcurrency?: number;
  /**
   * log2 of the scrypt N new passwords are hashed at, below the deployed 17, for tests that do not check
   * the cost (scryptCostOf: each hash keeps its own). @default the deployed cost
   */
  scryptLogN?: number;
  /**
   * How far the tables' global secondary indexes lag behind their writes, as DynamoDB's may: an index
   * query leaves out items written in the last this-many ms (DynamoDbProxy). @default 0 (dynalite's: none)
   */
  indexLagMs?: number;
  /** Where bundles are cached between starts. @default node_modules/.cache/omnapi-local/bundles */
  bundleCacheDir?: string;
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
  /** The console, when the app has one: served at / on the API's port. */
  console?: ConsoleServer;
  /** The template's IAM, as the endpoints enforce it. */
  iam: LocalIam;
  /** Every call that reached local DynamoDB (`Operation table`) or the SQS/SFN/SES endpoint. */
  awsCalls(): Map<string, number>;
  /** DynamoDB write units consumed, by `Operation table` (transaction parts as `TransactWriteItems Put usageLogs`). */
  writeUnits(): Map<string, number>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Lambda retries a failed asynchronous invocation twice, after about one and two minutes. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

type Log = (line: string) => void;
/** Stops one part of the runtime; `stop()` runs them in reverse order of start. */
type Closer = () => Promise<unknown>;
/** What the local AWS endpoint serves; filled once the model (which needs the endpoint's address) is derived. */
type AwsServices = Parameters<typeof createAwsEndpoint>[0];
/** Invokes a function as Lambda's asynchronous invocation does: accepted at once, retried, then dead-lettered. */
type InvokeAsync = (functionId: string, event: unknown) => Promise<{ StatusCode: number }>;
/** The runtime's own endpoints for DynamoDB, S3 and the SQS/SFN/SES emulators. */
type ServiceEndpoints = Pick<LocalRuntime['urls'], 'dynamodb' | 's3' | 'aws'>;

/**
 * Starts the whole platform on this machine. Everything it serves — tables, routes, queues and their
 * consumers, the state machine, buckets, mail rules — is read from the synthesized CDK app.
 */
export async function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.log(`[omnapi] ${line}`));
  const dataDir = path.resolve(options.dataDir ?? '.omnapi');
  const scale = options.timeScale ?? 1;
  fs.mkdirSync(dataDir, { recursive: true });
  const closers: Closer[] = [];
  const startedAt = performance.now();
  const template = options.template ?? synthesizeLocally(dataDir, options.context, log);

  const services: Partial<AwsServices> = {};
  const aws = await startAwsEndpoint(services, options.awsPort ?? 4566, log, closers);
  // The API listens first, so links the functions mail out can carry its real address.
  const gateway = http.createServer();
  configureServer(gateway);
  gateway.on('request', answerWhileStarting);
  const apiUrl = `http://localhost:${await listen(gateway, options.port ?? 3000, closers)}`;
  const model = deriveModel(template, { aws: aws.url, api: apiUrl });
  // The console is built (when its sources changed) while the rest starts; it is served on the API's port, as the distribution does.
  const consoleModel = deriveConsole(template);
  const consoleServer = consoleModel ? startConsole(consoleModel, path.resolve(__dirname, '..'), log) : undefined;
  consoleServer?.catch(() => undefined);
  const iam = enforcedIam(template, model, options.iam ?? iamModeOf(process.env.LOCAL_IAM), log);

  const storage = await startStorage(
    dataDir,
    model,
    iam,
    { dynamodb: options.dynamodbPort ?? 8000, s3: options.s3Port ?? 4569 },
    log,
    closers,
    options.indexLagMs,
  );
  const endpoints: ServiceEndpoints = { ...storage.endpoints, aws: aws.url };
  const endpointVariables = useLocalAws(endpoints);
  const { dynamoClient, s3Client } = storage;
  await createTables(dynamoClient, model);
  log(`${model.tables.length} tables ready`);

  const functions = new LocalFunctions(model.functions, {
    cacheDir: options.bundleCacheDir,
    endpoints: endpointVariables,
    passThrough: {
      ...developerLogSettings(),
      ...(options.scryptLogN !== undefined ? { LOCAL_SCRYPT_LOG_N: String(options.scryptLogN) } : {}),
    },
    progress: log,
    concurrency: options.functionConcurrency,
  });
  functions.authorizeInvoke = (fn, caller) => authorizeInvoke(iam, fn.arn, caller);
  const sqs = new LocalSqs(model.queues, {
    dataDir: path.join(dataDir, 'sqs'),
    visibilityScale: scale,
    batchingWindowScale: options.batchingWindowScale,
  });
  const sfn = stepFunctions(model, functions, dataDir, log);
  const outbox = new Outbox(path.join(dataDir, 'outbox'));
  const invokeAsync = asyncInvoker(functions, iam, sqs, scale, log);
  Object.assign(services, { sqs, sfn, outbox, iam, sesFeedback: sesFeedbackReporter(model, functions, iam, invokeAsync, log) });

  // Every bundle is built (or reused) before ready; each module loads now, or on its first call when not warmed.
  if (options.warmFunctions ?? true) await functions.warm();
  else await functions.bundle();
  startPollers(model, functions, iam, sqs, options.sqsPollers, log);
  closers.push(async () => sqs.stop());
  // A drain's period is its batching window: tests that shrink windows shrink it too.
  const drainScale = options.batchingWindowScale ?? scale;
  startSchedules(
    model,
    functions,
    (schedule) => (schedule.drainsQueue ? schedule.everyMs * drainScale : (options.scheduleMs ?? schedule.everyMs * scale)),
    log,
    closers,
  );
  const sweeper = new TtlSweeper(DynamoDBDocumentClient.from(dynamoClient), model.tables);
  sweeper.start(options.ttlSweepMs ?? 60_000, log);
  closers.push(async () => sweeper.stop());
  const smtpPort = await startSmtp(model, iam, functions, invokeAsync, s3Client, options.smtpPort ?? 2525, log, closers);

  const site = await consoleServer;
  const stripe = localStripe(model, apiUrl, dataDir, log);
  serveRequests(gateway, { api: httpGateway(model.routes, functions, log, model.cors, model.apiId), site, testMode: stripe.testMode });
  // Where ops commands find this runtime's resources without synthesizing the app again.
  writeResourceMap(dataDir, {
    endpoints: { api: apiUrl, ...endpoints },
    outputs: model.outputs,
    stripeWebhookSecret: stripe.webhookSecret,
  });

  log(`ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  return {
    urls: { api: apiUrl, smtp: { host: HOST, port: smtpPort }, ...endpoints },
    model,
    functions,
    sqs,
    sfn,
    outbox,
    sweeper,
    console: site,
    iam,
    awsCalls: () => new Map([...storage.dynamoProxy.calls, ...aws.calls]),
    writeUnits: () => new Map(storage.dynamoProxy.writeUnits),
    stop: async () => {
      writeIamUsage(dataDir, iam);
      for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
      dynamoClient.destroy();
      s3Client.destroy();
    },
  };
}

/** Synthesizes the app for this data folder: its generated key sets go into the template, as deploy's secrets would. */
function synthesizeLocally(dataDir: string, context: Record<string, unknown> | undefined, log: Log): Template {
  const startedAt = performance.now();
  log('synthesizing the CDK app…');
  const template = synthesizeTemplate({
    localPseudonymKeys: localKeySet(dataDir, 'pseudonym-keys.json'),
    localNoticeLinkKeys: localKeySet(dataDir, 'notice-link-keys.json'),
    ...context,
  });
  log(`synthesized in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  return template;
}

/** The SQS, Step Functions and SES endpoint, listening before its services exist: queue URLs carry its address. */
async function startAwsEndpoint(
  services: Partial<AwsServices>,
  port: number,
  log: Log,
  closers: Closer[],
): Promise<{ url: string; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  const server = createAwsEndpoint(services as AwsServices, log, calls);
  return { url: `http://${HOST}:${await listen(server, port, closers)}`, calls };
}

/** The template's IAM, as every local endpoint enforces it. */
function enforcedIam(template: Template, model: LocalModel, mode: IamMode, log: Log): LocalIam {
  const iam = new LocalIam(template, model.resolver, mode, log);
  log(`IAM at the local endpoints: ${mode}${mode === 'enforce' ? ' (LOCAL_IAM=soft to log denials without refusing, off to skip)' : ''}`);
  return iam;
}

/** dynalite in its own process on a private port, behind the proxy that adds transactions and IAM. */
async function startDynamoDb(
  dataDir: string,
  iam: LocalIam,
  port: number,
  log: Log,
  closers: Closer[],
  indexLagMs?: number,
): Promise<{ url: string; proxy: DynamoDbProxy }> {
  const store = await startDynaliteProcess(path.join(dataDir, 'dynamodb'), log);
  closers.push(() => store.stop());
  const proxy = new DynamoDbProxy(store.url, iam, { indexLagMs });
  const server = http.createServer(proxy.listener());
  const url = `http://${HOST}:${await listen(server, port)}`;
  closers.push(async () => {
    await close(server);
    proxy.close();
  });
  return { url, proxy };
}

/** s3rver on a private port with the template's buckets, behind the gateway that authorizes each request. */
async function startS3(
  dataDir: string,
  buckets: LocalModel['buckets'],
  iam: LocalIam,
  port: number,
  log: Log,
  closers: Closer[],
): Promise<string> {
  const directory = path.join(dataDir, 's3');
  fs.mkdirSync(directory, { recursive: true });
  const s3rver = new S3rver({
    port: 0,
    address: HOST,
    directory,
    silent: true,
    configureBuckets: buckets.map((b) => ({ name: b.name, configs: [] })),
  });
  const s3rverAddress = (await s3rver.run()) as AddressInfo;
  closers.push(() => s3rver.close());
  const gateway = createS3Gateway(`http://${HOST}:${s3rverAddress.port}`, iam, log);
  return `http://${HOST}:${await listen(gateway, port, closers)}`;
}

/** DynamoDB and S3 with the template's tables' home and buckets, and this process's clients of them. */
async function startStorage(
  dataDir: string,
  model: LocalModel,
  iam: LocalIam,
  ports: { dynamodb: number; s3: number },
  log: Log,
  closers: Closer[],
  indexLagMs?: number,
): Promise<{
  endpoints: Pick<ServiceEndpoints, 'dynamodb' | 's3'>;
  dynamoProxy: DynamoDbProxy;
  dynamoClient: DynamoDBClient;
  s3Client: S3Client;
}> {
  const dynamo = await startDynamoDb(dataDir, iam, ports.dynamodb, log, closers, indexLagMs);
  const s3Url = await startS3(dataDir, model.buckets, iam, ports.s3, log, closers);
  return {
    endpoints: { dynamodb: dynamo.url, s3: s3Url },
    dynamoProxy: dynamo.proxy,
    dynamoClient: new DynamoDBClient({ endpoint: dynamo.url, region: LOCAL_REGION }),
    s3Client: new S3Client({ endpoint: s3Url, region: LOCAL_REGION, forcePathStyle: true }),
  };
}

/**
 * Points this process's AWS clients (table creation, the TTL sweeper, SES's S3 writes, ops tools) at the
 * local endpoints with the documented administrator keys; returns the endpoint variables functions get.
 */
function useLocalAws(endpoints: ServiceEndpoints): Record<string, string> {
  const endpointVariables = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.aws,
    AWS_ENDPOINT_URL_SFN: endpoints.aws,
    AWS_ENDPOINT_URL_SESV2: endpoints.aws,
  };
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // s3rver checks signatures against its fixed key pair; dynalite and the emulators accept any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    ...endpointVariables,
    OMNAPI_LOCAL: 'true',
  });
  return endpointVariables;
}

/** Log settings a developer gives the runtime reach the functions; nothing else of its environment does. */
function developerLogSettings(): Record<string, string> {
  return Object.fromEntries(
    ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_DEV'].filter((name) => process.env[name]).map((name) => [name, process.env[name]!]),
  );
}

/** The state machines, whose tasks invoke the functions with the machine's own role. */
function stepFunctions(model: LocalModel, functions: LocalFunctions, dataDir: string, log: Log): LocalStepFunctions {
  const functionIdOf = (arnOrName: string) =>
    [...model.functions.values()].find((f) => f.arn === arnOrName || f.name === arnOrName)?.logicalId ?? arnOrName;
  const machineRoles = new Map(model.stateMachines.map((m) => [m.arn, m.roleId]));
  return new LocalStepFunctions(
    model.stateMachines,
    (arn, payload, machineArn) => functions.invoke(functionIdOf(arn), payload, { principal: machineRoles.get(machineArn) ?? machineArn }),
    log,
    path.join(dataDir, 'sfn'),
  );
}

/** Lambda's asynchronous invocation: accepted at once, retried twice (delays scaled), then sent to the function's dead-letter queue. */
function asyncInvoker(functions: LocalFunctions, iam: LocalIam, sqs: LocalSqs, scale: number, log: Log): InvokeAsync {
  const deadLetter = async (functionId: string, event: unknown, lastError: Error | undefined) => {
    const fn = functions.get(functionId);
    const deadLetterArn = fn.deadLetterArn;
    if (!deadLetterArn) return;
    // Lambda sends to the dead-letter queue with the function's role.
    try {
      await iam.authorize(fn.roleId, [
        { action: 'sqs:SendMessage', resource: deadLetterArn },
        ...iam.kmsRequests(deadLetterArn, ['kms:GenerateDataKey', 'kms:Decrypt']),
      ]);
    } catch (error) {
      return log(`${functionId}: the event is lost, its dead-letter queue refused it: ${(error as Error).message}`);
    }
    sqs.sendMessage(sqs.urlOfArn(deadLetterArn), JSON.stringify(event), {
      ErrorCode: { DataType: 'String', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: lastError?.message ?? 'unknown' },
    });
  };
  return (functionId, event) => {
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
      await deadLetter(functionId, event, lastError);
    })();
    return Promise.resolve({ StatusCode: 202 });
  };
}

/**
 * SES's reports of sent mail: the mailbox simulator's bounces and complaints go to the configuration set's
 * SNS destination, and SNS invokes each subscribed function asynchronously (checked against its Lambda permission).
 */
function sesFeedbackReporter(
  model: LocalModel,
  functions: LocalFunctions,
  iam: LocalIam,
  invokeAsync: InvokeAsync,
  log: Log,
): AwsServices['sesFeedback'] {
  return (sent, messageId) => {
    const recipients = [
      ...(sent.Destination?.ToAddresses ?? []),
      ...(sent.Destination?.CcAddresses ?? []),
      ...(sent.Destination?.BccAddresses ?? []),
    ];
    for (const recipient of recipients) {
      const kind = simulatedFeedback(recipient);
      if (!kind || !sent.ConfigurationSetName) continue;
      for (const destination of model.sesEventDestinations.filter(
        (d) => d.configurationSet === sent.ConfigurationSetName && d.events.includes(kind),
      )) {
        const message = sesEventOf(kind, recipient, {
          messageId,
          source: String(sent.FromEmailAddress ?? ''),
          configurationSet: destination.configurationSet,
        });
        // SES publishes to the topic as the configuration set (topic policy, and the topic's key), then SNS invokes each subscriber.
        const source = {
          'aws:SourceAccount': LOCAL_ACCOUNT,
          'aws:SourceArn': `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT}:configuration-set/${destination.configurationSet}`,
        };
        const published = iam.authorize('ses.amazonaws.com', [
          { action: 'sns:Publish', resource: destination.topicArn, context: source },
          ...iam.kmsRequests(destination.topicArn, ['kms:GenerateDataKey', 'kms:Decrypt'], source),
        ]);
        for (const functionId of destination.functionIds) {
          const caller = { principal: 'sns.amazonaws.com', sourceArn: destination.topicArn };
          published
            .then(() => authorizeInvoke(iam, functions.get(functionId).arn, caller))
            .then(() => invokeAsync(functionId, snsEventOf(destination.topicArn, `${destination.topicArn}:${functionId}`, message)))
            .catch((error: Error) => log(`SES ${kind} report for ${functionId} refused: ${error.message}`));
        }
        // A refusal is logged where it is decided; with no subscriber, nothing else would take the rejection.
        published.catch(() => undefined);
      }
    }
  };
}

/** Lambda's SQS pollers: they read, delete and decrypt with the function's role. */
function startPollers(
  model: LocalModel,
  functions: LocalFunctions,
  iam: LocalIam,
  sqs: LocalSqs,
  pollers: number | undefined,
  log: Log,
): void {
  sqs.startPolling(model.eventSources, (functionId, event) => functions.invoke(functionId, event), log, {
    pollers,
    authorizePoll: (source, queueArn) =>
      iam.authorize(functions.get(source.functionId).roleId, [
        ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({ action, resource: queueArn })),
        ...iam.kmsRequests(queueArn, ['kms:Decrypt']),
      ]),
  });
}

/** EventBridge schedules: each rule's function, invoked with a scheduled event as the rule, every `intervalOf(schedule)`. */
function startSchedules(
  model: LocalModel,
  functions: LocalFunctions,
  intervalOf: (schedule: LocalSchedule) => number,
  log: Log,
  closers: Closer[],
): void {
  for (const schedule of model.schedules) {
    const ruleArn = model.resolver.resolve({ 'Fn::GetAtt': [schedule.ruleId, 'Arn'] }) as string;
    const timer = setInterval(() => {
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date().toISOString(),
        region: LOCAL_REGION,
        resources: [ruleArn],
        detail: {},
      };
      functions
        .invoke(schedule.functionId, event, {
          principal: 'events.amazonaws.com',
          sourceArn: ruleArn,
        })
        .catch((error: Error) => log(`scheduled ${schedule.functionId} failed: ${error.message}`));
    }, intervalOf(schedule));
    timer.unref();
    closers.push(async () => clearInterval(timer));
  }
}

/** SES receiving: the SMTP listener that runs the receipt rules' actions, as SES (ses.amazonaws.com) would. */
async function startSmtp(
  model: LocalModel,
  iam: LocalIam,
  functions: LocalFunctions,
  invokeAsync: InvokeAsync,
  s3Client: S3Client,
  port: number,
  log: Log,
  closers: Closer[],
): Promise<number> {
  const smtp: SMTPServer = createSmtpServer({
    rules: model.receiptRules,
    putObject: async (bucket, key, body, ruleArn) => {
      const objectArn = `arn:aws:s3:::${bucket}/${key}`;
      const source = { 'aws:SourceAccount': LOCAL_ACCOUNT, ...(ruleArn ? { 'aws:SourceArn': ruleArn } : {}) };
      await iam.authorize('ses.amazonaws.com', [
        { action: 's3:PutObject', resource: objectArn, context: { ...source, 's3:TlsVersion': '1.3' } },
        ...iam.kmsRequests(objectArn, ['kms:GenerateDataKey'], source),
      ]);
      await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    invoke: async (functionId, event, invocationType, ruleArn) => {
      const caller = { principal: 'ses.amazonaws.com', sourceArn: ruleArn };
      if (invocationType === 'RequestResponse') return functions.invoke(functionId, event, caller);
      // An asynchronous invocation is authorized when it is accepted, not when it runs.
      await authorizeInvoke(iam, functions.get(functionId).arn, caller);
      return invokeAsync(functionId, event);
    },
    log,
  });
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(port, HOST, () => resolve((smtp.server.address() as AddressInfo).port));
  });
  closers.push(() => new Promise((resolve) => smtp.close(() => resolve(undefined))));
  return smtpPort;
}

/**
 * The webhook signing secret functions are given, and — with no Stripe key — Stripe's test mode as this
 * runtime plays it, which the billing functions then talk to.
 */
function localStripe(
  model: LocalModel,
  apiUrl: string,
  dataDir: string,
  log: Log,
): { webhookSecret?: string; testMode?: LocalStripeTestMode } {
  const environment = [...model.functions.values()].find((fn) => fn.environment.STRIPE_WEBHOOK_SECRET)?.environment;
  const webhookSecret = environment?.STRIPE_WEBHOOK_SECRET;
  if (!webhookSecret || environment.STRIPE_SECRET_KEY !== LOCAL_TEST_MODE_KEY) return { webhookSecret };
  return { webhookSecret, testMode: new LocalStripeTestMode({ apiUrl, webhookSecret, dataDir, log }) };
}

/**
 * A request the API's port receives before the platform serves (it listens first, for the functions'
 * links): answered at once, 503 with Retry-After, never left waiting for a listener that is not there.
 */
function answerWhileStarting(request: http.IncomingMessage, response: http.ServerResponse): void {
  request.resume();
  const { status, headers, body } = errorAnswer(503, 'starting', 'The local platform is starting: try again in a few seconds.');
  response.writeHead(status, { ...headers, 'retry-after': '5' }).end(body);
}

/** The API's port: Stripe's local test-mode pages, then the console's files, then the HTTP API. */
function serveRequests(
  gateway: http.Server,
  handlers: { api: http.RequestListener; site?: ConsoleServer; testMode?: LocalStripeTestMode },
): void {
  const { api, site, testMode } = handlers;
  gateway.off('request', answerWhileStarting);
  gateway.on('request', (request, response) => {
    const pathname = pathOf(request.url);
    if (testMode && pathname !== undefined && testMode.serves(pathname)) return void testMode.handle(request, response, pathname);
    if (site && pathname !== undefined && site.serves(pathname)) return site.handle(request, response, pathname);
    api(request, response);
  });
}

/** Whether a caller may invoke a function: a service by the function's Lambda permissions, a role by its policies. */
function authorizeInvoke(iam: LocalIam, functionArn: string, caller: InvokeCaller): Promise<void> {
  const context = isServicePrincipal(caller.principal)
    ? { 'aws:SourceAccount': LOCAL_ACCOUNT, ...(caller.sourceArn ? { 'aws:SourceArn': caller.sourceArn } : {}) }
    : undefined;
  return iam.authorize(caller.principal, [{ action: 'lambda:InvokeFunction', resource: functionArn, context }]);
}

/** The file `npm run iam:unused` reads: every distinct decision of this run. */
export const IAM_USAGE_FILE = 'iam-usage.json';

function writeIamUsage(dataDir: string, iam: LocalIam): void {
  const usage = JSON.stringify({ mode: iam.mode, records: [...iam.records.values()] });
  fs.writeFileSync(path.join(dataDir, IAM_USAGE_FILE), usage);
  const reportDir = process.env.OMNAPI_IAM_REPORT_DIR;
  if (reportDir) {
    fs.mkdirSync(reportDir, { recursive: true });
    fs.writeFileSync(path.join(reportDir, `${Date.now()}-${process.pid}-${randomUUID().slice(0, 8)}.json`), usage);
  }
}

async function createTables(client: DynamoDBClient, model: LocalModel): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
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
 * A key set of this data folder (the pseudonym keys, the unsubscribe-link keys): generated once (as
 * deploy generates the secret) and kept, so pseudonyms and mailed links stay valid across restarts;
 * beside the data, never committed.
 */
function localKeySet(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (!fs.existsSync(file))
    fs.writeFileSync(file, JSON.stringify({ current: 1, k1: randomBytes(32).toString('base64url') }), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

function writeResourceMap(dataDir: string, map: ResourceMap): void {
  const file = path.join(dataDir, RESOURCE_MAP_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(map, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** Listens on the port (0: any free one) and returns it; with closers, the server closes with the runtime. */
async function listen(server: http.Server, port: number, closers?: Closer[]): Promise<number> {
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve((server.address() as AddressInfo).port));
  });
  closers?.push(() => close(server));
  return bound;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
