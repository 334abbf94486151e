import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueuedMessage, UsageQueue } from '../domain/usage-drain';

/**
 * The usage queue, received from by the drain. Each receive long-polls for a second: a short poll
 * samples only some of SQS's servers and can answer empty while messages wait, which would end a
 * run early; a long poll asks them all and answers at once when any message is there.
 */
export class SqsUsageQueue implements UsageQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(max: number): Promise<QueuedMessage[]> {
    const { Messages = [] } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    return Messages.map((m) => ({
      messageId: m.MessageId!,
      body: m.Body ?? '',
      receiptHandle: m.ReceiptHandle!,
      sentAt: Number(m.Attributes?.SentTimestamp ?? 0),
    }));
  }

  async delete(messages: QueuedMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const { Failed = [] } = await this.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
      }),
    );
    return Failed.map((f) => messages[Number(f.Id)]!.messageId);
  }
}
