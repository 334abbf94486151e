import { inParallel } from '../../shared/in-parallel';
import type { BatchOutcome } from './usage';

/** A usage event taken from the queue: invisible to other receivers until deleted or its visibility ends. */
export interface QueuedMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
  /** When the gateway sent it (SQS's `SentTimestamp`), epoch ms. */
  sentAt: number;
}

/** The usage queue, as the drain uses it. */
export interface UsageQueue {
  /** Up to `max` (at most ten) waiting messages; none when the queue has none waiting. */
  receive(max: number): Promise<QueuedMessage[]>;
  /** Deletes recorded messages (ten a request); returns the ids it could not delete. */
  delete(messages: QueuedMessage[]): Promise<string[]>;
}

/** Receives a run keeps going at once: ~10 ms each, so a run takes a backlog at thousands of messages a second. */
export const DRAIN_LANES = 4;

export interface DrainSettings {
  /** Messages sent from this time on are left for the next run (epoch ms). */
  startedAt: number;
  /** Events recorded together: what an account's calls in one batch share (pages, rollups). */
  batchSize: number;
  /** Receives kept going at once. */
  lanes: number;
  /** The invocation's time left, ms. */
  timeLeft: () => number;
  /** No batch is started with less time left than this: a batch must be recorded and deleted in it. */
  reserveMs: number;
}

export interface DrainOutcome {
  batches: number;
  received: number;
  recorded: number;
  duplicates: number;
  dropped: number;
  /** Left on the queue to be received again (and parked in the DLQ after the queue's receive limit). */
  failed: number;
  /** Recorded but not deleted: received again later, and then found recorded. */
  undeleted: number;
  /** Why the run stopped: a receive found fewer than it asked for or one sent after the run started, or its time ran short. */
  stoppedBy: 'caughtUp' | 'time';
}

/**
 * One run of the usage drain: receives what the gateway queued before the run started, in batches of
 * up to `batchSize`, records each batch exactly once (`record`: `recordUsageBatch`) and deletes what
 * it recorded. A message that failed stays on the queue: it is received again when its visibility
 * ends, as a partial batch failure is under an event source mapping, and the queue's redrive policy
 * parks it after the receive limit. Messages sent after the run started are left for the next run
 * (but for the few a receive already took), so an account's calls of a whole period share a batch.
 */
export async function drainUsage(
  queue: UsageQueue,
  record: (messages: QueuedMessage[]) => Promise<BatchOutcome>,
  settings: DrainSettings,
): Promise<DrainOutcome> {
  const outcome: DrainOutcome = {
    batches: 0,
    received: 0,
    recorded: 0,
    duplicates: 0,
    dropped: 0,
    failed: 0,
    undeleted: 0,
    stoppedBy: 'caughtUp',
  };
  let caughtUp = false;
  while (!caughtUp) {
    if (settings.timeLeft() < settings.reserveMs) {
      outcome.stoppedBy = 'time';
      break;
    }
    const batch: QueuedMessage[] = [];
    let asked = 0;
    const lane = async () => {
      // Each receive asks for what the batch still has room for, counting the receives under way.
      for (let room = settings.batchSize - asked; !caughtUp && room > 0; room = settings.batchSize - asked) {
        const max = Math.min(10, room);
        asked += max;
        const messages = await queue.receive(max);
        asked -= max - messages.length;
        batch.push(...messages);
        // Fewer than asked: the queue had no more waiting (a receive asks every server). No receive more, no wait on an empty queue.
        if (messages.length < max || messages.some((m) => m.sentAt >= settings.startedAt)) caughtUp = true;
      }
    };
    await Promise.all(Array.from({ length: settings.lanes }, lane));
    if (batch.length === 0) break;
    // A receive may hand out a message again (SQS is at least once): it is recorded once, deleted by its last handle.
    const unique = [...new Map(batch.map((m) => [m.messageId, m])).values()];
    const result = await record(unique);
    const recorded = unique.filter((m) => !result.failed.has(m.messageId));
    const undeleted: string[] = [];
    await inParallel(tens(recorded), settings.lanes, async (chunk) => undeleted.push(...(await queue.delete(chunk))));
    outcome.batches++;
    outcome.received += unique.length;
    outcome.recorded += result.recorded;
    outcome.duplicates += result.duplicates;
    outcome.dropped += result.dropped;
    outcome.failed += result.failed.size;
    outcome.undeleted += undeleted.length;
  }
  return outcome;
}

const tens = <T>(items: T[]): T[][] => Array.from({ length: Math.ceil(items.length / 10) }, (_, i) => items.slice(i * 10, i * 10 + 10));
