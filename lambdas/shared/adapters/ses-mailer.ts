import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';
import { logger } from '../logger';
import type { Mailer, OutgoingMail } from '../mailer';
import { suppressionKeyOf, type SuppressionList } from '../suppressions';
import { mailDeliveryFromEnv } from './dynamodb-suppressions';

/** Where sent mail's bounces and complaints are reported, and the list they fill. */
export interface MailDelivery {
  suppressions?: SuppressionList;
  /** The SES configuration set whose event destination reports bounces and complaints. */
  configurationSet?: string;
}

/**
 * Sends through SES v2 as a raw MIME message, so the bytes sent are the bytes composed here. An
 * address on the suppression list gets nothing; each message names the configuration set, so its
 * bounces and complaints come back to the list. Both come from the function's binding unless given.
 */
export class SesMailer implements Mailer {
  private readonly delivery: Promise<MailDelivery>;

  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    delivery?: MailDelivery,
  ) {
    this.delivery = delivery ? Promise.resolve(delivery) : mailDeliveryFromEnv();
  }

  async send(mail: OutgoingMail): Promise<void> {
    const { suppressions, configurationSet } = await this.delivery;
    if (suppressions && (await suppressions.isSuppressed(mail.to))) {
      logger.info('Mail not sent: the address is on the suppression list', { address: suppressionKeyOf(mail.to), subject: mail.subject });
      return;
    }
    const from = mail.from ?? this.from;
    const raw = await new MailComposer({
      from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      inReplyTo: mail.inReplyTo,
      references: mail.references ?? mail.inReplyTo,
      headers: { ...(mail.autoSubmitted ? { 'Auto-Submitted': mail.autoSubmitted } : {}), ...mail.headers },
    })
      .compile()
      .build();
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [mail.to] },
        Content: { Raw: { Data: raw } },
        ConfigurationSetName: configurationSet,
      }),
    );
  }
}
