import { Duration, Validations } from 'aws-cdk-lib';
import { DEFAULT_USAGE_LOG_RETENTION_DAYS } from '../../lambdas/shared/usage-logs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { z } from 'zod';
import type { Catalog } from '../../lambdas/metering/catalog';
import { UNQUEUED_USAGE_MESSAGE } from '../../lambdas/metering/config';
import { meteringRoutes } from '../../lambdas/metering/routes';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import { type FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { emfMetric } from './shared/metrics';
import { routeFunctions } from './shared/route-functions';
import { integerIn, parseSettings } from './shared/settings';

/**
 * The gateway's and the usage worker's settings: their rules and defaults, stated once. The stage config
 * composes the ones a stage sets (`keyCacheSeconds`, `addressWatch`, `hotPathTracing`).
 */
export const MeteringSettingsSchema = z
  .object({
    /** Receives before a usage event is parked in the DLQ. @default 5 */
    maxReceiveCount: integerIn(1, 1000).default(5),
    /**
     * How the worker gets the usage events. `drain`: a run every `drainEveryMinutes` receives what was
     * queued before it, ten a receive, and records it in batches of `batchSize` — an account's calls of
     * the whole period share a batch. `eventSource`: Lambda's event source mapping, whose pollers each
     * find about one message a receive below some hundred calls a second and split an account's calls
     * over five batches, for usage that lags by `batchWindowSeconds` instead of up to a period
     * (docs/performance.md, "Round 13: the usage drain"). @default 'drain'
     */
    delivery: z.enum(['drain', 'eventSource']).default('drain'),
    /** How often the drain runs: usage, logs and refunds of failed calls lag calls by up to this. @default 1 */
    drainEveryMinutes: integerIn(1, 4).default(1),
    /**
     * Events recorded together. Large batches are what keeps logs cheap: each account's calls in a
     * batch share one compressed page, one seq block and one rollup write. @default 10000 (drain), 1000 (eventSource)
     */
    batchSize: integerIn(1, 10_000).optional(),
    /**
     * `eventSource`: how long the event source gathers a batch before invoking the worker: usage and logs
     * lag calls by up to this. Lambda gathers five batches at once, so a busy account's calls in a batch —
     * what its pages share — grow with the window (bench: 30 s halves the worker's writes of 10 s). @default 30
     */
    batchWindowSeconds: integerIn(0, 300).default(30),
    /** How long the gateway trusts a looked-up key: a revocation takes effect within this. @default 10 */
    keyCacheSeconds: integerIn(0, 300).default(10),
    /**
     * A key used from more distinct addresses than this in one clock hour is flagged (security event,
     * `KeySeenFromManyAddresses` metric and alarm); with `suspend`, its account is suspended too.
     * At most 10,000: the digests of a key's hour live in one item, and DynamoDB items stop at 400 KB.
     * @default { addressesPerHour: 50, suspend: false }
     */
    addressWatch: z.object({ addressesPerHour: integerIn(2, 10_000).default(50), suspend: z.boolean().default(false) }).prefault({}),
    /**
     * X-Ray on the gateway and the usage worker: `active` samples (Lambda's fixed 1/s + 5 %), `passThrough`
     * traces nothing on its own (HTTP APIs send no trace header), saving ~$0.25 per million calls.
     * @default 'passThrough'
     */
    hotPathTracing: z.enum(['active', 'passThrough']).default('passThrough'),
  })
  .superRefine((settings, ctx) => {
    // Lambda's limit: batches above 10 need a window of at least 1 s.
    if (settings.delivery === 'eventSource' && (settings.batchSize ?? 1000) > 10 && settings.batchWindowSeconds === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['batchWindowSeconds'],
        message: 'must be at least 1 for batches above 10 (Lambda refuses 0), got 0',
      });
  });

export interface MeteringProps extends Readonly<z.input<typeof MeteringSettingsSchema>> {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  /** Products and plans sold through the gateway. */
  readonly catalog: Catalog;
  /** Base URL of the console pages the low-balance notice links to. @default the API's endpoint */
  readonly publicUrl?: string;
  /** Verified identity the low-balance notice is sent from. */
  readonly mailFrom: string;
}

/** How often the usage sweep runs: an hour's counts are finished within this (plus five minutes) of its end. */
export const SWEEP_EVERY_MINUTES = 15;

/** How long the usage worker may run on an event source's batch; the queue's visibility timeout is six times this. */
export const WORKER_TIMEOUT = Duration.seconds(30);

