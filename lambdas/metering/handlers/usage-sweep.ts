import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { dynamo } from '../../shared/clients/dynamodb';
import { logger } from '../../shared/logger';
import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store';
import { sweepConfig } from '../config';

const config = sweepConfig();
// The sweep only counts single calls: it writes no page and no refund, so it has no ledger table (and no grant to one).
const store = new DynamoDbUsageStore(dynamo, {
  usageLogs: config.TABLE_USAGE_LOGS,
  usageAggregates: config.TABLE_USAGE_AGGREGATES,
  ledger: '',
});

/**
 * Scheduled (EventBridge, every SWEEP_EVERY_MINUTES): finishes the single calls' hourly rollups of
 * the hours that closed since the last two runs, for every account that had single calls those days
 * — so an account that stops calling has its last calls counted without waiting for its next one.
 * Two runs' span, so one failed run is made up by the next; what is counted already is not again.
 */
export const sweep = async (event: Pick<ScheduledEvent, 'time'>) => {
  const now = Date.parse(event.time) || Date.now();
  const result = await store.finishHours(now - 2 * config.SWEEP_EVERY_MINUTES * 60_000, now);
  if (result.hours) logger.info('Usage sweep', result);
  return result;
};

export const handler = middy<ScheduledEvent>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(sweep);
