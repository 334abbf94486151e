import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { Outbox } from '../../../local/outbox';
import { ruleFor } from '../../../local/smtp';

describe('receipt rule matching', () => {
  const privacy = { recipients: ['privacy@omnapi.com'], actions: [] };
  const domain = { recipients: ['example.net'], actions: [] };
  const catchAll = { recipients: [], actions: [] };

  it('matches addresses exactly (case-insensitively), then domains, in rule order', () => {
    expect(ruleFor([privacy, domain], 'Privacy@OmnAPI.com')).toBe(privacy);
    expect(ruleFor([privacy, domain], 'anyone@example.net')).toBe(domain);
    expect(ruleFor([privacy, domain], 'support@omnapi.com')).toBeUndefined();
    expect(ruleFor([privacy, catchAll], 'x@anywhere.org')).toBe(catchAll);
  });
});

describe('Outbox (local SES)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
  const outbox = new Outbox(dir);
  const read = async (id: string) => simpleParser(fs.readFileSync(path.join(dir, `${id}.eml`)));

  it('writes a raw message as sent, with the envelope recipients', async () => {
    const raw = 'From: a@omnapi.com\r\nTo: b@example.org\r\nSubject: Raw\r\n\r\nbody';
    const id = await outbox.send({
      FromEmailAddress: 'a@omnapi.com',
      Destination: { ToAddresses: ['b@example.org'] },
      Content: { Raw: { Data: Buffer.from(raw).toString('base64') } },
    });
    const mail = await read(id);
    expect(mail.subject).toBe('Raw');
    expect(mail.headers.get('x-omnapi-envelope-to')).toBe('b@example.org');
  });

  it('composes a simple message into MIME', async () => {
    const id = await outbox.send({
      FromEmailAddress: 'a@omnapi.com',
      Destination: { ToAddresses: ['c@example.org'] },
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello there' } } } },
    });
    const mail = await read(id);
    expect([mail.subject, mail.text?.trim()]).toEqual(['Hi', 'Hello there']);
  });

  it('refuses a message without content or recipients, as SES does', async () => {
    await expect(outbox.send({ Destination: { ToAddresses: ['x@example.org'] } })).rejects.toThrow(/Content/);
    await expect(outbox.send({ Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } })).rejects.toThrow(
      /recipient/,
    );
  });
});
