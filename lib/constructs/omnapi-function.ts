import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CfnResource, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../../lambdas/shared/audit';
import { envName } from '../../lambdas/shared/env-names';
import { environmentProblems, stackShape } from './shared/deploy-limits';
import { BESIDE_BUNDLE_METADATA_KEY, ENTRY_METADATA_KEY, PROJECT_ROOT } from '../template-keys';

export { BESIDE_BUNDLE_METADATA_KEY, ENTRY_METADATA_KEY, PROJECT_ROOT };

export interface OmnApiFunctionProps {
  /** Handler source, relative to the project root, e.g. `lambdas/ops/handlers/health.ts`. */
  readonly entry: string;
  readonly description: string;
  /** KMS key that encrypts the log group and environment. */
  readonly key: kms.IKey;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Extra environment variables; resource names are added by the `bind*` methods. */
  readonly environment?: Record<string, string>;
  /** The stage's usage-log retention, for every function that writes, shows or exports call logs (`USAGE_LOG_RETENTION_DAYS`). */
  readonly usageLogRetentionDays?: number;
  /** Service name for Powertools logs and metrics. */
  readonly serviceName: string;
  /** Where failed asynchronous invocations go (functions invoked by SES, S3, EventBridge). */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * X-Ray tracing. Anything but ACTIVE must say why (`tracingReason`): the Serverless pack asks for it.
   * @default Tracing.ACTIVE
   */
  readonly tracing?: lambda.Tracing;
  readonly tracingReason?: string;
  /** How long audit events live (the stage's `auditRetentionDays`), given to a function bound to the audit trail. @default 400 */
  readonly auditRetentionDays?: number;
  /** The suppression list and SES configuration set every mail-sending function is bound to (`bindMailSender`). @default none */
  readonly mailDelivery?: MailDeliveryBinding;
  /**
   * Files, relative to the project root, copied beside the bundle (by their names, e.g. `de.json` next
   * to `index.js`) for the code to read when it needs them instead of carrying them: the privacy
   * replies' catalogues, one language at a time.
   * @default none
   */
  readonly besideBundle?: readonly string[];
}

/** What sending mail comes with: the list of addresses never to mail, and the configuration set that reports bounces and complaints. */
export interface MailDeliveryBinding {
  readonly suppressions: dynamodb.Table;
  readonly configurationSetName: string;
}

/** Stage-wide settings every function in a construct shares. */
export type FunctionDefaults = Pick<
  OmnApiFunctionProps,
  'key' | 'logRetention' | 'logRemovalPolicy' | 'usageLogRetentionDays' | 'auditRetentionDays' | 'mailDelivery'
>;

/**
 * What a function may do to a table's items (and its indexes'):
 * - `read`: get, batch-get and query; `write`: put, update, delete, batch-write; `readWrite`: both;
 * - `append`: add items and read them back, never change or delete one (the audit trail);
 * - `readScan` / `readWriteScan`: also Scan, the whole table a page at a time — only where code must
 *   find items by what they hold rather than their key (the privacy workflow's erasure and its proof).
 * Condition checks go with every level (a transaction's guard); Scan, stream reads and DescribeTable
 * go with none of the others, unlike CDK's `grant*Data` sets.
 */
export type TableAccess = 'read' | 'write' | 'readWrite' | 'append' | 'readScan' | 'readWriteScan';

const ITEM_READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const ITEM_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];
const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  read: ITEM_READS,
  write: ITEM_WRITES,
  readWrite: [...new Set([...ITEM_READS, ...ITEM_WRITES])],
  // No UpdateItem, DeleteItem or BatchWriteItem: what is written stays as written (only TTL expires it).
  append: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem'],
  readScan: [...ITEM_READS, 'dynamodb:Scan'],
  readWriteScan: [...new Set([...ITEM_READS, ...ITEM_WRITES]), 'dynamodb:Scan'],
};

