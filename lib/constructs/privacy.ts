import { ArnFormat, type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { z } from 'zod';
import { DeadlinesSchema } from '../../lambdas/privacy/deadlines-schema';
import { REQUEST_TYPES, type RequestType } from '../../lambdas/privacy/domain/model';
import { CATALOGUE_FILES } from '../../lambdas/privacy/messages/locales';
import { privacyRoutes } from '../../lambdas/privacy/routes';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import { type FunctionDefaults, OmnApiFunction, type TableAccess } from './omnapi-function';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { keySetSecret } from './shared/key-set';
import { emfMetric } from './shared/metrics';
import { routeFunctions } from './shared/route-functions';
import { secureBucket } from './shared/secure-bucket';
import { integerIn, parseSettings } from './shared/settings';
import { BUCKET_LIFETIME_DAYS } from '../../lambdas/shared/data-map';

/** The privacy workflow's clocks: their rules and defaults, stated once (the stage config's `privacy` is this schema). */
export const PrivacyClocksSchema = z
  .object({
    /** How long a mailed confirmation link works. @default 72 */
    linkLifeHours: z
      .number()
      .positive()
      .max(24 * 14)
      .default(72),
    /** When the one reminder about an unused link goes out; before the link expires. @default 36 */
    reminderAfterHours: z.number().positive().default(36),
    /** How often the watchdog runs. @default 15 */
    watchdogMinutes: integerIn(1, 1440).default(15),
    /** How long a confirmed deletion waits, cancellable, before anything is erased. @default 24 */
    coolingOffHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
    /** Days to answer a request, by the account's country (e.g. `{"days":30,"byCountry":{"BR":15}}`). @default 30 days everywhere */
    deadlines: DeadlinesSchema.default({ days: 30, byCountry: {} }),
  })
  .prefault({})
  .superRefine(({ reminderAfterHours, linkLifeHours }, ctx) => {
    if (reminderAfterHours >= linkLifeHours)
      ctx.addIssue({
        code: 'custom',
        path: ['reminderAfterHours'],
        message: `must be less than linkLifeHours (${linkLifeHours}), got ${reminderAfterHours}: the reminder would come after the link expired`,
      });
  });

export interface PrivacyProps extends Readonly<NonNullable<z.input<typeof PrivacyClocksSchema>>> {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly accessLogs: s3.IBucket;
  readonly mailFrom: string;
  /** Base URL of the links in mail. */
  readonly publicUrl: string;
  /** The Stripe secret the workflow reads to delete a customer (deployed stages). */
  readonly stripeSecret?: secretsmanager.ISecret;
  /** Locally, the Stripe keys as variables instead. */
  readonly stripeEnvironment?: Record<string, string>;
  /**
   * The pseudonym key set given directly (JSON `{"current":1,"k1":"…"}`), for the local runtime only,
   * which generates it under its data folder. @default a Secrets Manager secret generated at deploy
   */
  readonly localPseudonymKeys?: string;
  /** Keep the pseudonym key set when the stack is deleted (without it, kept pseudonyms can never be looked up). @default false */
  readonly retainData?: boolean;
}

/** Where the workflow will be, by a fixed name: functions are granted on it without a dependency cycle (the machine invokes them). */
interface WorkflowAddress {
  readonly name: string;
  readonly arn: string;
}

function workflowAddress(scope: Construct): WorkflowAddress {
  const stack = Stack.of(scope);
  const name = `${stack.stackName}-privacy-workflow`;
  return {
    name,
    arn: stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

const WORKFLOW_ACTIONS = {
  start: ['states:StartExecution'],
  callBack: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
} as const;

/** Lets a function start executions of the workflow, or answer its waiting tasks. */
function allowOnWorkflow(fn: OmnApiFunction, workflow: WorkflowAddress, use: keyof typeof WORKFLOW_ACTIONS): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...WORKFLOW_ACTIONS[use]], resources: [workflow.arn] }));
}

/** What every privacy function that is not a route's is built with. */
interface PrivacyFunctionBase {
  readonly defaults: FunctionDefaults;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly mailFrom: string;
  /** The settings every privacy function reads: links, clocks, the workflow's ARN. */
  readonly environment: Record<string, string>;
}

