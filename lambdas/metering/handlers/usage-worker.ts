import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { dynamo } from '../../shared/clients/dynamodb';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { DynamoDbAnalyticsConsent, DynamoDbUsageStore } from '../adapters/dynamodb-usage-store';
import { recordUsage } from '../domain/usage';

const config = loadConfig({
  TABLE_USAGE_LOGS: z.string().min(1),
  TABLE_USAGE_AGGREGATES: z.string().min(1),
  TABLE_LEDGER: z.string().min(1),
  TABLE_ACCOUNTS: z.string().min(1),
});
const deps = {
  store: new DynamoDbUsageStore(dynamo, { usageLogs: config.TABLE_USAGE_LOGS, usageAggregates: config.TABLE_USAGE_AGGREGATES, ledger: config.TABLE_LEDGER }),
  consent: new DynamoDbAnalyticsConsent(dynamo, config.TABLE_ACCOUNTS),
};
const processor = new BatchProcessor(EventType.SQS);

/** One record: a malformed event throws, stays in the queue and reaches the DLQ after five tries. */
export const recordHandler = async (record: SQSRecord): Promise<void> => {
  const outcome = await recordUsage(JSON.parse(record.body), deps);
  if (outcome === 'duplicate') logger.info('Usage event already recorded', { messageId: record.messageId });
};

/** SQS → usage logs and aggregates, reporting partial batch failures. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => processPartialResponse(event, recordHandler, processor, { context }));
