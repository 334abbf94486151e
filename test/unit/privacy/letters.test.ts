import * as path from 'node:path';
import { type LetterRight, readMail, requestTypesOf } from '../../../lambdas/privacy/domain/classify';
import { replyLocale } from '../../../lambdas/privacy/messages';
import { LETTER_RIGHTS } from '../../../lambdas/privacy/vocabulary';
import { asReceived, FIXTURES, lettersIn } from '../../helpers/letters';

/**
 * The corpora and the bar each must clear. `privacy-letters-eu` was written, before its author read the
 * vocabularies, for the languages the others hardly cover (Bulgarian, Croatian, Danish, Estonian,
 * Irish, Latvian, Lithuanian, Maltese, Norwegian bokmål and nynorsk, Slovak, Slovenian, Finnish,
 * Icelandic) and the writer styles they lacked: a lawyer for the data subject, articles by number
 * only, SMS-short mails, an English subject over another language, diacritics stripped, Bulgarian
 * and Greek in Latin letters, a request beside a support question, two rights, a right named only to
 * refuse it. `privacy-letters-world` was written, before its author read the vocabularies, for the
 * languages outside that set (Russian, Ukrainian, Turkish, Arabic, Hebrew, Persian, Chinese, Japanese,
 * Korean, Hindi, Thai, Vietnamese, Indonesian, the Americas' Spanish and Portuguese, Swiss German, the
 * world's English under its own laws) and for mail only raw MIME carries (legacy charsets, RFC 2047
 * subjects, forwards and replies in those languages' clients, a letter that is only an attachment).
 * `privacy-letters-templates` was written, before its author read the classifier or the vocabularies, in the styles of
 * the request templates people send (datenanfragen-, ICO-, CNIL-, AEPD- and Garante-style letters, CCPA, LGPD, KVKK,
 * 152-FZ, PIPL, APPI), lawyers for a client, one-liners, typos and stripped diacritics, replies quoting our mail, mixed
 * languages, Catalan, "as CSV / to another provider" copies, and letters sent only as a PDF (made with pdf-lib).
 * Letters none of us wrote (public request templates, rendered as their generators send them) are
 * read with `LETTERS_DIR` from outside the repository: fetched material is never committed.
 * `privacy-letters-typed` was written, before its author read the classifier, as people really type: phone one-liners,
 * misspellings (letters missing, doubled, swapped, struck for a neighbour), no diacritics, mixed languages, forwards and
 * quotes of our own replies, footers longer than the request, HTML-only mail, lawyers for a client, and the close pairs
 * (Occitan, Galician, Malay, Bosnian, Serbian beside the neighbours they are taken for; Slovak and Czech; Norwegian and Danish).
 * `privacy-letters-blind2` was written, before its author read the vocabularies, for the languages the earlier passes left
 * weak or without a vocabulary (Serbian in Cyrillic, Russian typed in Latin letters, Ukrainian, Norwegian, Brazilian
 * colloquial, Malay, Croatian verb forms, Turkish, Vietnamese, Thai, informal Indonesian, Swahili, Tagalog, Hinglish) and for
 * the letters that must ask nothing (hypothetical questions, accidents reported, thanks, complaints); its `-b2-` letters
 * were written after the rules that batch taught and before running them. `privacy-letters-blind3` was written, before its
 * author read the vocabularies, as people write: replies on top of quoted mail, signatures with legal disclaimers, forwards,
 * subjects in another language, quantifiers between verb and object, polite conditions and questions about what would follow
 * (Turkish, Korean, Japanese, Chinese), letters asking nothing, and languages without a vocabulary (Basque, Welsh, Bengali).
 * `privacy-letters` was written with the classifier (its
 * authors read the vocabulary); `privacy-letters-heldout` was written by another engineer who never
 * read the classifier, its vocabulary or the first corpus, and no phrase of it went into the
 * vocabulary: it stands for real letters we have not seen, whose bar the issue sets at 90 %.
 * `LETTERS_DIR=<dir> npx jest test/unit/privacy/letters.test.ts` reads any other directory of letters
 * in the same format, at the held-out bar.
 */
const CORPORA = process.env.LETTERS_DIR
  ? [{ name: path.basename(process.env.LETTERS_DIR), dir: path.resolve(process.env.LETTERS_DIR), exact: 0.9, minimum: 1 }]
  : [
      { name: 'privacy-letters (written with the classifier)', dir: path.join(FIXTURES, 'privacy-letters'), exact: 0.95, minimum: 80 },
      {
        name: 'privacy-letters-heldout (written without it)',
        dir: path.join(FIXTURES, 'privacy-letters-heldout'),
        exact: 0.9,
        minimum: 100,
      },
      {
        name: 'privacy-letters-adversarial (an adversarial pass: first read 90 %, rules added since)',
        dir: path.join(FIXTURES, 'privacy-letters-adversarial'),
        exact: 0.9,
        minimum: 100,
      },
      {
        name: 'privacy-letters-eu (the thin EU/EEA languages and writer styles: first read 86 %, rules added since)',
        dir: path.join(FIXTURES, 'privacy-letters-eu'),
        exact: 0.95,
        minimum: 120,
      },
      {
        name: 'privacy-letters-world (languages and mail shapes from outside the EU/EEA: first read 28 %, rules added since)',
        dir: path.join(FIXTURES, 'privacy-letters-world'),
        exact: 0.9,
        minimum: 110,
      },
      {
        name: 'privacy-letters-templates (the templates people send, written before reading the classifier: first read 82.6 %, rules added since)',
        dir: path.join(FIXTURES, 'privacy-letters-templates'),
        exact: 0.95,
        minimum: 140,
      },
      {
        name: 'privacy-letters-typed (letters as people type them, written before reading the classifier: first read 82.8 %, typo tolerance and related languages since)',
        dir: path.join(FIXTURES, 'privacy-letters-typed'),
        exact: 0.9,
        minimum: 120,
      },
      {
        name: 'privacy-letters-blind2 (35 languages, written before reading the vocabularies: first read 72.9 %, 3 opening an erasure not asked; a second batch of 32 first read 93.8 %)',
        dir: path.join(FIXTURES, 'privacy-letters-blind2'),
        exact: 0.95,
        minimum: 180,
      },
      {
        name: 'privacy-letters-blind3 (33 languages, written before reading the vocabularies: first read 87.5 %, 4 opening an erasure not asked)',
        dir: path.join(FIXTURES, 'privacy-letters-blind3'),
        exact: 0.9,
        minimum: 120,
      },
    ];