/**
 * What a function may do to a bucket's objects under a prefix:
 * - `read`: get them (and decrypt);
 * - `readWrite`: also put them, in parts too (the SDK aborts a multipart upload that failed: without
 *   AbortMultipartUpload its AccessDenied replaces the upload's own error), and delete them for good — in a
 *   versioned bucket, listing the key's versions and deleting each;
 * - `erase`: only that deletion for good, neither reading nor writing what the objects hold (the privacy
 *   workflow and the raw mail of erased tickets).
 */
export type BucketAccess = 'read' | 'readWrite' | 'erase';

const BUCKET_ACTIONS: Record<BucketAccess, readonly string[]> = {
  read: ['s3:GetObject'],
  readWrite: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:DeleteObjectVersion'],
  erase: ['s3:DeleteObjectVersion'],
};

/** What a producer needs of an encrypted queue's key to send: a data key, and to read it back when SQS reuses it. */
const SEND_ENCRYPTED = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/** The newest Node.js runtime CDK offers; the bundles target its version. */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Every OmnAPI Lambda: ARM64, newest Node.js runtime (bundled for it), AWS SDK v3 bundled and
 * tree-shaken, source maps, X-Ray tracing, JSON logs in an explicit KMS-encrypted log group, and a
 * role that starts with nothing but permission to write to that group. `bind*` methods add an
 * environment variable and its least-privilege grant together.
 */
export class OmnApiFunction extends NodejsFunction {
  private readonly auditRetentionDays: number;
  private readonly mailDelivery?: MailDeliveryBinding;

