import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDbWindowCounter } from '../shared/adapters/dynamodb-counter';
import { DynamoDbSuppressionList } from '../shared/adapters/dynamodb-suppressions';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamo } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { ses } from '../shared/clients/sesv2';
import { sqs } from '../shared/clients/sqs';
import { lazily } from '../shared/config';
import { DynamoDbTicketStore } from './adapters/dynamodb-ticket-store';
import { SqsPrivacyMail } from './adapters/sqs-privacy-mail';
import { feedbackConfig, inboundConfig } from './config';
import type { ReceiveDeps } from './domain/inbound';

/** The inbound-mail function: what receiving a message needs, and the raw message SES stored. */
export const inboundWiring = lazily(() => {
  const config = inboundConfig();
  const receive: ReceiveDeps = {
    tickets: new DynamoDbTicketStore(dynamo, config.TABLE_TICKETS),
    mailer: new SesMailer(ses, config.MAIL_FROM),
    mailDomain: config.MAIL_DOMAIN,
    privacy: new SqsPrivacyMail(sqs, config.QUEUE_PRIVACY_MAIL_URL),
    counter: new DynamoDbWindowCounter(dynamo, config.TABLE_TICKETS),
  };
  return {
    receive,
    rawMessage: async (key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: config.BUCKET_INBOUND_MAIL, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
  };
});

/** The delivery reports' function: the suppression list every mailer checks. */
export const feedbackWiring = lazily(() => ({ suppressions: new DynamoDbSuppressionList(dynamo, feedbackConfig().TABLE_SUPPRESSIONS) }));
