import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { metrics } from '../adapters/powertools-metrics';
import { recordUsageBatch } from '../domain/usage';
import { DRAIN_LANES, type DrainOutcome, drainUsage } from '../domain/usage-drain';
import { drainWiring } from '../wiring';

/** No batch is started with less time left: one batch of the default size is recorded in a few seconds. */
export const DRAIN_RESERVE_MS = 60_000;

/**
 * Scheduled (every `drainEveryMinutes`: 1 in dev, 2 in prod) → the usage queue → usage logs and aggregates. Each run takes
 * what the gateway queued before it started, in batches recorded exactly once as the event-source
 * worker records them, and deletes what it recorded; what failed is received again later and ends in
 * the DLQ after the queue's receive limit. A run that meets its time limit leaves the rest to the next.
 */
export const handler = middy<ScheduledEvent, DrainOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    const { worker, queue, batchSize } = drainWiring();
    let recorded = 0;
    try {
      const outcome = await drainUsage(
        queue,
        (messages) => {
          recorded++;
          return recordUsageBatch(messages, worker);
        },
        {
          startedAt: Date.now(),
          batchSize,
          lanes: DRAIN_LANES,
          timeLeft: () => context.getRemainingTimeInMillis(),
          reserveMs: DRAIN_RESERVE_MS,
        },
      );
      if (outcome.failed || outcome.undeleted) logger.warn('Usage drained with events left on the queue', { ...outcome });
      // An idle run (most minutes of a quiet stage) writes no line at all.
      else if (outcome.received) logger.info('Usage drained', { ...outcome });
      return outcome;
    } finally {
      // The batches' metrics (one EMF line); an idle run has none, and publishing none would log a warning each minute.
      if (recorded) metrics.publishStoredMetrics();
    }
  });
