import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';

/** What SES v2 SendEmail carries, as far as the platform uses it. */
export interface SendEmailInput {
  FromEmailAddress?: string;
  ConfigurationSetName?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: {
    Raw?: { Data: string };
    Simple?: { Subject?: { Data: string }; Body?: { Text?: { Data: string }; Html?: { Data: string } } };
  };
}

/** The local SES: every sent message becomes one `.eml` file in the outbox folder. */
export class Outbox {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  async send(input: SendEmailInput): Promise<string> {
    const messageId = `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
    let raw: Buffer;
    if (input.Content?.Raw?.Data) {
      raw = Buffer.from(input.Content.Raw.Data, 'base64');
    } else if (input.Content?.Simple) {
      const simple = input.Content.Simple;
      raw = await new MailComposer({
        from: input.FromEmailAddress,
        to: input.Destination?.ToAddresses,
        cc: input.Destination?.CcAddresses,
        subject: simple.Subject?.Data,
        text: simple.Body?.Text?.Data,
        html: simple.Body?.Html?.Data,
      })
        .compile()
        .build();
    } else {
      throw new Error('Content.Raw or Content.Simple is required');
    }
    const recipients = [
      ...(input.Destination?.ToAddresses ?? []),
      ...(input.Destination?.CcAddresses ?? []),
      ...(input.Destination?.BccAddresses ?? []),
    ];
    if (recipients.length === 0 && !/^to:/im.test(raw.toString('utf8', 0, Math.min(raw.length, 8192)))) {
      throw new Error('Destination has no recipient');
    }
    // Envelope recipients first, as an MTA's delivery headers would carry them.
    const envelope = recipients.length ? `X-Omnapi-Envelope-To: ${recipients.join(', ')}\r\n` : '';
    fs.writeFileSync(path.join(this.dir, `${messageId}.eml`), Buffer.concat([Buffer.from(envelope), raw]));
    return messageId;
  }
}
