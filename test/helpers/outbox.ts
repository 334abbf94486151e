import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { apiCallOfLink } from '../../lambdas/shared/console-links';
import { normaliseEmail } from '../../lambdas/shared/email-address';
import { eventually, type LocalProcess } from './local-process';

/** Every message in the local outbox sent to `to` (in any spelling: mailparser shows a punycode domain in Unicode), oldest first, decoded. */
export async function mailTo(dataDir: string, to: string): Promise<ParsedMail[]> {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  const mails = await Promise.all(
    fs
      .readdirSync(dir)
      .sort()
      .map(async (file) => simpleParser(fs.readFileSync(path.join(dir, file)))),
  );
  const wanted = normaliseEmail(to);
  return mails.filter((mail) =>
    (Array.isArray(mail.to) ? mail.to : [mail.to]).some((a) =>
      a?.value.some((v) => v.address !== undefined && normaliseEmail(v.address) === wanted),
    ),
  );
}

/** The console link in the newest mail to `to` that has one. */
export async function consoleLinkMailedTo(dataDir: string, to: string): Promise<string> {
  const links = (await mailTo(dataDir, to)).map((m) => m.text?.match(/https?:\/\/\S+token=\S+/)?.[0]).filter(Boolean);
  if (!links.length) throw new Error(`no link mailed to ${to}`);
  return links.at(-1)!;
}

/** The API URL the console page of a mailed link calls when it opens (what the browser does with the link). */
export function apiUrlOfLink(link: string): string {
  const call = apiCallOfLink(link);
  if (!call) throw new Error(`${link} opens a page that calls nothing by itself`);
  return `${new URL(link).origin}${call}`;
}

/** The API URL the page of the newest link mailed to `to` calls: fetching it is following the link. */
export async function linkMailedTo(dataDir: string, to: string): Promise<string> {
  return apiUrlOfLink(await consoleLinkMailedTo(dataDir, to));
}

/**
 * The newest mail to `to` whose subject or text matches `pattern`, once one arrives; on timeout the
 * error carries the runtime's last output, which says why none was sent.
 */
export function mailMatching(local: LocalProcess, to: string, pattern: RegExp, timeoutMs = 60_000): Promise<ParsedMail> {
  return eventually(
    async () => {
      const found = (await mailTo(local.dataDir, to)).filter((m) => pattern.test(`${m.subject}\n${m.text}`));
      if (!found.length) throw new Error(`no mail to ${to} matching ${pattern}; the runtime said:\n${local.output().slice(-4000)}`);
      return found.at(-1)!;
    },
    timeoutMs,
    250,
  );
}
