import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { UsageEvent } from '../domain/model';
import type { UsagePublisher } from '../domain/ports';

/** One SQS message per call; the SDK retries transient failures before this gives up. */
export class SqsUsagePublisher implements UsagePublisher {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(event: UsageEvent): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(event) }));
  }
}
