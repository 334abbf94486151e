import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { SweepFailed } from '../adapters/dynamodb-usage-store';
import { sweepWiring } from '../wiring';

/**
 * Scheduled (EventBridge, every SWEEP_EVERY_MINUTES): finishes the counts of quiet accounts' calls
 * (slots and single items) for the hours that closed since the last whole run, for every account that
 * had such calls those days — an hour of many calls at its end, the others with the rest of their day
 * after its last hour, in one write of the day's singles rollup. Admitted calls start no count while
 * their hour runs, and an account that stops calling has its last calls counted without waiting for
 * its next one. A run after the day's last hour counts every account listed that day: if there are
 * so many that the run times out, the next runs go on from there (an account counted already is one read).
 * Each hour is finished once; a failed run's hours are finished by the next, as the cursor stays where
 * the last whole run left it; what is counted already is not again. The first run takes two runs' span.
 * A run stops taking accounts RESERVE_MS before its time limit and keeps how far into the hour it
 * got, so the next run goes on from that account instead of the hour's first.
 */
export const sweep = async (event: Pick<ScheduledEvent, 'time'>, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // Never ahead of the clock: a run dated in the future would finish hours still open.
  const now = Math.min(Date.parse(event.time) || Date.now(), Date.now());
  const { store, everyMinutes } = sweepWiring();
  const timeLeft = () => !context || context.getRemainingTimeInMillis() > RESERVE_MS;
  const result = await store.sweep(now, now - 2 * everyMinutes * 60_000, timeLeft).catch((error: unknown) => {
    if (error instanceof SweepFailed)
      logger.error('Usage sweep: account hours left unfinished, tried again next run', { failed: error.failed });
    throw error;
  });
  if (result.stoppedAt) logger.warn('Usage sweep: out of time, the next run goes on from here', result);
  else if (result.hours) logger.info('Usage sweep', result);
  return result;
};

/**
 * What a run keeps of its time limit when it stops taking accounts: enough for the counts under way
 * (three round trips each, or a few more retries after meeting another writer) and the cursor's mark.
 */
export const RESERVE_MS = 30_000;

export const handler = middy<ScheduledEvent>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => sweep(event, context));
