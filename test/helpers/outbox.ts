import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';

/** Every message in the local outbox sent to `to`, oldest first, decoded. */
export async function mailTo(dataDir: string, to: string): Promise<ParsedMail[]> {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  const mails = await Promise.all(fs.readdirSync(dir).sort().map(async (file) => simpleParser(fs.readFileSync(path.join(dir, file)))));
  return mails.filter((mail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).some((a) => a?.value.some((v) => v.address === to)));
}

/** The link in the newest mail to `to` that has one. */
export async function linkMailedTo(dataDir: string, to: string): Promise<string> {
  const links = (await mailTo(dataDir, to)).map((m) => m.text?.match(/https?:\/\/\S+token=\S+/)?.[0]).filter(Boolean);
  if (!links.length) throw new Error(`no link mailed to ${to}`);
  return links.at(-1)!;
}
