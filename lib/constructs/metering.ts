import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MeteringProps {
  readonly key: kms.IKey;
  /** Timeout of the worker that consumes usage events; the queue's visibility timeout is 6× this. */
  readonly workerTimeout: Duration;
  /** Receives before a usage event is parked in the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
}

/** Carries usage events from the metered gateway to aggregation, with a dead-letter queue. */
export class Metering extends Construct {
  public readonly usageQueue: sqs.Queue;
  public readonly usageDlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: MeteringProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`Metering: maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
    }
    this.usageDlq = new sqs.Queue(this, 'UsageDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.usageDlq);
    this.usageQueue = new sqs.Queue(this, 'UsageQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.usageDlq, maxReceiveCount },
    });
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