const sorted = (rights: readonly string[]) => [...rights].sort();
const percent = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)} %` : '-');
/** Two tags name the same language when their primary subtags agree ("pt-BR" and "pt-br"). */
const primary = (tag: string | undefined) => tag?.toLowerCase().split(/[-_]/)[0];

interface Result {
  file: string;
  language: string;
  expected: LetterRight[];
  rights: LetterRight[];
  detected?: string;
  evidence: string[];
}

const exact = (r: Result) =>
  sorted(requestTypesOf(r.rights)).join() === sorted(requestTypesOf(r.expected)).join() &&
  r.rights.includes('restriction') === r.expected.includes('restriction');
/** Request types opened that the letter did not ask for: the one mistake worse than "unclear". */
const extra = (r: Result) => requestTypesOf(r.rights).filter((t) => !requestTypesOf(r.expected).includes(t));
/** The reply is in the writer's language: the one we write for it, or English with a line naming it. */
const replyMatches = (r: Result) =>
  replyLocale(r.detected).locale === replyLocale(r.language).locale &&
  (replyLocale(r.language).locale !== 'en' || primary(r.detected) === primary(r.language) || primary(r.language) === 'en');

function report(name: string, results: Result[]): string {
  const lines = [`${name}`, 'language  letters  exact     reply language'];
  for (const language of [...new Set(results.map((r) => r.language))].sort()) {
    const of = results.filter((r) => r.language === language);
    lines.push(
      `${language.padEnd(9)} ${String(of.length).padStart(7)}  ${percent(of.filter(exact).length, of.length).padStart(7)}   ${percent(of.filter(replyMatches).length, of.length).padStart(7)}`,
    );
  }
  lines.push('', 'right        asked  found   found when not asked');
  for (const right of [...LETTER_RIGHTS, 'none'] as const) {
    const asked = results.filter((r) => (right === 'none' ? r.expected.length === 0 : r.expected.includes(right)));
    const found = asked.filter((r) => (right === 'none' ? r.rights.length === 0 : r.rights.includes(right)));
    const wrong = results.filter((r) => right !== 'none' && !r.expected.includes(right) && r.rights.includes(right));
    lines.push(
      `${right.padEnd(12)} ${String(asked.length).padStart(5)}  ${percent(found.length, asked.length).padStart(7)}   ${wrong.length}`,
    );
  }
  lines.push(
    '',
    `all ${results.length} letters: ${percent(results.filter(exact).length, results.length)} exact, ${results.filter((r) => extra(r).length).length} opening a right not asked`,
  );
  for (const r of results.filter((x) => !replyMatches(x))) lines.push(`LANGUAGE ${r.file}: read as ${r.detected}`);
  for (const r of results.filter((x) => !exact(x)))
    lines.push(`MISSED ${r.file}: expected ${JSON.stringify(r.expected)}, read ${JSON.stringify(r.rights)} — ${r.evidence.join(' | ')}`);
  return lines.join('\n');
}

describe.each(CORPORA)('privacy letters as people write them: $name', ({ name, dir, exact: bar, minimum }) => {
  let results: Result[];

  beforeAll(async () => {
    results = [];
    // One at a time, as the inbound function parses one mail per call: the parser's time limit is each mail's own,
    // never shared by a whole corpus parsed at once on a loaded machine.
    for (const letter of lettersIn(dir)) {
      const { file } = letter;
      const { subject, text } = await asReceived(letter, dir);
      // As intake reads it: our own mail (privacy@omnapi.com's domain) forwarded back is not the writer's request.
      const reading = readMail(subject, text, { ownDomain: 'omnapi.com' });
      results.push({
        file,
        language: letter.language,
        expected: letter.expected,
        rights: reading.rights,
        detected: reading.language,
        evidence: reading.evidence,
      });
    }
    console.log(report(name, results));
  });

  it(`holds at least ${minimum} letters`, () => {
    expect(results.length).toBeGreaterThanOrEqual(minimum);
  });

  it(`reads at least ${bar * 100} % of the letters exactly`, () => {
    expect(results.filter(exact).length / results.length).toBeGreaterThanOrEqual(bar);
  });

  it('never opens a request the letter did not ask for', () => {
    expect(results.map((r) => ({ file: r.file, extra: extra(r) })).filter((r) => r.extra.length)).toEqual([]);
  });

  it('answers at least 90 % of the letters in their own language (or in English saying we do not write it)', () => {
    expect(results.filter(replyMatches).length / results.length).toBeGreaterThanOrEqual(0.9);
  });
});
