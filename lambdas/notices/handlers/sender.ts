import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../../shared/logger';
import { type DeliveryResult, deliverNotice } from '../domain/deliver';
import type { NoticeJob } from '../domain/model';
import { senderWiring } from '../wiring';

const jobs = new Map<string, NoticeJob>();
const Delivery = z.object({ noticeId: z.string().regex(/^ntc_[0-9a-f]{24}$/), accountId: z.string().min(1).max(100) });

/**
 * The notices queue's consumer: one message per recipient, each delivered at most once
 * (`deliverNotice`), paced to the stage's SES rate. A failed message is reported alone (partial batch
 * response), retried by SQS and, after a few receives, parked in the DLQ.
 */
export const send = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { notices, linkKeys, gapMs, deliverDeps } = senderWiring();
  const keys = await linkKeys();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const outcomes: Partial<Record<DeliveryResult, number>> = {};
  let last = 0;
  for (const record of event.Records) {
    try {
      const parsed = Delivery.safeParse(JSON.parse(record.body));
      if (!parsed.success) {
        logger.error('Not a notice delivery: dropped', { messageId: record.messageId });
        continue;
      }
      const job = jobs.get(parsed.data.noticeId) ?? (await notices.get(parsed.data.noticeId));
      if (!job) throw new Error(`Notice ${parsed.data.noticeId} does not exist`);
      jobs.set(job.noticeId, job);
      const wait = last + gapMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      last = Date.now();
      const result = await deliverNotice(parsed.data, deliverDeps(keys, job.topic), jobs);
      outcomes[result] = (outcomes[result] ?? 0) + 1;
    } catch (error) {
      logger.error('Notice delivery failed; SQS retries it', { messageId: record.messageId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  logger.info('Notice batch', { outcomes, failed: batchItemFailures.length });
  return { batchItemFailures };
};

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(send);
