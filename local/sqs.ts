import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalEventSource, LocalQueue } from './assembly';
import { LOCAL_REGION } from './intrinsics';

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  /** Epoch ms before which the message is in flight and cannot be received. */
  visibleAt: number;
  receiptHandle?: string;
}

export class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'SqsError';
  }
}

export interface PollingOptions {
  /**
   * Concurrent batches per event source mapping. @default what Lambda starts for a queue with
   * messages: five, or the mapping's MaximumConcurrency when that is lower. Lambda adds pollers when
   * the queue backs up; at the rates this platform runs locally it does not.
   */
  pollers?: number;
  /** The time one ReceiveMessage takes (what limits how many messages a receive finds at a low rate). @default 20 */
  receiveRoundTripMs?: number;
  /** The poller acts with the function's role: it must be allowed to receive, delete and decrypt. @default allowed */
  authorizePoll?: (source: LocalEventSource, queueArn: string) => Promise<void>;
}

/** SQS long polling's longest wait (WaitTimeSeconds), which Lambda's pollers use. */
const LONG_POLL_SECONDS = 20;
/** Lambda's concurrent batches for a queue with messages, before it scales up. */
export const LAMBDA_INITIAL_POLLERS = 5;
const DEFAULT_RECEIVE_ROUND_TRIP_MS = 20;

/** How many batches Lambda gathers at once for this mapping. */
export function pollersFor(source: Pick<LocalEventSource, 'maxConcurrency'>, setting?: number): number {
  if (setting !== undefined) return Math.max(1, Math.floor(setting));
  return Math.max(1, Math.min(LAMBDA_INITIAL_POLLERS, source.maxConcurrency ?? Infinity));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QueueOptions {
  /** Persist queue contents under this folder, so a restart loses nothing. */
  dataDir?: string;
  /** Multiplies visibility timeouts and batching windows: 1 in real use; tests shrink it to see retries quickly. @default 1 */
  visibilityScale?: number;
  /**
   * Multiplies batching windows alone, for tests that wait for a batch but test neither its window nor
   * retries (a visibility timeout shrunk as much can expire while a loaded machine runs the batch). @default visibilityScale
   */
  batchingWindowScale?: number;
}

/** One queue with SQS semantics: visibility timeout, receive counts, redrive to a DLQ, retention. */
class Queue {
  messages: StoredMessage[] = [];

  constructor(
    readonly spec: LocalQueue,
    private readonly file?: string,
  ) {
    if (file && fs.existsSync(file)) this.messages = JSON.parse(fs.readFileSync(file, 'utf8'));
  }

  private pending?: NodeJS.Timeout;

  /**
   * Writes the queue to its file within 100 ms, once for all the changes meanwhile: with pollers
   * receiving a few messages at a time, writing the whole queue on every change would stall the
   * process the platform runs in.
   */
  persist(): void {
    if (!this.file || this.pending) return;
    this.pending = setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.messages));
    fs.renameSync(tmp, this.file);
  }
}

/**
 * The in-process SQS: queues from the template, the wire operations the AWS SDK sends, and the
 * Lambda event source mappings (batch size, batching window, partial batch failures).
 */
export class LocalSqs {
  private readonly queues = new Map<string, Queue>();
  private readonly scale: number;
  private readonly windowScale: number;
  private running = false;

  constructor(specs: LocalQueue[], options: QueueOptions = {}) {
    this.scale = options.visibilityScale ?? 1;
    this.windowScale = options.batchingWindowScale ?? this.scale;
    if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
    for (const spec of specs) {
      const file = options.dataDir ? path.join(options.dataDir, `${spec.name}.json`) : undefined;
      this.queues.set(spec.url, new Queue(spec, file));
    }
  }

