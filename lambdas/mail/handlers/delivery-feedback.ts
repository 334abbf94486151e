import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { applyFeedback, DeliveryFeedbackSchema } from '../domain/feedback';
import { feedbackWiring } from '../wiring';

/**
 * SES bounce and complaint reports (configuration set → SNS → here): their addresses go on the
 * suppression list every mailer checks. A report that is not JSON of SES's shape is logged and
 * dropped (retrying cannot fix it); a failed write throws, so SNS retries and then parks it in the DLQ.
 */
export const deliveryFeedback = async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records) {
    let message: unknown;
    try {
      message = JSON.parse(record.Sns.Message);
    } catch {
      message = undefined;
    }
    const parsed = DeliveryFeedbackSchema.safeParse(message);
    if (!parsed.success) {
      logger.warn('Not an SES delivery report: dropped', { messageId: record.Sns.MessageId });
      continue;
    }
    const suppressed = await applyFeedback(parsed.data, feedbackWiring().suppressions, record.Sns.Timestamp ?? new Date().toISOString());
    logger.info('Delivery report applied', {
      type: parsed.data.eventType ?? parsed.data.notificationType,
      suppressed,
      sesMessageId: parsed.data.mail?.messageId,
    });
  }
};

export const handler = middy<SNSEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(deliveryFeedback);