  constructor(scope: Construct, id: string, props: OmnApiFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.key,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute already ends in `:*`, covering its streams and nothing else.
        resources: [logGroup.logGroupArn],
      }),
    );

    const beside = props.besideBundle ?? [];
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: props.tracing ?? lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      role,
      deadLetterQueue: props.deadLetterQueue,
      environmentEncryption: props.key,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        // Traces carry timings and AWS calls, never answers: they hold personal data.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        ...(props.usageLogRetentionDays ? { USAGE_LOG_RETENTION_DAYS: String(props.usageLogRetentionDays) } : {}),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        // The runtime's own Node version: nothing is down-levelled for an older one.
        target: `node${RUNTIME.name.replace(/^nodejs(\d+).*$/, '$1')}`,
        mainFields: ['module', 'main'],
        minify: true,
        // Text in other scripts (the privacy replies' catalogues) as UTF-8, not as \uXXXX escapes six bytes a
        // letter. As an esbuild argument: this aws-cdk-lib declares `charset` but does not pass it to esbuild.
        esbuildArgs: { '--charset': 'utf8' },
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK v3 too: a pinned, tree-shaken copy beats the runtime's on cold start.
        externalModules: [],
        ...(beside.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  beside.map((file) => `cp "${path.join(inputDir, file)}" "${path.join(outputDir, path.basename(file))}"`),
              },
            }
          : {}),
      },
    });
    if (props.tracing && props.tracing !== lambda.Tracing.ACTIVE) {
      if (!props.tracingReason) throw new Error(`${id}: tracing ${props.tracing} needs a tracingReason`);
      Validations.of(this).acknowledge({ id: 'Serverless-LambdaTracing', reason: props.tracingReason });
    }
    (this.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA_KEY, props.entry);
    if (beside.length) {
      const problems = besideBundleProblems(beside);
      if (problems.length) throw new Error(`${id}: ${problems.join('; ')}`);
      (this.node.defaultChild as lambda.CfnFunction).addMetadata(BESIDE_BUNDLE_METADATA_KEY, [...beside]);
    }
    // CloudFormation refuses malformed variable names and environments over 4 KB (CDK checks only the reserved
    // names): synth says so first, with the values at their longest (a stage's catalog, packs and names grow them).
    this.node.addValidation({
      validate: () => {
        const stack = Stack.of(this);
        const environment = stack.resolve((this.node.defaultChild as lambda.CfnFunction).environment) as
          | { variables?: Record<string, unknown> }
          | undefined;
        return environmentProblems(environment?.variables ?? {}, stackShape(stack));
      },
    });
    // Lambda sends a failed asynchronous invocation to the dead-letter queue with the function's role: SQS encrypts it with the queue's key.
    this.grantKeyThrough(props.deadLetterQueue?.encryptionMasterKey, 'sqs', SEND_ENCRYPTED);
    this.auditRetentionDays = props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    this.mailDelivery = props.mailDelivery;

    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Granted by CDK on the one data key only, for envelope encryption of table, queue and bucket data.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: 'Granted by CDK on the one data key only; ReEncrypt never leaves that key.',
      },
    );
    if (!props.deadLetterQueue) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously (API Gateway, Step Functions) or by an SQS event source whose queue has its own DLQ; ' +
          'a function DLQ only catches asynchronous invocations, and async-invoked functions are given one.',
      });
    }
  }

  /**
   * Grants item access to a table and its indexes (the actions of `access`, above) and the table's
   * key, and exposes its name as `TABLE_<NAME>`. Narrower per handler would need each handler's calls
   * declared beside its binding: `npm run iam:unused` lists what a role holds and no run used.
   */
  bindTable(name: string, table: dynamodb.Table, access: TableAccess): this {
    this.addEnvironment(envName('TABLE', name), table.tableName);
    // Whoever writes audit events sets their expiry: the stage's retention travels with the table.
    if (name === 'auditEvents' && access !== 'read') this.addEnvironment('AUDIT_RETENTION_DAYS', String(this.auditRetentionDays));
    table.grant(this, ...TABLE_ACTIONS[access]);
    // The table key's actions as CDK grants them with the item actions (decrypt to read, and encrypt to write), through DynamoDB only.
    const reads = access === 'read' || access === 'readScan';
    this.grantKeyThrough(table.encryptionKey, 'dynamodb', [
      'kms:Decrypt',
      'kms:DescribeKey',
      ...(reads ? [] : ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']),
    ]);
    this.acknowledgeOnRole(
      `Resource::<${this.logicalIdOf(table.node.defaultChild as CfnResource)}.Arn>/index/*`,
      `Queries on ${name}'s own secondary indexes; no other table is reachable.`,
    );
    return this;
  }

  /** Grants send on a queue (and its key, through SQS) and exposes its URL as `QUEUE_<NAME>_URL`. */
  bindQueue(name: string, queue: sqs.IQueue): this {
    this.addEnvironment(`${envName('QUEUE', name)}_URL`, queue.queueUrl);
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], resources: [queue.queueArn] }),
    );
    this.grantKeyThrough(queue.encryptionMasterKey, 'sqs', SEND_ENCRYPTED);
    return this;
  }

  /**
   * Receives from and deletes from a queue it drains itself (no event source mapping; the queue's key
   * through SQS only), and exposes its URL as `QUEUE_<NAME>_URL`. No send: what it cannot record stays on the queue.
   */
  drainQueue(name: string, queue: sqs.IQueue): this {
    this.addEnvironment(`${envName('QUEUE', name)}_URL`, queue.queueUrl);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [queue.queueArn] }));
    this.grantKeyThrough(queue.encryptionMasterKey, 'sqs', ['kms:Decrypt']);
    return this;
  }

  /**
   * Consumes a queue through an SQS event source: what CDK's `SqsEventSource` makes (same mapping, same id),
   * with the queue's key granted through SQS only. `SqsEventSource` grants the key for any use.
   */
  consumeQueue(queue: sqs.IQueue, options: Omit<lambda.EventSourceMappingOptions, 'eventSourceArn'>): this {
    this.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(queue.node)}`, { ...options, eventSourceArn: queue.queueArn });
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [queue.queueArn],
      }),
    );
    this.grantKeyThrough(queue.encryptionMasterKey, 'sqs', ['kms:Decrypt']);
    return this;
  }

  /**
   * Lets the role use `key` only for what `service` does with it on the function's behalf (`kms:ViaService`):
   * the data of a table, a queue or a bucket it is bound to, never a direct KMS call with a ciphertext of any other.
   */
  private grantKeyThrough(key: kms.IKey | undefined, service: 'dynamodb' | 'sqs' | 's3', actions: readonly string[]): void {
    if (!key) return;
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Grants object access under `prefix` in a bucket (the actions of `access`, see `BucketAccess`) and the bucket
   * key's, and exposes its name as `BUCKET_<NAME>`.
   */
  bindBucket(name: string, bucket: s3.Bucket, prefix: string, access: BucketAccess): this {
    this.addEnvironment(envName('BUCKET', name), bucket.bucketName);
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...BUCKET_ACTIONS[access]], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    );
    if (access !== 'read')
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucketVersions'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${prefix}*` } },
        }),
      );
    // A deletion reads and writes no data: it needs no key.
    if (access === 'read') this.grantKeyThrough(bucket.encryptionKey, 's3', ['kms:Decrypt']);
    else if (access === 'readWrite')
      this.grantKeyThrough(bucket.encryptionKey, 's3', ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']);
    this.acknowledgeOnRole(
      `Resource::<${this.logicalIdOf(bucket.node.defaultChild as CfnResource)}.Arn>/${prefix}*`,
      `Objects under ${prefix} in the ${name} bucket only; their keys are generated at run time.`,
    );
    return this;
  }

  /** Grants StartExecution and exposes the ARN as `STATE_MACHINE_<NAME>_ARN`. */
  bindStateMachine(name: string, stateMachine: sfn.IStateMachine): this {
    this.addEnvironment(`${envName('STATE_MACHINE', name)}_ARN`, stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this);
    return this;
  }

  /** Grants reading one Secrets Manager secret and exposes its ARN as `<NAME>_SECRET_ARN`. */
  bindSecret(name: string, secret: secretsmanager.ISecret): this {
    this.addEnvironment(`${envName('', name).slice(1)}_SECRET_ARN`, secret.secretArn);
    secret.grantRead(this);
    if (!secret.secretFullArn) {
      this.acknowledgeOnRole(
        `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secret.secretName}-??????`,
        'A secret referenced by name ends in a random six-character suffix; the grant is to this one secret.',
      );
    }
    return this;
  }

  private acknowledgeOnRole(finding: string, reason: string): void {
    Validations.of(this.role!).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }

  private logicalIdOf(resource: CfnResource): string {
    return Stack.of(this).resolve(resource.logicalId) as string;
  }

  /**
   * Grants sending mail from the stage's identity and exposes it as `MAIL_FROM`; with the stage's mail
   * delivery, also reading the suppression list (`TABLE_SUPPRESSIONS`: no mail to a bounced or
   * complaining address) and sending through the configuration set that reports them (`MAIL_CONFIGURATION_SET`).
   * `otherFrom` are further addresses the function sends from (the notices' subscription address).
   * SES authorizes a send against the identity it sends as: the address when the address itself is a verified
   * identity, else its domain. Which of the two an operator verified is not known at synth, so both are granted.
   */
  bindMailSender(fromAddress: string, ...otherFrom: string[]): this {
    this.addEnvironment('MAIL_FROM', fromAddress);
    const stack = Stack.of(this);
    const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    const addresses = [fromAddress, ...otherFrom];
    const resources = [...new Set(addresses.flatMap((address) => [address.split('@')[1]!, address]))].map(identity);
    if (this.mailDelivery) {
      this.bindTable('suppressions', this.mailDelivery.suppressions, 'read');
      this.addEnvironment('MAIL_CONFIGURATION_SET', this.mailDelivery.configurationSetName);
      resources.push(
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.mailDelivery.configurationSetName }),
      );
    }
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources }));
    return this;
  }
}

/** What is wrong with a list of files to copy beside a bundle: a file that is not there, two files of one name. */
function besideBundleProblems(files: readonly string[]): string[] {
  const missing = files.filter((file) => !fs.existsSync(path.join(PROJECT_ROOT, file))).map((file) => `${file} does not exist`);
  const names = files.map((file) => path.basename(file));
  const clashes = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))].map(
    (name) => `two files beside the bundle are named ${name}`,
  );
  return [...missing, ...clashes];
}
