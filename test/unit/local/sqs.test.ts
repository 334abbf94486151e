import type { SQSEvent } from 'aws-lambda';
import type { LocalQueue } from '../../../local/assembly';
import { LocalSqs, pollersFor } from '../../../local/sqs';

const dlq: LocalQueue = {
  logicalId: 'Dlq',
  name: 'Dlq',
  url: 'http://aws/000/Dlq',
  arn: 'arn:aws:sqs:us-east-1:000:Dlq',
  visibilityTimeoutSeconds: 30,
  retentionSeconds: 1209600,
};
const main: LocalQueue = {
  logicalId: 'Main',
  name: 'Main',
  url: 'http://aws/000/Main',
  arn: 'arn:aws:sqs:us-east-1:000:Main',
  visibilityTimeoutSeconds: 10,
  retentionSeconds: 345600,
  redrive: { deadLetterArn: dlq.arn, maxReceiveCount: 3 },
};
const source = { queueArn: main.arn, functionId: 'Worker', batchSize: 4, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true };

/** Waits until `check` passes or the time is up. */
async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('LocalSqs', () => {
  let sqs: LocalSqs;
  beforeEach(() => {
    // 10 s visibility × 0.002 = 20 ms, so retries are observable quickly.
    sqs = new LocalSqs([main, dlq], { visibilityScale: 0.002 });
  });
  afterEach(() => sqs.stop());

  it('counts a DeleteMessage or DeleteMessageBatch made through the endpoint as one delete request, as SQS bills it', () => {
    for (let i = 0; i < 12; i++) sqs.sendMessage(main.url, `m${i}`);
    const received = sqs.receive(main.url, 10);
    const before = sqs.requests.deletes;
    sqs.deleteMessages(
      main.url,
      received.map((m) => m.receiptHandle!),
    );
    sqs.deleteMessage(main.url, sqs.receive(main.url, 1)[0]!.receiptHandle!);
    expect(sqs.requests.deletes - before).toBe(2);
    expect(sqs.peek(main.url)).toHaveLength(1);
  });

  it('lists queue URLs by name prefix, as ListQueues does', () => {
    expect(sqs.urls().sort()).toEqual([dlq.url, main.url].sort());
    expect(sqs.urls('Ma')).toEqual([main.url]);
    expect(sqs.urls('Nothing')).toEqual([]);
  });

  it('hides a received message for the visibility timeout and counts receives', async () => {
    sqs.sendMessage(main.url, 'one');
    const [first] = sqs.receive(main.url, 10, 60);
    expect(first!.receiveCount).toBe(1);
    expect(sqs.receive(main.url, 10)).toHaveLength(0);
    sqs.changeVisibility(main.url, first!.receiptHandle!, 0);
    expect(sqs.receive(main.url, 10)[0]!.receiveCount).toBe(2);
  });

  it('delivers batches no larger than the batch size', async () => {
    for (let i = 0; i < 10; i++) sqs.sendMessage(main.url, `m${i}`);
    const sizes: number[] = [];
    sqs.startPolling(
      [source],
      async (_fn, event: SQSEvent) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
      () => undefined,
      5,
    );
    await eventually(() => expect(sqs.peek(main.url)).toHaveLength(0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('keeps only reported failures of a batch and redrives a poison message to the DLQ', async () => {
    sqs.sendMessage(main.url, 'good-1');
    sqs.sendMessage(main.url, 'poison');
    sqs.sendMessage(main.url, 'good-2');
    const processed: string[] = [];
    sqs.startPolling(
      [source],
      async (_fn, event: SQSEvent) => {
        const failures = event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId }));
        for (const r of event.Records) if (r.body !== 'poison') processed.push(r.body);
        return { batchItemFailures: failures };
      },
      () => undefined,
      5,
    );
    await eventually(() => expect(sqs.peek(dlq.url).map((m) => m.body)).toEqual(['poison']));
    expect(processed.sort()).toEqual(['good-1', 'good-2']);
    expect(sqs.peek(main.url)).toHaveLength(0);
  });

  it('retries the whole batch when the function throws', async () => {
    sqs.sendMessage(main.url, 'a');
    let calls = 0;
    sqs.startPolling(
      [source],
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return {};
      },
      () => undefined,
      5,
    );
    await eventually(() => expect(sqs.peek(main.url)).toHaveLength(0));
    expect(calls).toBe(2);
    expect(sqs.peek(dlq.url)).toHaveLength(0);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async () => {
    sqs.sendMessage(main.url, 'a');
    let calls = 0;
    sqs.startPolling(
      [source],
      async () => {
        calls += 1;
        return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : {};
      },
      () => undefined,
      5,
    );
    await eventually(() => expect(sqs.peek(main.url)).toHaveLength(0));
    expect(calls).toBe(2);
  });

  it('rejects unknown queues and oversized messages as SQS does', () => {
    expect(() => sqs.sendMessage('http://aws/000/Nope', 'x')).toThrow(/does not exist/);
    expect(() => sqs.sendMessage(main.url, 'x'.repeat(262_145))).toThrow(/262144/);
  });

  it('gathers as many batches at once as Lambda has pollers, each until its window passes', async () => {
    // Visibility 15 minutes and window 4 s × 0.02: 18 s and 80 ms, so nothing comes back while a batch
    // gathers and is handled, however slowly a loaded machine runs them (at 200 ms one message came back).
    sqs.stop();
    const patient = { ...main, visibilityTimeoutSeconds: 900 };
    sqs = new LocalSqs([patient, dlq], { visibilityScale: 0.02 });
    const windowed = { ...source, batchSize: 1000, maxBatchingWindowSeconds: 4 };
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    sqs.startPolling(
      [windowed],
      async (_fn, event: SQSEvent) => {
        most = Math.max(most, ++running);
        sizes.push(event.Records.length);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return { batchItemFailures: [] };
      },
      () => undefined,
      { pollers: 3, receiveRoundTripMs: 1 },
    );
    for (let i = 0; i < 60; i++) {
      sqs.sendMessage(main.url, `m${i}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await eventually(() => expect(sizes.reduce((a, b) => a + b, 0)).toBe(60));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    // Each receive took at most ten; an idle poller's long poll that found nothing is counted as empty.
    expect(sqs.requests.received).toBe(60);
    expect(sqs.requests.receives).toBeGreaterThanOrEqual(6);
    // A batch is deleted once its handler returns, a little after its last record was counted above.
    await eventually(() => expect(sqs.requests.deletes).toBeGreaterThanOrEqual(sizes.length));
  });

  it('shrinks batching windows alone when asked, leaving visibility timeouts as they are', async () => {
    sqs.stop();
    // A 30 s window × 0.001: the batch goes within a few hundredths of a second; visibility stays 10 s.
    sqs = new LocalSqs([main, dlq], { batchingWindowScale: 0.001 });
    const windowed = { ...source, batchSize: 1000, maxBatchingWindowSeconds: 30 };
    const delivered: number[] = [];
    const sentAt = Date.now();
    sqs.sendMessage(main.url, 'one');
    sqs.startPolling(
      [windowed],
      async (_fn, event: SQSEvent) => {
        delivered.push(event.Records.length);
        return { batchItemFailures: [] };
      },
      () => undefined,
      { pollers: 1, receiveRoundTripMs: 1 },
    );
    await eventually(() => expect(delivered).toEqual([1]), 10_000);
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    sqs.sendMessage(main.url, 'two');
    const [received] = sqs.receive(main.url, 10);
    expect(received!.visibleAt - Date.now()).toBeGreaterThan(9_000);
  });

  it("starts five pollers as Lambda does, fewer under the mapping's maximum concurrency, or the count asked for", () => {
    expect(pollersFor({})).toBe(5);
    expect(pollersFor({ maxConcurrency: 2 })).toBe(2);
    expect(pollersFor({ maxConcurrency: 2 }, 8)).toBe(8);
  });
});