interface PrivacyFunctionSpec {
  readonly id: string;
  /** Its file under `lambdas/privacy/handlers/`. */
  readonly handler: string;
  readonly description: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly tables: Partial<Record<TableName, TableAccess>>;
}

/** A privacy function with the privacy settings, granted the tables its spec names and sending from the stage's identity. */
function privacyFunction(scope: Construct, base: PrivacyFunctionBase, spec: PrivacyFunctionSpec): OmnApiFunction {
  const fn = new OmnApiFunction(scope, spec.id, {
    ...base.defaults,
    entry: `lambdas/privacy/handlers/${spec.handler}.ts`,
    description: spec.description,
    serviceName: 'privacy',
    timeout: spec.timeout ?? Duration.seconds(30),
    memorySize: spec.memorySize,
    environment: base.environment,
    // Every privacy function may write a reply: each language's catalogue is read, when first needed, from beside the bundle.
    besideBundle: CATALOGUE_FILES,
  });
  for (const [table, grant] of Object.entries(spec.tables) as [TableName, TableAccess][]) fn.bindTable(table, base.tables[table], grant);
  return fn.bindMailSender(base.mailFrom);
}

/**
 * Privacy rights: the queue privacy@ mail arrives on, the request API and link pages, the Standard
 * Step Functions workflow that confirms and fulfils each request, its watchdog, and the KMS bucket
 * exports land in (deleted after 7 days).
 */
