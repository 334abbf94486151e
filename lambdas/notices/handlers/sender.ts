import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbSuppressionList } from '../../shared/adapters/dynamodb-suppressions';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { dynamo } from '../../shared/clients/dynamodb';
import { ses } from '../../shared/clients/sesv2';
import { logger } from '../../shared/logger';
import { isOptionalTopic } from '../../shared/notice-topics';
import type { PseudonymKeySet } from '../../shared/pseudonyms';
import { DynamoDbNoticeStore } from '../adapters/dynamodb-notices';
import { DynamoDbRecipients } from '../adapters/dynamodb-recipients';
import { linkKeysFromEnv, senderConfig } from '../config';
import { type DeliverDeps, type DeliveryResult, deliverNotice } from '../domain/deliver';
import { unsubscribeUrl } from '../domain/links';
import type { NoticeJob } from '../domain/model';

const config = senderConfig();
const linkKeys = linkKeysFromEnv();
const suppressions = new DynamoDbSuppressionList(dynamo, config.TABLE_SUPPRESSIONS);
const notices = new DynamoDbNoticeStore(dynamo, config.TABLE_NOTICES);
const recipients = new DynamoDbRecipients(dynamo, config.TABLE_ACCOUNTS);
const mailer = new SesMailer(ses, config.MAIL_FROM, { suppressions, configurationSet: config.MAIL_CONFIGURATION_SET });
const jobs = new Map<string, NoticeJob>();
const Delivery = z.object({ noticeId: z.string().regex(/^ntc_[0-9a-f]{24}$/), accountId: z.string().min(1).max(100) });

/** The gap between two sends of this instance: SES's rate, shared by the instances the event source may run. */
const gapMs = 1000 / config.NOTICE_SENDS_PER_SECOND;

const depsWith = (keys: PseudonymKeySet, topic: NoticeJob['topic']): DeliverDeps => ({
  notices,
  recipients,
  suppressions,
  mailer,
  sender: {
    transactionalFrom: config.MAIL_FROM,
    subscriptionFrom: config.NOTICES_FROM,
    mailDomain: config.MAIL_DOMAIN,
    unsubscribeUrl: (accountId) => (isOptionalTopic(topic) ? unsubscribeUrl(config.PUBLIC_URL, keys, accountId, topic) : ''),
  },
  now: () => new Date(),
});

/**
 * The notices queue's consumer: one message per recipient, each delivered at most once
 * (`deliverNotice`), paced to the stage's SES rate. A failed message is reported alone (partial batch
 * response), retried by SQS and, after a few receives, parked in the DLQ.
 */
export const send = async (event: SQSEvent): Promise<SQSBatchResponse> => {
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
      const result = await deliverNotice(parsed.data, depsWith(keys, job.topic), jobs);
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
