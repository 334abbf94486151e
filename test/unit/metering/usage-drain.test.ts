import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { LocalQueue } from '../../../local/assembly';
import { LocalSqs } from '../../../local/sqs';
import { SqsUsageQueue } from '../../../lambdas/metering/adapters/sqs-usage-queue';
import type { BatchOutcome } from '../../../lambdas/metering/domain/usage';
import { type DrainSettings, drainUsage, type QueuedMessage, type UsageQueue } from '../../../lambdas/metering/domain/usage-drain';

const dlq: LocalQueue = {
  logicalId: 'UsageDlq',
  name: 'UsageDlq',
  url: 'http://aws/000/UsageDlq',
  arn: 'arn:aws:sqs:us-east-1:000:UsageDlq',
  visibilityTimeoutSeconds: 30,
  retentionSeconds: 1_209_600,
};
const usage: LocalQueue = {
  logicalId: 'UsageQueue',
  name: 'UsageQueue',
  url: 'http://aws/000/UsageQueue',
  arn: 'arn:aws:sqs:us-east-1:000:UsageQueue',
  visibilityTimeoutSeconds: 330,
  retentionSeconds: 345_600,
  redrive: { deadLetterArn: dlq.arn, maxReceiveCount: 3 },
};

/** The drain's port over the local SQS emulator: visibility, receive counts and redrive as SQS has them. */
function queueOf(sqs: LocalSqs, receives: number[] = []): UsageQueue {
  return {
    async receive(max) {
      const messages = sqs.receive(usage.url, max);
      receives.push(messages.length);
      return messages.map((m) => ({ messageId: m.messageId, body: m.body, receiptHandle: m.receiptHandle!, sentAt: m.sentAt }));
    },
    async delete(messages) {
      sqs.deleteMessages(
        usage.url,
        messages.map((m) => m.receiptHandle),
      );
      return [];
    },
  };
}

/** A recorder that keeps what it was given and fails the messages whose body says so. */
function recorder() {
  const batches: string[][] = [];
  const record = async (messages: QueuedMessage[]): Promise<BatchOutcome> => {
    batches.push(messages.map((m) => m.body));
    const failed = new Set(messages.filter((m) => m.body.startsWith('fail')).map((m) => m.messageId));
    return { failed, recorded: messages.length - failed.size, duplicates: 0, dropped: 0 };
  };
  return { batches, record };
}

const settings = (overrides: Partial<DrainSettings> = {}): DrainSettings => ({
  startedAt: Date.now() + 1,
  batchSize: 25,
  lanes: 4,
  timeLeft: () => 300_000,
  reserveMs: 60_000,
  ...overrides,
});

