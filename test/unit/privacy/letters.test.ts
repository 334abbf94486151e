import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { type LetterRight, readMail, requestTypesOf } from '../../../lambdas/privacy/domain/classify';
import { LETTER_RIGHTS } from '../../../lambdas/privacy/vocabulary';

/** A request letter of the corpus (test/fixtures/privacy-letters): written for this project, one file each. */
const LetterSchema = z
  .object({
    language: z.string(),
    kind: z.string(),
    expected: z.array(z.enum(LETTER_RIGHTS)),
    subject: z.string(),
    text: z.string().optional(),
    html: z.string().optional(),
  })
  .strict()
  .refine((l) => (l.text === undefined) !== (l.html === undefined), 'a letter has text or html, not both');

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'privacy-letters');
const sorted = (rights: readonly string[]) => [...rights].sort();
const percent = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)} %` : '-');

/** The text a mail client's HTML becomes after parsing, as the mail context hands it over. */
async function textOf(html: string): Promise<string> {
  return (await simpleParser(Buffer.from(`Content-Type: text/html; charset=utf-8\r\n\r\n${html}`))).text ?? '';
}

describe('privacy letters as people write them, in every language of the corpus', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
  let results: { file: string; language: string; expected: LetterRight[]; rights: LetterRight[]; detected?: string; evidence: string[] }[];

  beforeAll(async () => {
    results = await Promise.all(
      files.map(async (file) => {
        const letter = LetterSchema.parse(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
        const text = letter.html !== undefined ? await textOf(letter.html) : letter.text!;
        const reading = readMail(letter.subject, text);
        return { file, language: letter.language, expected: letter.expected, rights: reading.rights, detected: reading.language, evidence: reading.evidence };
      }),
    );
    const exact = (r: (typeof results)[number]) => sorted(r.rights).join() === sorted(r.expected).join();
    const lines = ['language  letters  exact     language detected'];
    for (const language of [...new Set(results.map((r) => r.language))].sort()) {
      const of = results.filter((r) => r.language === language);
      lines.push(`${language.padEnd(9)} ${String(of.length).padStart(7)}  ${percent(of.filter(exact).length, of.length).padStart(7)}   ${percent(of.filter((r) => r.detected === language).length, of.length).padStart(7)}`);
    }
    lines.push('', 'right        asked  found   found when not asked');
    for (const right of [...LETTER_RIGHTS, 'none'] as const) {
      const asked = results.filter((r) => (right === 'none' ? r.expected.length === 0 : r.expected.includes(right)));
      const found = asked.filter((r) => (right === 'none' ? r.rights.length === 0 : r.rights.includes(right)));
      const extra = results.filter((r) => right !== 'none' && !r.expected.includes(right) && r.rights.includes(right));
      lines.push(`${right.padEnd(12)} ${String(asked.length).padStart(5)}  ${percent(found.length, asked.length).padStart(7)}   ${extra.length}`);
    }
    lines.push('', `all ${results.length} letters: ${percent(results.filter(exact).length, results.length)} exact`);
    for (const r of results.filter((x) => x.detected !== x.language)) lines.push(`LANGUAGE ${r.file}: read as ${r.detected}`);
    for (const r of results.filter((x) => !exact(x))) lines.push(`MISSED ${r.file}: expected ${JSON.stringify(r.expected)}, read ${JSON.stringify(r.rights)} — ${r.evidence.join(' | ')}`);
    console.log(lines.join('\n'));
  });

  it('holds at least 80 letters in at least 12 languages', () => {
    expect(results.length).toBeGreaterThanOrEqual(80);
    expect(new Set(results.map((r) => r.language)).size).toBeGreaterThanOrEqual(12);
  });

  it('reads at least 95 % of the letters exactly', () => {
    const exact = results.filter((r) => sorted(r.rights).join() === sorted(r.expected).join());
    expect(exact.length / results.length).toBeGreaterThanOrEqual(0.95);
  });

  it('never opens a request the letter did not ask for', () => {
    const extra = results
      .map((r) => ({ file: r.file, extra: requestTypesOf(r.rights).filter((t) => !requestTypesOf(r.expected).includes(t)) }))
      .filter((r) => r.extra.length);
    expect(extra).toEqual([]);
  });

  it('tells the language of at least 90 % of the letters', () => {
    expect(results.filter((r) => r.detected === r.language).length / results.length).toBeGreaterThanOrEqual(0.9);
  });
});