  private queue(url: string): Queue {
    const byUrl = this.queues.get(url);
    if (byUrl) return byUrl;
    const name = url.split('/').pop();
    const byName = [...this.queues.values()].find((q) => q.spec.name === name);
    if (!byName) throw new SqsError('AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${url}`);
    return byName;
  }

  private byArn(arn: string): Queue {
    const found = [...this.queues.values()].find((q) => q.spec.arn === arn);
    if (!found) throw new SqsError('AWS.SimpleQueueService.NonExistentQueue', `No queue ${arn}`);
    return found;
  }

  sendMessage(queueUrl: string, body: string, messageAttributes: StoredMessage['messageAttributes'] = {}): StoredMessage {
    if (typeof body !== 'string' || body.length === 0) throw new SqsError('MissingParameter', 'MessageBody is required');
    if (Buffer.byteLength(body) > 262_144) throw new SqsError('InvalidParameterValue', 'Message must be shorter than 262144 bytes');
    const queue = this.queue(queueUrl);
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      messageAttributes,
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    queue.messages.push(message);
    queue.persist();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    return message;
  }

  /**
   * Receives up to `max` visible messages, hiding them for the visibility timeout. A message already
   * received `maxReceiveCount` times moves to the dead-letter queue instead of being delivered.
   */
  receive(queueUrl: string, max: number, visibilityTimeoutSeconds?: number): StoredMessage[] {
    const received = this.take(this.queue(queueUrl), max, visibilityTimeoutSeconds);
    this.count(received.length);
    return received;
  }

  private count(received: number): void {
    this.requests.receives++;
    if (received === 0) this.requests.emptyReceives++;
    this.requests.received += received;
  }

  private take(queue: Queue, max: number, visibilityTimeoutSeconds?: number): StoredMessage[] {
    const now = Date.now();
    const retentionCutoff = now - queue.spec.retentionSeconds * 1000;
    const held = queue.messages.length;
    queue.messages = queue.messages.filter((m) => m.sentAt >= retentionCutoff);
    let changed = queue.messages.length !== held;
    const received: StoredMessage[] = [];
    for (const message of [...queue.messages]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.spec.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetter(queue, message, redrive.deadLetterArn);
        changed = true;
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      message.visibleAt = now + (visibilityTimeoutSeconds ?? queue.spec.visibilityTimeoutSeconds) * 1000 * this.scale;
      received.push(message);
    }
    if (changed || received.length) queue.persist();
    return received;
  }

  deleteMessage(queueUrl: string, receiptHandle: string): void {
    this.deleteMessages(queueUrl, [receiptHandle]);
  }

  /** Deletes several messages with one write of the queue's file, counted as `requests` delete requests (one DeleteMessageBatch). */
  deleteMessages(queueUrl: string, receiptHandles: string[], requests = 1): void {
    this.requests.deletes += requests;
    const queue = this.queue(queueUrl);
    const handles = new Set(receiptHandles);
    // As in SQS, deleting with a stale handle of a message no longer there is not an error.
    queue.messages = queue.messages.filter((m) => !m.receiptHandle || !handles.has(m.receiptHandle));
    queue.persist();
  }

  changeVisibility(queueUrl: string, receiptHandle: string, seconds: number): void {
    const queue = this.queue(queueUrl);
    const message = queue.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) throw new SqsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid');
    message.visibleAt = Date.now() + seconds * 1000 * this.scale;
    queue.persist();
  }

  purge(queueUrl: string): void {
    const queue = this.queue(queueUrl);
    queue.messages = [];
    queue.persist();
  }

