import { Validations } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

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
