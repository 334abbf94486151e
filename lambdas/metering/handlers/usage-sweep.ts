import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { sweepWiring } from '../wiring';

/**
 * Scheduled (EventBridge, every SWEEP_EVERY_MINUTES): finishes the hourly rollups of quiet accounts'
 * calls (slots and single items) for the hours that closed since the last two runs, for every account
 * that had such calls those days — admitted calls start no count while their hour runs, and an
 * account that stops calling has its last calls counted without waiting for its next one.
 * Two runs' span, so one failed run is made up by the next; what is counted already is not again.
 */
export const sweep = async (event: Pick<ScheduledEvent, 'time'>) => {
  const now = Date.parse(event.time) || Date.now();
  const { store, everyMinutes } = sweepWiring();
  const result = await store.finishHours(now - 2 * everyMinutes * 60_000, now);
  if (result.hours) logger.info('Usage sweep', result);
  return result;
};

export const handler = middy<ScheduledEvent>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(sweep);
