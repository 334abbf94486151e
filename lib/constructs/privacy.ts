import { ArnFormat, type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REQUEST_TYPES, type RequestType } from '../../lambdas/privacy/domain/model';
import { privacyRoutes } from '../../lambdas/privacy/routes';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import { type FunctionDefaults, OmnApiFunction, type TableAccess } from './omnapi-function';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { emfMetric } from './shared/metrics';
import { routeFunctions } from './shared/route-functions';
import { secureBucket } from './shared/secure-bucket';
import { BUCKET_LIFETIME_DAYS } from '../../lambdas/shared/data-map';

export interface PrivacyProps {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly accessLogs: s3.IBucket;
  readonly mailFrom: string;
  /** Base URL of the links in mail. */
  readonly publicUrl: string;
  /** How long a confirmation link works. */
  readonly linkLifeHours: number;
  /** When the one reminder about an unused link goes out. */
  readonly reminderAfterHours: number;
  /** How often the watchdog runs. */
  readonly watchdogMinutes: number;
  /** How long a confirmed deletion waits, cancellable, before anything is erased. */
  readonly coolingOffHours: number;
  /** Days to answer, by the account's country. @default 30 days everywhere */
  readonly deadlines?: { days: number; byCountry: Record<string, number> };
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
    const problems = [
      props.reminderAfterHours < props.linkLifeHours
        ? undefined
        : `reminderAfterHours (${props.reminderAfterHours}) must be less than linkLifeHours (${props.linkLifeHours})`,
    ].filter(Boolean);
    if (problems.length) throw new Error(`Privacy: ${problems.join('; ')}`);
    const { tables, defaults } = props;
    const key = defaults.key;

    this.exportBucket = secureBucket(this, 'Exports', {
      key,
      accessLogs: props.accessLogs,
      retainData: false,
      expireAfterDays: BUCKET_LIFETIME_DAYS.exports,
    });
    this.mailDlq = new sqs.Queue(this, 'MailDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.mailDlq);
    this.mailQueue = new sqs.Queue(this, 'MailQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.mailDlq, maxReceiveCount: 5 },
    });

