import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { metrics } from '../adapters/powertools-metrics';
import { type BatchOutcome, recordUsageBatch } from '../domain/usage';
import { UsageRecordError } from '../errors';
import { workerWiring } from '../wiring';

const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS → usage logs and aggregates. The batch is recorded together (one transaction per up to 100
 * items); Powertools then reports each message that was not recorded as a partial batch failure, so
 * SQS retries just those and parks a malformed one in the DLQ after five receives.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const outcome: BatchOutcome = await recordUsageBatch(event.Records, workerWiring());
    logger.info('Usage batch', {
      size: event.Records.length,
      recorded: outcome.recorded,
      duplicates: outcome.duplicates,
      dropped: outcome.dropped,
      failed: outcome.failed.size,
    });
    const recordHandler = async (record: SQSRecord) => {
      if (outcome.failed.has(record.messageId)) throw new UsageRecordError(record.messageId);
    };
    return processPartialResponse(event, recordHandler, processor, { context });
  });
