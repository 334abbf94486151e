import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SESEvent, SESEventRecord } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { parseInbound } from '../adapters/parse-mail';
import { type InboundMessage, receiveMail } from '../domain/inbound';
import { inboundWiring } from '../wiring';

/** Where the SES receipt rule's S3 action put the raw message. */
export const storageKeyOf = (record: SESEventRecord) => `inbound/${record.ses.mail.messageId}`;

/** Reads the raw message SES stored and parses it into what the domain needs. */
export async function loadMessage(record: SESEventRecord): Promise<InboundMessage> {
  const storageKey = storageKeyOf(record);
  return parseInbound(await inboundWiring().rawMessage(storageKey), record, storageKey);
}

/** SES receipt rule → one ticket per message, acknowledged once. Failures are retried, then parked in the DLQ. */
export const inbound = async (event: SESEvent): Promise<void> => {
  for (const record of event.Records) {
    const message = await loadMessage(record);
    const result = await receiveMail(message, inboundWiring().receive);
    logger.info('Inbound mail handled', {
      messageId: message.messageId,
      ticketId: result.ticket?.ticketId,
      mailbox: result.ticket?.mailbox,
      acknowledged: result.acknowledged,
      handedOver: result.handedOver ?? false,
      unparsed: message.unparsed ?? false,
      bounce: message.bounce,
    });
  }
};

export const handler = middy<SESEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(inbound);
