import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Mailer, OutgoingMail } from '../mailer';

/** Sends through SES v2 as a raw MIME message, so the bytes sent are the bytes composed here. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    const raw = await new MailComposer({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      inReplyTo: mail.inReplyTo,
      references: mail.inReplyTo,
      headers: mail.autoSubmitted ? { 'Auto-Submitted': mail.autoSubmitted } : undefined,
    })
      .compile()
      .build();
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [mail.to] },
        Content: { Raw: { Data: raw } },
      }),
    );
  }
}
