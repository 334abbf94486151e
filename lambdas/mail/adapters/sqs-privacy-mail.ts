import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PrivacyMailReceived } from '../../shared/privacy-mail';
import type { PrivacyMailPort } from '../domain/inbound';

/** Queues privacy mail for the privacy context; the SDK retries, and a failure retries the whole receipt. */
export class SqsPrivacyMail implements PrivacyMailPort {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async handOver(mail: PrivacyMailReceived): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(mail) }));
  }
}
