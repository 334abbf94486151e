import { GetObjectCommand } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SESEvent, SESEventRecord } from 'aws-lambda';
import { type AddressObject, simpleParser } from 'mailparser';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { dynamo } from '../../shared/clients/dynamodb';
import { s3 } from '../../shared/clients/s3';
import { ses } from '../../shared/clients/sesv2';
import { logger } from '../../shared/logger';
import { DynamoDbTicketStore } from '../adapters/dynamodb-ticket-store';
import { mailConfig } from '../config';
import { type InboundMessage, type ReceiveDeps, receiveMail } from '../domain/inbound';

const config = mailConfig();
const deps: ReceiveDeps = {
  tickets: new DynamoDbTicketStore(dynamo, config.TABLE_TICKETS),
  mailer: new SesMailer(ses, config.MAIL_FROM),
  mailDomain: config.MAIL_DOMAIN,
};

/** Where the SES receipt rule's S3 action put the raw message. */
export const storageKeyOf = (record: SESEventRecord) => `inbound/${record.ses.mail.messageId}`;

/** Reads the raw message SES stored and parses it into what the domain needs. */
export async function loadMessage(record: SESEventRecord): Promise<InboundMessage> {
  const storageKey = storageKeyOf(record);
  const object = await s3.send(new GetObjectCommand({ Bucket: config.BUCKET_INBOUND_MAIL, Key: storageKey }));
  const parsed = await simpleParser(Buffer.from(await object.Body!.transformToByteArray()));
  const { receipt, mail } = record.ses;
  const autoSubmitted = String(parsed.headers.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  return {
    messageId: mail.messageId,
    headerMessageId: parsed.messageId,
    from: firstAddress(parsed.from) ?? mail.source,
    recipients: receipt.recipients,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    receivedAt: new Date(mail.timestamp),
    automated: autoSubmitted !== 'no' || ['bulk', 'junk', 'list'].includes(precedence),
    suspicious: receipt.spamVerdict?.status === 'FAIL' || receipt.virusVerdict?.status === 'FAIL',
    storageKey,
  };
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
    });
  }
};

function firstAddress(from: AddressObject | undefined): string | undefined {
  return from?.value.find((entry) => entry.address)?.address;
}

export const handler = middy<SESEvent, void>().use(injectLambdaContext(logger, { resetKeys: true })).handler(inbound);
