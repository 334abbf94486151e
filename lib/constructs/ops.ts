import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { allowAlarmsToPublish, allowSnsDeadLetters } from './shared/service-access';

export interface OpsProps {
  readonly key: kms.IKey;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
  readonly httpApi: apigwv2.IHttpApi;
  /** Any message here means work was not done: each alarms at the first one. */
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  readonly stateMachines: Record<string, sfn.IStateMachine>;
  readonly functions: lambda.IFunction[];
  /** Metrics where a single occurrence needs a person, by alarm name. */
  readonly anyOccurrence?: Record<string, { metric: cloudwatch.IMetric; description: string }>;
  /** Work queues whose backlog must not grow old (the worker is falling behind). */
  readonly workQueues?: Record<string, sqs.IQueue>;
  /** @default Duration.minutes(5) */
  readonly maxQueueAge?: Duration;
}

/**
 * Alarms on what users would notice or lose — API errors, parked or ageing messages, failed
 * workflows, function errors — and one dashboard with the platform's vital signs.
 */
export class Ops extends Construct {
  public readonly alarmTopic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  /** What every alarm's name starts with: the stack's name. */
  public readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: OpsProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: props.key, enforceSSL: true });
    // Every alarm is named after the stack, so the topic and its key let exactly this stack's alarms publish.
    this.alarmNamePrefix = `${Stack.of(this).stackName}-`;
    allowAlarmsToPublish(this.alarmTopic, props.key, this.alarmNamePrefix);
    if (props.alarmEmail) {
      // An alarm that cannot be delivered is kept, not lost.
      const undelivered = new sqs.Queue(this, 'UndeliveredAlarms', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeDeadLetterQueue(undelivered, 'the alarm e-mail subscription');
      allowSnsDeadLetters(this, props.key);
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
    }

    this.alarm(
      'Api5xx',
      props.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      5,
      'The API answered 5 or more 5xx responses in 5 minutes',
    );
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(
        `${name}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        1,
        `Messages are parked in the ${name} dead-letter queue`,
      );
    }
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      this.alarm(`${name}Failures`, machine.metricFailed({ period: Duration.minutes(5) }), 1, `${name} executions failed`);
      this.alarm(`${name}TimedOut`, machine.metricTimedOut({ period: Duration.minutes(5) }), 1, `${name} executions timed out`);
    }
    for (const [name, { metric, description }] of Object.entries(props.anyOccurrence ?? {})) {
      this.alarm(name, metric, 1, description);
    }
    const maxAge = props.maxQueueAge ?? Duration.minutes(5);
    for (const [name, queue] of Object.entries(props.workQueues ?? {})) {
      this.alarm(
        `${name}Backlog`,
        queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        maxAge.toSeconds(),
        `The oldest ${name} message waits ${maxAge.toMinutes()} minutes or more: its consumer is falling behind`,
      );
    }
    for (const fn of props.functions) {
      this.alarm(
        `${fn.node.id}Errors`,
        fn.metricErrors({ period: Duration.minutes(5) }),
        5,
        `${fn.node.id} raised 5 or more errors in 5 minutes`,
      );
    }

    const api = props.httpApi;
    const period = Duration.minutes(1);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'API requests and errors',
            left: [api.metricCount({ period })],
            right: [api.metricClientError({ period }), api.metricServerError({ period })],
          }),
          new cloudwatch.GraphWidget({
            title: 'API latency (ms)',
            left: ['p50', 'p95', 'p99'].map((statistic) => api.metricLatency({ period, statistic, label: statistic })),
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 6 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queues: visible messages',
            left: [...Object.entries(props.workQueues ?? {}), ...Object.entries(props.deadLetterQueues)].map(([name, q]) =>
              q.metricApproximateNumberOfMessagesVisible({ period, label: name }),
            ),
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration p99 (ms)',
            left: props.functions.map((fn) => fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99', label: fn.node.id })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Function errors and throttles',
            left: props.functions.map((fn) => fn.metricErrors({ period: Duration.minutes(5), label: fn.node.id })),
            right: props.functions.map((fn) => fn.metricThrottles({ period: Duration.minutes(5), label: fn.node.id })),
          }),
        ],
      ],
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.alarmNamePrefix}${id}`,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