/**
 * How long a drain run may take: a backlog longer than the period is taken by overlapping runs, up to
 * five at once. Every received message is deleted (or left to fail) within it.
 */
export const DRAIN_TIMEOUT = Duration.minutes(5);

/**
 * The metered gateway (`ANY /v1/api/{product}/{proxy+}`), the demo echo upstream, the usage queue with
 * its DLQ, the worker that turns usage events into logs and aggregates, and the usage and balance API.
 */
export class Metering extends Construct {
  public readonly usageQueue: sqs.Queue;
  public readonly usageDlq: sqs.Queue;
  public readonly gateway: OmnApiFunction;
  public readonly worker: OmnApiFunction;
  /** Finishes the single calls' hourly counts of accounts that stopped calling (scheduled). */
  public readonly sweep: OmnApiFunction;
  /** Usage events the gateway could not queue (they are in its log, to be replayed). */
  public readonly unqueuedEvents: cloudwatch.Metric;
  /** Keys flagged for being used from an unusual number of addresses in an hour (EMF metric of the worker). */
  public readonly keysSeenFromManyAddresses: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: MeteringProps) {
    super(scope, id);
    const {
      maxReceiveCount,
      delivery,
      drainEveryMinutes,
      batchSize = delivery === 'drain' ? 10_000 : 1000,
      batchWindowSeconds,
      keyCacheSeconds,
      addressWatch,
      hotPathTracing: tracing,
    } = parseSettings('Metering', MeteringSettingsSchema, props);
    const hotPathTracing =
      tracing === 'active'
        ? undefined
        : {
            mode: lambda.Tracing.PASS_THROUGH,
            reason:
              'Hot path (one trace per sampled call costs ~$0.25 per million calls): hotPathTracing=passThrough by stage config; its latency, errors and throttles are CloudWatch metrics and alarms. Set -c hotPathTracing=active to sample it.',
          };
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
      // A drain run deletes what it received within its timeout; for an event source, Lambda's advice: six
      // times the function's timeout plus the batching window.
      visibilityTimeout: Duration.seconds(
        delivery === 'drain' ? DRAIN_TIMEOUT.toSeconds() + 30 : WORKER_TIMEOUT.toSeconds() * 6 + batchWindowSeconds,
      ),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.usageDlq, maxReceiveCount },
    });

    const functions = routeFunctions(this, {
      defaults: props.defaults,
      api: props.api,
      context: 'metering',
      manifest: meteringRoutes,
      tables,
      handlers: {
        echo: { description: 'Demo upstream product: answers with what it received', memorySize: 256 },
        gateway: {
          description:
            'Metered hot path: key, one conditional admit-and-debit write, upstream, one usage event (or the log of a lone call)',
          // It mostly waits on two round trips and the upstream; its ~1.2 ms of CPU a call takes ~3 ms at 512 MB (bench).
          memorySize: 512,
          timeout: Duration.seconds(29),
          tracing: hotPathTracing,
          // Lone calls (after ten minutes of silence) are recorded here, not queued: their slot in the usage logs,
          // the account's settings, the low-balance notice's state beside the balance (docs/architecture.md, "Lone calls").
          tables: { apiKeys: 'read', ledger: 'readWrite', usageLogs: 'readWrite', accounts: 'read' },
          environment: {
            CATALOG: JSON.stringify(props.catalog),
            BUILTIN_ECHO_URL: `${props.api.endpoint}/v1/demo/echo`,
            KEY_CACHE_SECONDS: String(keyCacheSeconds),
          },
        },
        usage: {
          description: 'Usage aggregates and call logs of the calling account',
          tables: { sessions: 'read', usageLogs: 'read', usageAggregates: 'read' },
        },
      },
    });
    this.gateway = functions.gateway!.bindQueue('usage', this.usageQueue);
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
      entry: delivery === 'drain' ? 'lambdas/metering/handlers/usage-drain.ts' : 'lambdas/metering/handlers/usage-worker.ts',
      description: `Writes usage logs (${props.defaults.usageLogRetentionDays ?? DEFAULT_USAGE_LOG_RETENTION_DAYS}-day TTL), aggregates and refunds, exactly once per event`,
      serviceName: 'usage-worker',
      timeout: delivery === 'drain' ? DRAIN_TIMEOUT : WORKER_TIMEOUT,
      // A drain's batch is up to ten times an event source's: 1 GB holds it with room, and halves its CPU time.
      memorySize: delivery === 'drain' ? 1024 : undefined,
      tracing: hotPathTracing?.mode,
      tracingReason: hotPathTracing?.reason,
    })
      // Read too: a refused seq block is read again when DynamoDB returns no item with the refusal.
      .bindTable('usageLogs', tables.usageLogs, 'readWrite')
      .bindTable('usageAggregates', tables.usageAggregates, 'readWrite')
      // Read too: a sharded plan's low-balance notice sums the balance shards.
      .bindTable('ledger', tables.ledger, 'readWrite')
      .bindTable('accounts', tables.accounts, addressWatch.suspend ? 'readWrite' : 'read')
      .bindTable('securityEvents', tables.securityEvents, 'write')
      .bindMailSender(props.mailFrom);
    this.worker.addEnvironment('PUBLIC_URL', props.publicUrl ?? props.api.endpoint);
    this.worker.addEnvironment('KEY_ADDRESSES_PER_HOUR', String(addressWatch.addressesPerHour));
    this.worker.addEnvironment('SUSPEND_ON_MANY_ADDRESSES', String(addressWatch.suspend));
    // Suspending writes the keys' `suspended` flag, as `ops suspend` does; without it the worker cannot touch keys.
    if (addressWatch.suspend) this.worker.bindTable('apiKeys', tables.apiKeys, 'readWrite');
    this.keysSeenFromManyAddresses = emfMetric('KeySeenFromManyAddresses', 'usage-worker');
    if (delivery === 'drain') {
      this.worker.drainQueue('usage', this.usageQueue).addEnvironment('DRAIN_BATCH_SIZE', String(batchSize));
      // A run that failed leaves its messages on the queue: the next run, a period later, takes them.
      this.everyMinutes(
        'UsageDrainSchedule',
        'Runs the usage drain',
        this.worker,
        drainEveryMinutes,
        0,
        "A failed drain run holds nothing to replay: the usage events stay on the queue until deleted, the next run (a period later) receives them, and the redrive policy parks one that keeps failing in the usage DLQ. Its errors alarm like every function's.",
      );
    } else
      this.worker.consumeQueue(this.usageQueue, {
        batchSize,
        maxBatchingWindow: Duration.seconds(batchWindowSeconds),
        reportBatchItemFailures: true,
      });
    this.sweep = new OmnApiFunction(this, 'UsageSweep', {
      ...props.defaults,
      entry: 'lambdas/metering/handlers/usage-sweep.ts',
      description: "Finishes the counts of quiet accounts' single calls: an hour of many at its end, the others at the day's end",
      serviceName: 'usage-sweep',
      timeout: Duration.minutes(5),
      // Its work is SDK calls, 16 at once, whose client work (signing, serialising) is CPU: 1 GB gives it ~58 % of a
      // vCPU, twice 512 MB's, for about the same GB-seconds a listed account (docs/performance.md, "The sweep's capacity").
      memorySize: 1024,
    })
      // Reads the day's sweep lists and single calls; writes the singles' rollups and its cursor.
      .bindTable('usageLogs', tables.usageLogs, 'read')
      .bindTable('usageAggregates', tables.usageAggregates, 'readWrite');
    this.sweep.addEnvironment('SWEEP_EVERY_MINUTES', String(SWEEP_EVERY_MINUTES));
    this.everyMinutes(
      'UsageSweepSchedule',
      'Runs the usage sweep',
      this.sweep,
      SWEEP_EVERY_MINUTES,
      2,
      "A failed sweep run holds nothing to replay: each run starts where the last whole run got to (its cursor), so the next makes it up, and the usage API reads what is not counted yet from the single calls meanwhile. Its errors alarm like every function's.",
    );

    if (delivery === 'eventSource')
      Validations.of(this.worker).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS mappings take no on-failure destination; failed events stay on the queue and its redrive policy parks them in the usage DLQ.',
      });
  }

  /** A rule that runs `fn` every `minutes`, with no DLQ of its own: `why` says why a failed run needs none. */
  private everyMinutes(id: string, description: string, fn: OmnApiFunction, minutes: number, retryAttempts: number, why: string): void {
    const rule = new events.Rule(this, id, {
      description,
      schedule: events.Schedule.rate(Duration.minutes(minutes)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts })],
    });
    Validations.of(rule).acknowledge({ id: 'Serverless-EventBusDLQ', reason: why });
  }
}