export class Privacy extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly exportBucket: s3.Bucket;
  /** Privacy mail the inbound-mail function hands over. */
  public readonly mailQueue: sqs.Queue;
  public readonly mailDlq: sqs.Queue;
  /** Watchdog runs EventBridge could not deliver. */
  public readonly watchdogDlq: sqs.Queue;
  public readonly functions: Record<string, OmnApiFunction>;
  /** The legal clock, as the watchdog reports it every pass (EMF, namespace OmnAPI). */
  public readonly clockMetrics: Record<'PrivacyDeadlineNear' | 'PrivacyOverdue' | 'PrivacyRequestStuck', cloudwatch.Metric>;
  /** The keys pseudonyms are made with (absent locally, where the key set is in the template). */
  public readonly pseudonymKeys?: secretsmanager.Secret;
  /** Runs the workflow's steps: it erases, so it is the one function granted every table. */
  public readonly workflowFunction: OmnApiFunction;

  constructor(scope: Construct, id: string, props: PrivacyProps) {
    super(scope, id);
    const clocks = parseSettings('Privacy', PrivacyClocksSchema, props);
    const workflow = workflowAddress(this);
    // Whole seconds, at least one: the functions' COOLING_OFF_SECONDS and the workflow's wait are the same span.
    const coolingOff = Duration.seconds(Math.max(1, Math.round(clocks.coolingOffHours * 3600)));
    const coolingOffSeconds = String(coolingOff.toSeconds());
    const base: PrivacyFunctionBase = {
      defaults: props.defaults,
      tables: props.tables,
      mailFrom: props.mailFrom,
      environment: {
        PUBLIC_URL: props.publicUrl,
        LINK_LIFE_HOURS: String(clocks.linkLifeHours),
        PRIVACY_DEADLINES: JSON.stringify(clocks.deadlines),
        REMINDER_AFTER_HOURS: String(clocks.reminderAfterHours),
        STATE_MACHINE_PRIVACY_WORKFLOW_ARN: workflow.arn,
      },
    };

    this.exportBucket = secureBucket(this, 'Exports', {
      key: props.defaults.key,
      accessLogs: props.accessLogs,
      retainData: false,
      expireAfterDays: BUCKET_LIFETIME_DAYS.exports,
    });
    this.functions = this.requestApi(props.api, base, workflow, coolingOffSeconds);
    const mail = this.mailIntake(base, workflow, coolingOffSeconds);
    this.mailQueue = mail.queue;
    this.mailDlq = mail.dlq;
    const steps = this.workflowSteps(base, workflow, coolingOffSeconds, props);
    this.workflowFunction = steps.fn;
    this.pseudonymKeys = steps.pseudonymKeys;
    const watchdog = this.watchdog(base, workflow, coolingOffSeconds, clocks.watchdogMinutes);
    this.watchdogDlq = watchdog.dlq;
    this.clockMetrics = watchdog.clockMetrics;
    this.stateMachine = this.workflow(workflow, steps.fn, clocks.linkLifeHours, coolingOff, props.defaults);
  }

  /** The raw mail of erased tickets is deleted with them (every version), never read or written. */
  bindInboundMail(bucket: s3.Bucket): void {
    this.workflowFunction.bindBucket('inboundMail', bucket, 'inbound/', 'erase');
  }

  /** The request API and the link pages: a signed-in holder's requests, the confirmation and cancel links, the download link. */
  private requestApi(
    api: Api,
    base: PrivacyFunctionBase,
    workflow: WorkflowAddress,
    coolingOffSeconds: string,
  ): Record<string, OmnApiFunction> {
    const functions = routeFunctions(this, {
      defaults: base.defaults,
      api,
      context: 'privacy',
      manifest: privacyRoutes,
      tables: base.tables,
      mailFrom: base.mailFrom,
      handlers: {
        requests: {
          description: "The signed-in holder's privacy requests, and the mailed download link",
          tables: { sessions: 'read', privacyRequests: 'readWrite', accounts: 'read' },
          sendsMail: true,
          environment: base.environment,
          besideBundle: CATALOGUE_FILES,
        },
        confirm: {
          description:
            'The confirmation and cancel links: what will happen (a page, or JSON for the console), and the POSTs that confirm or cancel',
          // The ledger, read: a deletion's page tells the paid credits it loses before it is confirmed.
          tables: { privacyRequests: 'readWrite', accounts: 'read', ledger: 'read' },
          sendsMail: true,
          environment: { ...base.environment, COOLING_OFF_SECONDS: coolingOffSeconds },
          besideBundle: CATALOGUE_FILES,
        },
      },
    });
    functions.requests!.bindBucket('exports', this.exportBucket, 'exports/', 'read');
    allowOnWorkflow(functions.requests!, workflow, 'start');
    allowOnWorkflow(functions.requests!, workflow, 'callBack');
    allowOnWorkflow(functions.confirm!, workflow, 'callBack');
    return functions;
  }

  /** privacy@ mail: the queue the inbound-mail function hands it to (with its DLQ), and the function that makes requests of it. */
  private mailIntake(
    base: PrivacyFunctionBase,
    workflow: WorkflowAddress,
    coolingOffSeconds: string,
  ): { queue: sqs.Queue; dlq: sqs.Queue } {
    const dlq = new sqs.Queue(this, 'MailDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: base.defaults.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(dlq);
    const queue = new sqs.Queue(this, 'MailQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: base.defaults.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
    const intake = privacyFunction(this, base, {
      id: 'MailIntake',
      handler: 'mail-intake',
      description: 'Turns privacy@ mail into privacy requests: classify, find the account, confirm through its registered address',
      // The ledger, read: a letter that joins a request still waiting for its link mails a fresh one, which tells a deletion's paid credits.
      tables: { privacyRequests: 'readWrite', accounts: 'read', ledger: 'read' },
    });
    intake.addEnvironment('COOLING_OFF_SECONDS', coolingOffSeconds);
    allowOnWorkflow(intake, workflow, 'start');
    intake.consumeQueue(queue, { batchSize: 5, reportBatchItemFailures: true });
    Validations.of(intake).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS mappings take no on-failure destination; failed messages stay on the queue and its redrive policy parks them in the DLQ.',
    });
    return { queue, dlq };
  }

  /** The function that runs the workflow's steps, and the keys of the pseudonyms erasure keeps. */
  private workflowSteps(
    base: PrivacyFunctionBase,
    workflow: WorkflowAddress,
    coolingOffSeconds: string,
    props: PrivacyProps,
  ): { fn: OmnApiFunction; pseudonymKeys?: secretsmanager.Secret } {
    // The workflow's tasks export and erase everywhere the data map points: every table, read and write, and
    // scanned (the erasure's proof reads each whole table but the usage logs, kept under their account alone).
    const fn = privacyFunction(this, base, {
      id: 'WorkflowSteps',
      handler: 'workflow',
      description: "Runs the privacy workflow's steps: confirmation, export, erasure, proof, receipts",
      timeout: Duration.minutes(15),
      memorySize: 1024,
      tables: {
        privacyRequests: 'readWriteScan',
        accounts: 'readWriteScan',
        sessions: 'readWriteScan',
        tokens: 'readWriteScan',
        apiKeys: 'readWriteScan',
        ledger: 'readWriteScan',
        usageLogs: 'readWrite',
        usageAggregates: 'readWriteScan',
        securityEvents: 'readWriteScan',
        tickets: 'readWriteScan',
        webhookEvents: 'readWriteScan',
        // The one role that may delete audit events: erasure moves an account's stream under its pseudonym.
        auditEvents: 'readWriteScan',
        // Read by the erasure proof only: notices and the suppression list (bound with the mail) hold hashes, never the person.
        notices: 'readScan',
      },
    }).bindBucket('exports', this.exportBucket, 'exports/', 'readWrite');
    // The proof scans the suppression list too, which the mail binding lets every sender read by key only.
    const suppressions = base.defaults.mailDelivery?.suppressions;
    if (suppressions) fn.bindTable('suppressions', suppressions, 'readScan');
    const pseudonymKeys = this.bindPseudonymKeys(fn, props);
    fn.addEnvironment('COOLING_OFF_SECONDS', coolingOffSeconds);
    for (const [name, value] of Object.entries(props.stripeEnvironment ?? {})) fn.addEnvironment(name, value);
    if (props.stripeSecret) fn.bindSecret('stripe', props.stripeSecret);
    // Rarely used, never idle: a step that stores its task token resumes the execution itself when the
    // confirmation (or the end of a hold) came first and could not (iam:unused lists it as unused).
    allowOnWorkflow(fn, workflow, 'callBack');
    return { fn, pseudonymKeys };
  }

  /**
   * The watchdog and its schedule: it reminds about unused links, expires dead ones, resumes deletions
   * whose holds cleared, and reports the legal clock (the metrics the alarms watch).
   */
  private watchdog(
    base: PrivacyFunctionBase,
    workflow: WorkflowAddress,
    coolingOffSeconds: string,
    everyMinutes: number,
  ): { dlq: sqs.Queue; clockMetrics: Privacy['clockMetrics'] } {
    const watchdog = privacyFunction(this, base, {
      id: 'Watchdog',
      handler: 'watchdog',
      description: 'Reminds about unused confirmation links, expires dead ones, resumes deletions whose holds cleared',
      tables: { privacyRequests: 'readWrite', accounts: 'read', ledger: 'read' },
    });
    // Its reminders repeat a deletion's terms: the cooling-off among them.
    watchdog.addEnvironment('COOLING_OFF_SECONDS', coolingOffSeconds);
    allowOnWorkflow(watchdog, workflow, 'callBack');
    const key = base.defaults.key;
    const dlq = new sqs.Queue(this, 'WatchdogDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(dlq, 'the watchdog schedule (EventBridge)');
    // A fixed name: the key policy below names the rule's ARN without a reference (which would be a cycle through the key).
    const scheduleName = `${Stack.of(this).stackName}-privacy-watchdog`;
    new events.Rule(this, 'WatchdogSchedule', {
      ruleName: scheduleName,
      description: 'Runs the privacy watchdog',
      schedule: events.Schedule.rate(Duration.minutes(everyMinutes)),
      targets: [new targets.LambdaFunction(watchdog, { retryAttempts: 2, deadLetterQueue: dlq })],
    });
    // EventBridge encrypts what it parks in the dead-letter queue with the queue's key: the key policy lets
    // it, for this rule only (without it the DLQ could never receive a failed run; the deploy rehearsal found it).
    key?.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: scheduleName }) },
        },
      }),
    );
    const clockMetric = (metricName: string) =>
      emfMetric(metricName, 'privacy', { statistic: 'Maximum', period: Duration.minutes(Math.max(5, everyMinutes)) });
    return {
      dlq,
      clockMetrics: {
        PrivacyDeadlineNear: clockMetric('PrivacyDeadlineNear'),
        PrivacyOverdue: clockMetric('PrivacyOverdue'),
        PrivacyRequestStuck: clockMetric('PrivacyRequestStuck'),
      },
    };
  }

  /** The Standard state machine at the workflow's fixed address, running its steps on `workflowFn`. */
  private workflow(
    address: WorkflowAddress,
    workflowFn: OmnApiFunction,
    linkLifeHours: number,
    coolingOff: Duration,
    defaults: FunctionDefaults,
  ): sfn.StateMachine {
    const stateMachine = new sfn.StateMachine(this, 'Workflow', {
      stateMachineName: address.name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(workflowFn, linkLifeHours, coolingOff)),
      // A request is answered within its deadline (one month, extensible to three); a deletion deferred by
      // a long legal hold may wait longer, up to Standard's one-year limit.
      timeout: Duration.days(365),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'WorkflowLogs', {
          encryptionKey: defaults.key,
          retention: defaults.logRetention ?? logs.RetentionDays.ONE_MONTH,
          removalPolicy: defaults.logRemovalPolicy ?? RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    Validations.of(stateMachine.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'CloudWatch Logs delivery and X-Ray actions support no resource-level permissions.' },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((workflowFn.node.defaultChild as CfnResource).logicalId)}.Arn>:*]`,
        reason: "Invoking any version or alias of the workflow's own task function.",
      },
    );
    return stateMachine;
  }

  /**
   * The secret key of the pseudonyms erasure leaves (shared/pseudonyms.ts): a key set generated at
   * deploy, read by the workflow only. Rotation adds a version (`k2`, `current: 2`) by hand and keeps
   * the old ones, so records kept under them stay resolvable for a legal-hold lookup; automatic
   * rotation would replace the key and make them unresolvable.
   */
  private bindPseudonymKeys(fn: OmnApiFunction, props: PrivacyProps): secretsmanager.Secret | undefined {
    if (props.localPseudonymKeys) {
      fn.addEnvironment('PSEUDONYM_KEYS', props.localPseudonymKeys);
      return undefined;
    }
    const secret = keySetSecret(this, 'PseudonymKeys', {
      description: 'the HMAC keys of the pseudonyms erasure keeps (ledger, answered privacy requests)',
      key: props.defaults.key,
      retainData: props.retainData,
      whyVersionsStay: 'the old versions must stay, or pseudonyms kept for the law could never be looked up again.',
    });
    fn.bindSecret('pseudonymKeys', secret);
    return secret;
  }

  /**
   * Begin → (mail requests) wait for the link, expiring with it → in progress → by type: export and
   * deliver (access, portability), erase (deletion: held, then cooled off first), apply or hand to a
   * person (correction, objection). Every task retries with backoff; anything that still fails marks
   * the request failed and fails the execution (alarmed).
   */
  private definition(workflowFn: OmnApiFunction, linkLifeHours: number, coolingOff: Duration): sfn.IChainable {
    const markFailed = new tasks.LambdaInvoke(this, 'MarkFailed', {
      lambdaFunction: workflowFn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        step: 'fail',
        'requestId.$': '$.requestId',
        'error.$': '$.error.Error',
        'cause.$': '$.error.Cause',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(
      new sfn.Fail(this, 'Failed', {
        error: 'PrivacyRequestFailed',
        cause: 'A step failed after its retries; the request is marked failed',
      }),
    );
    const step = (id: string, name: string, resultPath: string = sfn.JsonPath.DISCARD) =>
      new tasks.LambdaInvoke(this, id, {
        lambdaFunction: workflowFn,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({ step: name, 'requestId.$': '$.requestId' }),
        resultPath,
      })
        .addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 })
        .addCatch(markFailed, { resultPath: '$.error' });

    const done = new sfn.Succeed(this, 'Done');
    const expire = step('Expire', 'expire').next(new sfn.Succeed(this, 'Expired'));
    const awaitConfirmation = new tasks.LambdaInvoke(this, 'AwaitConfirmation', {
      lambdaFunction: workflowFn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ step: 'await', 'requestId.$': '$.requestId', taskToken: sfn.JsonPath.taskToken }),
      taskTimeout: sfn.Timeout.duration(Duration.hours(linkLifeHours + 1)),
      resultPath: '$.confirmation',
    })
      .addCatch(expire, { errors: ['RequestExpired', 'States.Timeout'], resultPath: '$.error' })
      .addCatch(new sfn.Succeed(this, 'Closed'), { errors: ['RequestClosed'], resultPath: '$.error' })
      .addCatch(markFailed, { resultPath: '$.error' });

    const waitFor = (id: string, name: string, timeout: Duration) =>
      new tasks.LambdaInvoke(this, id, {
        lambdaFunction: workflowFn,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ step: name, 'requestId.$': '$.requestId', taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.duration(timeout),
        resultPath: sfn.JsonPath.DISCARD,
      });

    // Deletion: holds defer it (the watchdog resumes it once they clear), then a cancellable cooling-off
    // (its timeout is the way on), then access stops and every category is erased a page at a time.
    const erasePage = step('ErasePage', 'erase', '$.erase');
    // The proof re-scans the store a bounded part per step, so its time never grows past a step's limit.
    const prove = step('Prove', 'prove', '$.prove');
    prove.next(
      new sfn.Choice(this, 'MoreToProve?')
        .when(sfn.Condition.booleanEquals('$.prove.remaining', true), prove)
        .otherwise(step('Receipt', 'receipt').next(new sfn.Succeed(this, 'Erased'))),
    );
    const erasure = step('StopAccess', 'stopAccess')
      .next(erasePage)
      .next(new sfn.Choice(this, 'MoreToErase?').when(sfn.Condition.booleanEquals('$.erase.remaining', true), erasePage).otherwise(prove));
    const coolingOffWait = waitFor('CoolingOff', 'coolingOff', coolingOff)
      .addCatch(erasure, { errors: ['States.Timeout'], resultPath: '$.coolingOff' })
      .addCatch(new sfn.Succeed(this, 'Cancelled'), { errors: ['RequestCancelled'], resultPath: '$.error' })
      .addCatch(markFailed, { resultPath: '$.error' })
      .next(erasure);
    const checkHolds = step('CheckHolds', 'holds', '$.holds');
    // Released by the watchdog as soon as the holds clear, and re-checked daily regardless.
    const awaitHoldRelease = waitFor('AwaitHoldRelease', 'awaitHoldRelease', Duration.days(1))
      .addCatch(checkHolds, { errors: ['States.Timeout'], resultPath: sfn.JsonPath.DISCARD })
      .addCatch(markFailed, { resultPath: '$.error' });
    const deletion = checkHolds.next(
      new sfn.Choice(this, 'Held?')
        .when(sfn.Condition.booleanEquals('$.holds.held', true), awaitHoldRelease.next(checkHolds))
        .otherwise(coolingOffWait),
    );

    // One branch per request type, typed by REQUEST_TYPES: a new type does not compile until it has one.
    const exportBranch = step('Export', 'export').next(step('Deliver', 'deliver')).next(done);
    const branches: Record<RequestType, sfn.IChainable> = {
      access: exportBranch,
      portability: exportBranch,
      deletion,
      // Applied when unambiguous, else handed to a person inside the step (needs_manual_action).
      correction: step('Correct', 'correct').next(done),
      objection: step('Object', 'object').next(done),
    };
    const byBranch = new Map<sfn.IChainable, RequestType[]>();
    for (const type of REQUEST_TYPES) byBranch.set(branches[type], [...(byBranch.get(branches[type]) ?? []), type]);
    const routeByType = new sfn.Choice(this, 'RouteByType');
    for (const [branch, types] of byBranch) {
      const conditions = types.map((type) => sfn.Condition.stringEquals('$.begin.type', type));
      routeByType.when(conditions.length === 1 ? conditions[0]! : sfn.Condition.or(...conditions), branch);
    }
    const fulfil = step('Start', 'start').next(routeByType.otherwise(step('HandToPerson', 'handToPerson').next(done)));
    return step('Begin', 'begin', '$.begin').next(
      new sfn.Choice(this, 'Confirmed?')
        .when(sfn.Condition.booleanEquals('$.begin.confirmed', true), fulfil)
        .otherwise(awaitConfirmation.next(fulfil)),
    );
  }
}