    // A fixed name lets functions be granted SendTask* on it without a dependency cycle (the machine invokes them).
    const stateMachineName = `${Stack.of(this).stackName}-privacy-workflow`;
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const settings = {
      PUBLIC_URL: props.publicUrl,
      LINK_LIFE_HOURS: String(props.linkLifeHours),
      PRIVACY_DEADLINES: JSON.stringify(props.deadlines ?? { days: 30, byCountry: {} }),
      REMINDER_AFTER_HOURS: String(props.reminderAfterHours),
      STATE_MACHINE_PRIVACY_WORKFLOW_ARN: stateMachineArn,
    };
    const coolingOff = { COOLING_OFF_SECONDS: String(Math.max(1, Math.round(props.coolingOffHours * 3600))) };
    const canStart = (fn: OmnApiFunction) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
    const canCallBack = (fn: OmnApiFunction) =>
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachineArn] }),
      );
    const bind = (fn: OmnApiFunction, access: Partial<Record<TableName, TableAccess>>) => {
      for (const [table, grant] of Object.entries(access) as [TableName, TableAccess][]) fn.bindTable(table, tables[table], grant);
      return fn.bindMailSender(props.mailFrom);
    };
    const fn = (name: string, handler: string, description: string, timeout = Duration.seconds(30), memorySize?: number) =>
      new OmnApiFunction(this, name, {
        ...defaults,
        entry: `lambdas/privacy/handlers/${handler}.ts`,
        description,
        serviceName: 'privacy',
        timeout,
        memorySize,
        environment: settings,
      });

    this.functions = routeFunctions(this, {
      defaults,
      api: props.api,
      context: 'privacy',
      manifest: privacyRoutes,
      tables,
      mailFrom: props.mailFrom,
      handlers: {
        requests: {
          description: "The signed-in holder's privacy requests, and the mailed download link",
          tables: { sessions: 'read', privacyRequests: 'readWrite', accounts: 'read' },
          sendsMail: true,
          environment: settings,
        },
        confirm: {
          description:
            'The confirmation and cancel links: what will happen (a page, or JSON for the console), and the POSTs that confirm or cancel',
          // The ledger, read: a deletion's page tells the paid credits it loses before it is confirmed.
          tables: { privacyRequests: 'readWrite', accounts: 'read', ledger: 'read' },
          sendsMail: true,
          environment: { ...settings, ...coolingOff },
        },
      },
    });
    this.functions.requests!.bindBucket('exports', this.exportBucket, 'exports/', 'read');
    canStart(this.functions.requests!);
    canCallBack(this.functions.requests!);
    canCallBack(this.functions.confirm!);

    const intake = bind(
      fn(
        'MailIntake',
        'mail-intake',
        'Turns privacy@ mail into privacy requests: classify, find the account, confirm through its registered address',
      ),
      {
        privacyRequests: 'readWrite',
        accounts: 'read',
      },
    );
    canStart(intake);
    intake.addEventSource(new SqsEventSource(this.mailQueue, { batchSize: 5, reportBatchItemFailures: true }));
    Validations.of(intake).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS mappings take no on-failure destination; failed messages stay on the queue and its redrive policy parks them in the DLQ.',
    });

    // The workflow's tasks read every table the export covers (the data map's access paths).
    // The workflow's tasks export and erase everywhere the data map points: every table, read and write.
    const workflowFn = bind(
      fn(
        'WorkflowSteps',
        'workflow',
        "Runs the privacy workflow's steps: confirmation, export, erasure, proof, receipts",
        Duration.minutes(15),
        1024,
      ),
      {
        privacyRequests: 'readWrite',
        accounts: 'readWrite',
        sessions: 'readWrite',
        tokens: 'readWrite',
        apiKeys: 'readWrite',
        ledger: 'readWrite',
        usageLogs: 'readWrite',
        usageAggregates: 'readWrite',
        securityEvents: 'readWrite',
        tickets: 'readWrite',
        webhookEvents: 'readWrite',
        // The one role that may delete audit events: erasure moves an account's stream under its pseudonym.
        auditEvents: 'readWrite',
        // Read by the erasure proof only: notices and the suppression list (bound with the mail) hold hashes, never the person.
        notices: 'read',
      },
    ).bindBucket('exports', this.exportBucket, 'exports/', 'readWrite');
    this.pseudonymKeys = this.bindPseudonymKeys(workflowFn, props);
    workflowFn.addEnvironment('COOLING_OFF_SECONDS', coolingOff.COOLING_OFF_SECONDS);
    for (const [name, value] of Object.entries(props.stripeEnvironment ?? {})) workflowFn.addEnvironment(name, value);
    if (props.stripeSecret) workflowFn.bindSecret('stripe', props.stripeSecret);
    canCallBack(workflowFn);
    this.workflowFunction = workflowFn;

    const watchdog = bind(
      fn('Watchdog', 'watchdog', 'Reminds about unused confirmation links, expires dead ones, resumes deletions whose holds cleared'),
      {
        privacyRequests: 'readWrite',
        accounts: 'read',
        ledger: 'read',
      },
    );
    // Its reminders repeat a deletion's terms: the cooling-off among them.
    watchdog.addEnvironment('COOLING_OFF_SECONDS', coolingOff.COOLING_OFF_SECONDS);
    canCallBack(watchdog);
    this.watchdogDlq = new sqs.Queue(this, 'WatchdogDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.watchdogDlq, 'the watchdog schedule (EventBridge)');
    // A fixed name: the key policy below names the rule's ARN without a reference (which would be a cycle through the key).
    const scheduleName = `${Stack.of(this).stackName}-privacy-watchdog`;
    new events.Rule(this, 'WatchdogSchedule', {
      ruleName: scheduleName,
      description: 'Runs the privacy watchdog',
      schedule: events.Schedule.rate(Duration.minutes(props.watchdogMinutes)),
      targets: [new targets.LambdaFunction(watchdog, { retryAttempts: 2, deadLetterQueue: this.watchdogDlq })],
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
      emfMetric(metricName, 'privacy', { statistic: 'Maximum', period: Duration.minutes(Math.max(5, props.watchdogMinutes)) });
    this.clockMetrics = {
      PrivacyDeadlineNear: clockMetric('PrivacyDeadlineNear'),
      PrivacyOverdue: clockMetric('PrivacyOverdue'),
      PrivacyRequestStuck: clockMetric('PrivacyRequestStuck'),
    };

    this.stateMachine = new sfn.StateMachine(this, 'Workflow', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(workflowFn, props.linkLifeHours, props.coolingOffHours)),
      // A request is answered within its deadline (one month, extensible to three); a deletion deferred by
      // a long legal hold may wait longer, up to Standard's one-year limit.
      timeout: Duration.days(365),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'WorkflowLogs', {
          encryptionKey: key,
          retention: defaults.logRetention ?? logs.RetentionDays.ONE_MONTH,
          removalPolicy: defaults.logRemovalPolicy ?? RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    Validations.of(this.stateMachine.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'CloudWatch Logs delivery and X-Ray actions support no resource-level permissions.' },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((workflowFn.node.defaultChild as CfnResource).logicalId)}.Arn>:*]`,
        reason: "Invoking any version or alias of the workflow's own task function.",
      },
    );
  }

  /**
   * Begin → (mail requests) wait for the link, expiring with it → in progress → by type: export and
   * deliver (access, portability) or hand to a person (the other rights, for now). Every task retries
   * with backoff; anything that still fails marks the request failed and fails the execution (alarmed).
   */
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
    const secret = new secretsmanager.Secret(this, 'PseudonymKeys', {
      description: 'OmnAPI: the HMAC keys of the pseudonyms erasure keeps (ledger, answered privacy requests)',
      encryptionKey: props.defaults.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 1 }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by adding a key version by hand (runbook): the old versions must stay, or pseudonyms kept for the law could never be looked up again.',
    });
    fn.bindSecret('pseudonymKeys', secret);
    return secret;
  }

  /** The raw mail of erased tickets is deleted with them. */
  bindInboundMail(bucket: s3.Bucket): void {
    this.workflowFunction.bindBucket('inboundMail', bucket, 'inbound/', 'readWrite');
  }

  private definition(workflowFn: OmnApiFunction, linkLifeHours: number, coolingOffHours: number): sfn.IChainable {
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
    const coolingOff = waitFor('CoolingOff', 'coolingOff', Duration.seconds(Math.max(1, Math.round(coolingOffHours * 3600))))
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
        .otherwise(coolingOff),
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
