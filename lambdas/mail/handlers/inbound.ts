import { GetObjectCommand } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SESEvent, SESEventRecord } from 'aws-lambda';
import { DynamoDbWindowCounter } from '../../shared/adapters/dynamodb-counter';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { dynamo } from '../../shared/clients/dynamodb';
import { s3 } from '../../shared/clients/s3';
import { ses } from '../../shared/clients/sesv2';
import { sqs } from '../../shared/clients/sqs';
import { logger } from '../../shared/logger';
import { DynamoDbTicketStore } from '../adapters/dynamodb-ticket-store';
import { parseInbound } from '../adapters/parse-mail';
import { SqsPrivacyMail } from '../adapters/sqs-privacy-mail';
import { mailConfig } from '../config';
import { type InboundMessage, type ReceiveDeps, receiveMail } from '../domain/inbound';

const config = mailConfig();
const deps: ReceiveDeps = {
  tickets: new DynamoDbTicketStore(dynamo, config.TABLE_TICKETS),
  mailer: new SesMailer(ses, config.MAIL_FROM),
  mailDomain: config.MAIL_DOMAIN,
  privacy: new SqsPrivacyMail(sqs, config.QUEUE_PRIVACY_MAIL_URL),
  counter: new DynamoDbWindowCounter(dynamo, config.TABLE_TICKETS),
};

/** Where the SES receipt rule's S3 action put the raw message. */
export const storageKeyOf = (record: SESEventRecord) => `inbound/${record.ses.mail.messageId}`;

/** Reads the raw message SES stored and parses it into what the domain needs. */
export async function loadMessage(record: SESEventRecord): Promise<InboundMessage> {
  const storageKey = storageKeyOf(record);
  const object = await s3.send(new GetObjectCommand({ Bucket: config.BUCKET_INBOUND_MAIL, Key: storageKey }));
  return parseInbound(Buffer.from(await object.Body!.transformToByteArray()), record, storageKey);
}

/** SES receipt rule → one ticket per message, acknowledged once. Failures are retried, then parked in the DLQ. */
export const inbound = async (event: SESEvent): Promise<void> => {
  for (const record of event.Records) {
    const message = await loadMessage(record);
    const result = await receiveMail(message, deps);
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
