import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseInbound } from '../../lambdas/mail/adapters/parse-mail';
import { LETTER_RIGHTS } from '../../lambdas/privacy/vocabulary';
import { sesRecord } from './ses-record';

/** The letter corpora (test/fixtures/privacy-letters*). */
export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/**
 * A request letter of a corpus: one JSON file each, with its subject and text or HTML — or, for the
 * shapes only raw MIME can carry (charsets, transfer encodings, RFC 2047 subjects, attachments,
 * forwarded messages), `mail`: the name of an .eml file beside it, whose subject and body are read.
 */
export const LetterSchema = z
  .object({
    language: z.string(),
    kind: z.string(),
    expected: z.array(z.enum(LETTER_RIGHTS)),
    subject: z.string().optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    mail: z.string().optional(),
  })
  .strict()
  .refine((l) => [l.text, l.html, l.mail].filter((b) => b !== undefined).length === 1, 'a letter has one of text, html or mail')
  .refine((l) => (l.mail === undefined) === (l.subject !== undefined), 'a letter in raw MIME takes its subject from the mail');

export type Letter = z.infer<typeof LetterSchema> & { file: string };

/** The letters of a corpus directory, by file name. */
export function lettersIn(dir: string): Letter[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ ...LetterSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))), file }));
}

/** The subject and text a letter becomes once the mail context has parsed it, as intake is handed them. */
export async function asReceived(letter: z.infer<typeof LetterSchema>, dir: string): Promise<{ subject: string; text: string }> {
  if (letter.text !== undefined) return { subject: letter.subject!, text: letter.text };
  const raw =
    letter.mail !== undefined
      ? fs.readFileSync(path.join(dir, letter.mail))
      : Buffer.from(`Content-Type: text/html; charset=utf-8\r\n\r\n${letter.html}`);
  const parsed = await parseInbound(raw, sesRecord('writer@example.org'), 'inbound/letter');
  return { subject: letter.mail !== undefined ? parsed.subject : letter.subject!, text: parsed.text };
}