  attributes(queueUrl: string): Record<string, string> {
    const queue = this.queue(queueUrl);
    const now = Date.now();
    const visible = queue.messages.filter((m) => m.visibleAt <= now).length;
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - visible),
      QueueArn: queue.spec.arn,
      VisibilityTimeout: String(queue.spec.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(queue.spec.retentionSeconds),
      ...(queue.spec.redrive
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: queue.spec.redrive.deadLetterArn,
              maxReceiveCount: queue.spec.redrive.maxReceiveCount,
            }),
          }
        : {}),
    };
  }

  /** Messages currently held (visible or in flight), for inspection and tests. */
  peek(queueUrl: string): readonly StoredMessage[] {
    return this.queue(queueUrl).messages;
  }

  /** The ARN of the queue a URL (or name) points at; undefined when there is none. */
  arnOf(queueUrl: string): string | undefined {
    try {
      return this.queue(queueUrl).spec.arn;
    } catch {
      return undefined;
    }
  }

  urlOfArn(arn: string): string {
    return this.byArn(arn).spec.url;
  }

  /** The URLs of the queues whose name starts with `prefix` (ListQueues). */
  urls(prefix = ''): string[] {
    return [...this.queues.values()].filter((q) => q.spec.name.startsWith(prefix)).map((q) => q.spec.url);
  }

  urlOf(name: string): string {
    const queue = [...this.queues.values()].find((q) => q.spec.name === name || q.spec.logicalId === name);
    if (!queue) throw new Error(`No queue named ${name}`);
    return queue.spec.url;
  }

  private moveToDeadLetter(source: Queue, message: StoredMessage, deadLetterArn: string): void {
    const target = this.byArn(deadLetterArn);
    source.messages = source.messages.filter((m) => m !== message);
    target.messages.push({ ...message, visibleAt: 0, receiptHandle: undefined, receiveCount: 0, sentAt: Date.now() });
    target.persist();
  }

  /**
   * Polls each mapped queue and invokes its function as Lambda's SQS event source does: `pollers`
   * concurrent pollers per mapping (Lambda starts five concurrent batches for a queue with messages,
   * at most the mapping's ScalingConfig.MaximumConcurrency), each long-polling ReceiveMessage for up
   * to ten messages at a time and gathering them into a batch until it holds the template's batch
   * size or the batching window, counted from its first message, has passed. A receive that waits
   * the whole long poll and finds nothing is an empty receive; every receive and delete request is
   * counted (`requests`), so the cost of polling is measured, not derived. With
   * ReportBatchItemFailures, only the reported messages stay for a retry; a thrown error or a
   * malformed report retries the whole batch.
   */
  startPolling(
    sources: LocalEventSource[],
    invoke: (functionId: string, event: SQSEvent) => Promise<unknown>,
    log: (line: string) => void,
    options: number | PollingOptions = {},
  ): void {
    const settings = typeof options === 'number' ? { receiveRoundTripMs: options } : options;
    this.running = true;
    for (const source of sources) {
      const queue = this.byArn(source.queueArn);
      const pollers = pollersFor(source, settings.pollers);
      for (let i = 0; i < pollers; i++)
        void this.poll(queue, source, invoke, log, settings.receiveRoundTripMs ?? DEFAULT_RECEIVE_ROUND_TRIP_MS, settings.authorizePoll);
    }
  }

  /** What the local endpoint served: receive requests (and those that found nothing), messages received, delete requests. */
  readonly requests = { receives: 0, emptyReceives: 0, received: 0, deletes: 0 };

  private readonly waiters = new Set<() => void>();

  /** Resolves when a message may be visible, or at `until` (epoch ms), whichever is first. */
  private async visibleOrUntil(queue: Queue, until: number): Promise<void> {
    while (this.running && Date.now() < until) {
      if (queue.messages.some((m) => m.visibleAt <= Date.now())) return;
      // A send wakes the waiter at once; a message coming back from its visibility timeout is seen within 50 ms.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(50, Math.max(1, until - Date.now())));
        this.waiters.add(done);
      });
    }
  }

  private async poll(
    queue: Queue,
    source: LocalEventSource,
    invoke: (functionId: string, event: SQSEvent) => Promise<unknown>,
    log: (line: string) => void,
    roundTripMs: number,
    authorizePoll: (source: LocalEventSource, queueArn: string) => Promise<void> = async () => undefined,
  ): Promise<void> {
    const windowMs = source.maxBatchingWindowSeconds * 1000 * this.windowScale;
    const longPollMs = LONG_POLL_SECONDS * 1000 * this.scale;
    while (this.running) {
      try {
        await authorizePoll(source, queue.spec.arn);
      } catch (error) {
        // As Lambda's poller: it cannot read the queue, so nothing is delivered, and it keeps trying.
        log(`event source ${queue.spec.name} → ${source.functionId} cannot poll: ${(error as Error).message}`);
        await sleep(5_000 * this.scale);
        continue;
      }
      const batch: StoredMessage[] = [];
      let firstAt: number | undefined;
      while (this.running && batch.length < source.batchSize) {
        const deadline = firstAt === undefined ? Date.now() + longPollMs : Math.min(Date.now() + longPollMs, firstAt + windowMs);
        await this.visibleOrUntil(queue, deadline);
        if (!this.running) break;
        const received = this.take(queue, Math.min(10, source.batchSize - batch.length));
        // Another poller took what woke this one: its long poll goes on, the same request.
        if (received.length === 0 && Date.now() < deadline) continue;
        this.count(received.length);
        if (roundTripMs > 0) await sleep(roundTripMs);
        if (received.length) {
          firstAt ??= Date.now();
          batch.push(...received);
        }
        if (firstAt !== undefined && Date.now() - firstAt >= windowMs) break;
      }
      if (batch.length) await this.deliverBatch(queue, source, batch, invoke, log);
    }
  }

  private async deliverBatch(
    queue: Queue,
    source: LocalEventSource,
    batch: StoredMessage[],
    invoke: (functionId: string, event: SQSEvent) => Promise<unknown>,
    log: (line: string) => void,
  ): Promise<void> {
    const event: SQSEvent = { Records: batch.map((m) => toRecord(m, queue.spec.arn)) };
    let failedIds: Set<string>;
    try {
      const result = (await invoke(source.functionId, event)) as { batchItemFailures?: { itemIdentifier?: string }[] } | undefined;
      failedIds = source.reportBatchItemFailures ? failuresOf(result, batch) : new Set();
    } catch (error) {
      log(`${source.functionId} failed a batch of ${batch.length} from ${queue.spec.name}: ${(error as Error).message}`);
      failedIds = new Set(batch.map((m) => m.messageId));
    }
    const done = batch.filter((message) => !failedIds.has(message.messageId)).map((message) => message.receiptHandle!);
    // Lambda deletes what the function finished with in DeleteMessageBatch requests of up to ten.
    if (done.length) this.deleteMessages(queue.spec.url, done, Math.ceil(done.length / 10));
  }

  stop(): void {
    this.running = false;
    for (const queue of this.queues.values()) queue.flush();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}

/** Lambda's rule: an unknown or empty itemIdentifier fails the whole batch. */
function failuresOf(result: { batchItemFailures?: { itemIdentifier?: string }[] } | undefined, batch: StoredMessage[]): Set<string> {
  const reported = result?.batchItemFailures ?? [];
  const ids = new Set(batch.map((m) => m.messageId));
  if (reported.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) return ids;
  return new Set(reported.map((f) => f.itemIdentifier!));
}

function toRecord(message: StoredMessage, queueArn: string): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle!,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'LOCAL',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([name, value]) => [
        name,
        {
          dataType: value.DataType,
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}