describe('drainUsage', () => {
  let sqs: LocalSqs;
  beforeEach(() => {
    sqs = new LocalSqs([usage, dlq]);
  });
  afterEach(() => sqs.stop());

  it('records every message queued before the run once, in batches of the batch size, and deletes them', async () => {
    for (let i = 0; i < 103; i++) sqs.sendMessage(usage.url, `event ${i}`);
    const receives: number[] = [];
    const { batches, record } = recorder();

    const outcome = await drainUsage(queueOf(sqs, receives), record, settings());

    expect(outcome).toMatchObject({ batches: 5, received: 103, recorded: 103, failed: 0, undeleted: 0, stoppedBy: 'caughtUp' });
    expect(batches.map((b) => b.length)).toEqual([25, 25, 25, 25, 3]);
    expect(batches.flat().sort()).toEqual(Array.from({ length: 103 }, (_, i) => `event ${i}`).sort());
    expect(sqs.peek(usage.url)).toHaveLength(0);
    // Ten a receive while the backlog lasts: the receives that found messages are about a tenth of them.
    expect(receives.filter((n) => n > 0).length).toBeLessThanOrEqual(Math.ceil(103 / 10) + 5 * 4);
  });

  it('leaves what was sent after the run started for the next run, but for what a receive already took', async () => {
    for (let i = 0; i < 30; i++) sqs.sendMessage(usage.url, `before ${i}`);
    const startedAt = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 50; i++) sqs.sendMessage(usage.url, `after ${i}`);
    const { batches, record } = recorder();

    const outcome = await drainUsage(queueOf(sqs), record, settings({ startedAt, batchSize: 1_000, lanes: 1 }));

    const taken = batches.flat();
    expect(taken.filter((b) => b.startsWith('before'))).toHaveLength(30);
    // One lane: the receive that met the first later message took at most ten of them.
    expect(taken.filter((b) => b.startsWith('after')).length).toBeLessThanOrEqual(10);
    expect(outcome.stoppedBy).toBe('caughtUp');
    expect(sqs.peek(usage.url).length).toBe(80 - taken.length);
  });

  it('leaves a message that failed on the queue, to be received again and parked in the DLQ at the receive limit', async () => {
    sqs.stop();
    // Visibility × 0.0001: the failed message is visible again 33 ms later.
    sqs = new LocalSqs([usage, dlq], { visibilityScale: 0.0001 });
    sqs.sendMessage(usage.url, 'fail: not an event');
    for (let i = 0; i < 9; i++) sqs.sendMessage(usage.url, `event ${i}`);
    const { batches, record } = recorder();

    const first = await drainUsage(queueOf(sqs), record, settings());
    expect(first).toMatchObject({ recorded: 9, failed: 1 });
    expect(sqs.peek(usage.url)).toHaveLength(1);

    for (let run = 0; run < 3; run++) {
      await new Promise((r) => setTimeout(r, 50));
      await drainUsage(queueOf(sqs), record, settings());
    }
    expect(batches.flat().filter((b) => b.startsWith('fail'))).toHaveLength(3);
    expect(sqs.peek(usage.url)).toHaveLength(0);
    expect(sqs.peek(dlq.url).map((m) => m.body)).toEqual(['fail: not an event']);
  });

  it('starts no batch with less time left than the reserve, and leaves the rest for the next run', async () => {
    for (let i = 0; i < 60; i++) sqs.sendMessage(usage.url, `event ${i}`);
    let left = 120_000;
    const { batches, record } = recorder();
    const outcome = await drainUsage(
      queueOf(sqs),
      async (messages) => {
        left -= 40_000;
        return record(messages);
      },
      settings({ timeLeft: () => left, lanes: 1, batchSize: 20 }),
    );

    expect(outcome).toMatchObject({ batches: 2, recorded: 40, stoppedBy: 'time' });
    expect(batches).toHaveLength(2);
    expect(sqs.peek(usage.url)).toHaveLength(20);
    expect(sqs.peek(usage.url).every((m) => m.receiveCount === 0)).toBe(true);
  });

  it('records a message a receive handed out twice once, and counts what it could not delete', async () => {
    const message = (i: number): QueuedMessage => ({ messageId: `m${i}`, body: `event ${i}`, receiptHandle: `h${i}`, sentAt: 0 });
    // Two full receives that share five messages (SQS is at least once), then nothing.
    const deliveries = [Array.from({ length: 10 }, (_, i) => message(i)), Array.from({ length: 10 }, (_, i) => message(i + 5)), []];
    const { batches, record } = recorder();
    const outcome = await drainUsage(
      {
        receive: async () => deliveries.shift() ?? [],
        delete: async (messages) => messages.filter((m) => m.messageId === 'm14').map((m) => m.messageId),
      },
      record,
      settings({ lanes: 1, batchSize: 20 }),
    );
    expect(batches).toEqual([Array.from({ length: 15 }, (_, i) => `event ${i}`)]);
    expect(outcome).toMatchObject({ received: 15, recorded: 15, undeleted: 1 });
  });

  it('stops at a receive that found fewer than it asked for: no more receives, none waiting on an empty queue', async () => {
    for (let i = 0; i < 23; i++) sqs.sendMessage(usage.url, `event ${i}`);
    const receives: number[] = [];
    const outcome = await drainUsage(queueOf(sqs, receives), recorder().record, settings({ lanes: 1, batchSize: 1_000 }));
    expect(receives).toEqual([10, 10, 3]);
    expect(outcome).toMatchObject({ received: 23, stoppedBy: 'caughtUp' });
  });
});

describe('SqsUsageQueue', () => {
  const client = mockClient(SQSClient);
  beforeEach(() => client.reset());

  it('long-polls for the sent time of each message, and names the messages a batch delete failed', async () => {
    client.on(ReceiveMessageCommand).resolves({
      Messages: [{ MessageId: 'm1', Body: '{}', ReceiptHandle: 'r1', Attributes: { SentTimestamp: '1764098411123' } }],
    });
    client
      .on(DeleteMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0' }], Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true }] });
    const queue = new SqsUsageQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/usage');

    const received = await queue.receive(10);
    expect(received).toEqual([{ messageId: 'm1', body: '{}', receiptHandle: 'r1', sentAt: 1764098411123 }]);
    expect(client.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/usage',
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['SentTimestamp'],
    });

    const failed = await queue.delete([...received, { ...received[0]!, messageId: 'm2', receiptHandle: 'r2' }]);
    expect(failed).toEqual(['m2']);
    expect(client.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'r1' },
      { Id: '1', ReceiptHandle: 'r2' },
    ]);
  });
});
