import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { PrivacyMailReceivedSchema } from '../../shared/privacy-mail';
import { intakeWiring } from '../wiring/intake';

const processor = new BatchProcessor(EventType.SQS);

/** One privacy mail: classified, matched to an account, opened (or joined) and answered once. */
async function record(message: SQSRecord): Promise<void> {
  const mail = PrivacyMailReceivedSchema.parse(JSON.parse(message.body));
  const outcome = await intakeWiring().intake.fromMail(mail);
  logger.info('Privacy mail taken in', { messageId: mail.messageId, ticketId: mail.ticketId, outcome });
}

/** SQS (queued by the inbound-mail function) → privacy requests. A message that keeps failing ends in the DLQ. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => processPartialResponse(event, record, processor, { context }));
