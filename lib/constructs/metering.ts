import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Catalog } from '../../lambdas/metering/catalog';
import { UNQUEUED_USAGE_MESSAGE } from '../../lambdas/metering/config';
import type { Api } from './api';
import type { TableName } from './data';
import { type FunctionDefaults, OmnApiFunction } from './omnapi-function';

export interface MeteringProps {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  /** Products and plans sold through the gateway. */
  readonly catalog: Catalog;
  /** Receives before a usage event is parked in the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Events per worker invocation. @default 25 */
  readonly batchSize?: number;
}

/** How long the usage worker may run; the queue's visibility timeout is six times this. */
export const WORKER_TIMEOUT = Duration.seconds(30);

/**
 * The metered gateway (`ANY /v1/api/{product}/{proxy+}`), the demo echo upstream, the usage queue with
 * its DLQ, the worker that turns usage events into logs and aggregates, and the usage and balance API.
 */
export class Metering extends Construct {
  public readonly usageQueue: sqs.Queue;
  public readonly usageDlq: sqs.Queue;
  public readonly gateway: OmnApiFunction;
  public readonly worker: OmnApiFunction;
  /** Usage events the gateway could not queue (they are in its log, to be replayed). */
  public readonly unqueuedEvents: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: MeteringProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const batchSize = props.batchSize ?? 25;
    const problems = [
      Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000 ? undefined : `maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`,
      Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000 ? undefined : `batchSize must be an integer from 1 to 10000, got ${batchSize}`,
    ].filter(Boolean);
    if (problems.length) throw new Error(`Metering: ${problems.join('; ')}`);
    const { tables } = props;
    const key: kms.IKey = props.defaults.key;

    this.usageDlq = new sqs.Queue(this, 'UsageDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.usageDlq);
    this.usageQueue = new sqs.Queue(this, 'UsageQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.usageDlq, maxReceiveCount },
    });

    const echo = new OmnApiFunction(this, 'Echo', {
      ...props.defaults,
      entry: 'lambdas/metering/handlers/echo.ts',
      description: 'Demo upstream product: answers with what it received',
      serviceName: 'echo',
      memorySize: 256,
    });
    props.api.addRoute('ANY /v1/demo/echo/{proxy+}', echo);

    this.gateway = new OmnApiFunction(this, 'Gateway', {
      ...props.defaults,
      entry: 'lambdas/metering/handlers/gateway.ts',
      description: 'Metered hot path: key, one conditional admit-and-debit write, upstream, one usage event',
      serviceName: 'gateway',
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: {
        CATALOG: JSON.stringify(props.catalog),
        BUILTIN_ECHO_URL: `${props.api.endpoint}/v1/demo/echo`,
      },
    })
      .bindTable('apiKeys', tables.apiKeys, 'read')
      .bindTable('ledger', tables.ledger, 'readWrite')
      .bindQueue('usage', this.usageQueue);
    props.api.addRoute('ANY /v1/api/{product}/{proxy+}', this.gateway);
    const unqueued = new logs.MetricFilter(this, 'UnqueuedUsageEvents', {
      logGroup: this.gateway.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', UNQUEUED_USAGE_MESSAGE),
      metricNamespace: 'OmnAPI',
      metricName: 'UnqueuedUsageEvents',
      metricValue: '1',
    });
    this.unqueuedEvents = unqueued.metric({ statistic: 'Sum', period: Duration.minutes(1) });

    this.worker = new OmnApiFunction(this, 'UsageWorker', {
      ...props.defaults,
      entry: 'lambdas/metering/handlers/usage-worker.ts',
      description: 'Writes usage logs (90-day TTL), aggregates and refunds, exactly once per event',
      serviceName: 'usage-worker',
      timeout: WORKER_TIMEOUT,
    })
      .bindTable('usageLogs', tables.usageLogs, 'write')
      .bindTable('usageAggregates', tables.usageAggregates, 'write')
      .bindTable('ledger', tables.ledger, 'write')
      .bindTable('accounts', tables.accounts, 'read');
    this.worker.addEventSource(
      new SqsEventSource(this.usageQueue, { batchSize, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }),
    );
    Validations.of(this.worker).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'SQS mappings take no on-failure destination; failed events stay on the queue and its redrive policy parks them in the usage DLQ.',
    });

    const usage = new OmnApiFunction(this, 'UsageApi', {
      ...props.defaults,
      entry: 'lambdas/metering/handlers/usage.ts',
      description: 'Usage aggregates, call logs and credit balance of the calling account',
      serviceName: 'usage',
    })
      .bindTable('sessions', tables.sessions, 'read')
      .bindTable('usageLogs', tables.usageLogs, 'read')
      .bindTable('usageAggregates', tables.usageAggregates, 'read')
      .bindTable('ledger', tables.ledger, 'read');
    for (const route of ['GET /v1/usage', 'GET /v1/usage/logs', 'GET /v1/billing/balance', 'GET /v1/billing/ledger'] as const) {
      props.api.addRoute(route, usage);
    }
  }
}

/**
 * A dead-letter queue is the end of the line: it has no redrive policy of its own, by design.
 * `of` names what it catches failures for when that is not another queue (a Lambda function's
 * async invocations, an SNS subscription), which cdk-nag does not recognise as DLQ use.
 */
export function acknowledgeDeadLetterQueue(queue: sqs.IQueue, of?: string): void {
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This queue is itself a dead-letter queue; nothing should be redriven out of it automatically.',
  });
  if (of) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of ${of}, which cdk-nag does not detect as DLQ use.`,
    });
  }
}
