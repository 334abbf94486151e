import { displayEmail, emailAddressProblem, normaliseEmail } from '../../shared/email-address';
import { type EmailLinkTokens, mailEmailLink } from '../../shared/email-links';
import { ACCOUNT_FIELDS } from '../../shared/profile-fields';
import type { Mailer } from '../../shared/mailer';

import { lazy } from '../../shared/lazy';
import { vocabularies } from '../vocabulary';
import { bodyOf, detectLanguage, identificationLine } from './classify';
import { type RequestRecords, requestMail } from './request-records';
import { escapeRegExp, phrasePattern, words } from './text';

/** The account data a correction may change without a person: the name and the profile's fields. */
export const CORRECTABLE = ['name', 'company', 'website', 'country'] as const;
export type Correctable = (typeof CORRECTABLE)[number];
export type Corrections = Partial<Record<Correctable, string>>;

/** What a correction asks for, read from its words. */
export interface CorrectionReading {
  /** Unambiguous changes, each value checked as the account API would check it. */
  changes: Corrections;
  /** A new email address, asked for plainly: it goes through the email-change confirmation (a link to it). */
  newEmail?: string;
  /** Why a person must look at it instead (empty when the changes can be applied as they are). */
  forAPerson: string[];
}

const FIELD = '(name|full name|company|company name|website|web site|site|country)';
const FIELD_NAMES: Record<string, Correctable> = {
  name: 'name',
  'full name': 'name',
  company: 'company',
  'company name': 'company',
  website: 'website',
  'web site': 'website',
  site: 'website',
  country: 'country',
};
/** `[Hello, please] correct my name to X`, `change my company to X`, `my country should be X`, `name: X`. */
const PATTERNS = [
  new RegExp(`\\b(?:correct|change|update|fix|set)\\s+(?:my\\s+|the\\s+)?${FIELD}\\s+(?:to|into|as)\\s*[:=]?\\s*(.+)$`, 'i'),
  new RegExp(`^(?:my\\s+)?${FIELD}\\s+(?:is|should be|must be)\\s*[:=]?\\s*(.+)$`, 'i'),
  new RegExp(`^${FIELD}\\s*[:=]\\s*(.+)$`, 'i'),
];
/** Words that say the request is about something a person must handle (the address, billing, other data). */
const ELSEWHERE = /\b(e-?mail|address|phone|invoice|billing|payment|card|vat|tax|ledger|usage|log|key)\b/i;

/** Sentences end at . ! ? before a capital — not after a title such as "Dr." — and at line ends. */
const SENTENCES = /\r?\n|(?<=(?<!\b(?:Dr|Mr|Mrs|Ms|Mx|Prof|St|Jr|Sr|No))[.!?])\s+(?=[A-Z])/;
/** A value that is more than one value, or not a value at all, is never applied as it is. */
const NOT_A_PLAIN_VALUE = /\b(and|or|but|my|to|is|should|be|keep|wrong|instead|also)\b|[,;]/i;
const NEGATION = /\b(don'?t|do not|never|not|no longer)\b/i;
const EMAIL = /[^\s@<>]+@[^\s@<>]+\.(?:\p{L}{2,}|xn--[a-z0-9-]+)/iu;
/** `change my email (address) to X`, `email: X` — nothing else around the address. */
const EMAIL_PATTERNS = [
  /\b(?:correct|change|update|fix|set)\s+(?:my\s+|the\s+)?e-?mail(?:\s+address)?\s+(?:to|into|as)\s*[:=]?\s*<?([^\s<>]+@[^\s<>]+?)>?[.!]?$/i,
  /^e-?mail(?:\s+address)?\s*[:=]\s*<?([^\s<>]+@[^\s<>]+?)>?[.!]?$/i,
];

type Field = Correctable | 'email' | 'namePart';
/** The account fields as every vocabulary names them, most specific first ("company name" is a company, not a name; "first and last name" is the name, "last name" a part of it). */
const FIELD_WORDS = lazy((): [Field, { language: string; bare: boolean; pattern: RegExp }[]][] =>
  (['company', 'website', 'country', 'email', 'name', 'namePart'] as const).map((field) => [
    field,
    vocabularies().flatMap((v) =>
      (v.fields[field] ?? []).map((phrase) => ({ language: v.language, bare: !/\s/.test(phrase.trim()), pattern: phrasePattern(phrase) })),
    ),
  ]),
);
const primary = (language: string) => language.split('-')[0];
/**
 * A field word of one word counts in a letter of its own language (or English), or when the
 * language is unknown, as the classifier's phrases do: Hungarian "nev*" (név, name) is not Latvian
 * "nevis" (not), which would make "uzvārdu: pareizi ir „Liepiņa”, nevis „Liepina”" a whole new name.
 */
const fieldWordCounts = (word: { language: string; bare: boolean }, language: string | undefined) =>
  language === undefined || !word.bare || word.language === 'en' || primary(word.language) === primary(language);
/** Words that ask for a correction in any language: the vocabularies' verbs and their names of the right. */
const CORRECTION_CUES = lazy(() =>
  vocabularies().flatMap((v) =>
    [...v.correctionVerbs, ...v.rights.correction.filter((p) => !p.startsWith('?'))].map((phrase) => phrasePattern(phrase)),
  ),
);

/** What the shape below writes for a part of the name, and for data no field holds: the reader hands them to a person. */
const NAME_PART = 'name part';
const OTHER_DATA = 'other data';
const HEADINGS = lazy(() =>
  (['current', 'corrected'] as const).map((kind) => ({
    kind,
    patterns: vocabularies().flatMap((v) => v.correctionHeadings[kind].map((phrase) => new RegExp(phrasePattern(phrase).source, 'gu'))),
  })),
);
/** Whose values a heading over label lines announces: the current ones (identification) or the corrected ones (the change). */
function headingKind(line: string): 'current' | 'corrected' | undefined {
  // The heading is the last clause of its line: "I exercise my right to rectification. My account shows:".
  const clause = line.split(/(?<=[.!?;])\s+/).at(-1) ?? '';
  const w = words(clause);
  let last: { kind: 'current' | 'corrected'; at: number } | undefined;
  for (const { kind, patterns } of HEADINGS()) {
    for (const pattern of patterns) {
      for (const match of w.matchAll(pattern)) if (!last || match.index >= last.at) last = { kind, at: match.index };
    }
  }
  return last?.kind;
}

/**
 * A new value for a part of the name named in an earlier sentence ("My surname is wrong. Correct it
 * to: …"). One word ("Babić-Knežević") is only that part: a person puts it into the full name. Several
 * ("Ana Babić-Marić") are the whole name as the writer wants it — shown on the confirmation page
 * before anything changes. A value labelled as the part ("Cognome corretto: Bianchi Lombardo") is
 * always only that part.
 */
const namePartChange = (value: string) => (/\s/.test(value.trim()) ? `correct my name to ${value}` : `${NAME_PART}: ${value}`);

/**
 * Whether a label says more than a heading word and a field ("Novo e-mail de cobrança" is the billing
 * address, not the account's): such a value is not the field's, and a person reads it.
 */
function qualified(label: string, field: Field): boolean {
  let w = words(label);
  for (const pattern of [
    ...(FIELD_WORDS().find(([f]) => f === field)?.[1] ?? []).map((word) => word.pattern),
    ...HEADINGS().flatMap((h) => h.patterns),
  ])
    w = w.replace(new RegExp(pattern.source, 'gu'), ' ');
  return w
    .trim()
    .split(' ')
    .some((token) => token.length > 3);
}

const fieldIn = (text: string, language: string | undefined): Field | undefined => {
  const w = words(text);
  const named = (field: Field) =>
    (FIELD_WORDS().find(([f]) => f === field)?.[1] ?? []).filter((word) => fieldWordCounts(word, language) && word.pattern.test(w));
  const found = FIELD_WORDS().find(([field]) => named(field).length > 0)?.[0];
  // A part of the name beside a bare word for "name" is the part asked for: "rett namn er …" after "etternamnet hans",
  // "Jos vardu (on her behalf) … pavardę". A name phrase of several words ("vardas pavardė") is the whole name.
  if (found === 'name' && named('namePart').length && named('name').every((word) => word.bare)) return 'namePart';
  return found;
};
const asksCorrection = (text: string) => {
  const w = words(text);
  return CORRECTION_CUES().some((p) => p.test(w));
};
const cueSource = (list: string[]) => list.map((cue) => words(cue).trim().split(' ').map(escapeRegExp).join(' ')).join('|');
/** "…, not", "… rather than", "… statt", "… et non": the quoted value right after is the wrong one. */
const OLD_BEFORE = lazy(() => new RegExp(`(?:^| )(?:${cueSource(vocabularies().flatMap((v) => v.oldValueCues))}) $`, 'u'));
/** "… helyett", "…:n sijaan": the quoted value right before is the wrong one. */
const OLD_AFTER = lazy(() => {
  const cues = vocabularies().flatMap((v) => v.oldValueAfterCues);
  return cues.length ? new RegExp(`^ (?:\\p{L}+ )?(?:${cueSource(cues)}) `, 'u') : undefined;
});

/**
 * The new value of a sentence in any language: the last quoted text («…», "…", „…“) that is not
 * marked as the wrong one ("X, not Y", "X rather than Y", "X statt Y", "X, nikoliv Y", "Y helyett X"),
 * else what follows "…: ". A sentence whose every quoted value is a wrong one names no new value.
 */
function valueIn(sentence: string): string | undefined {
  const quotes = [...sentence.matchAll(/[«"“„]\s*([^«»"“”„]{1,200}?)\s*[»"”“]/g)];
  const kept = quotes.filter((quote, i) => {
    const previous = quotes[i - 1];
    const before = sentence.slice(previous ? previous.index + previous[0].length : 0, quote.index);
    const after = sentence.slice(quote.index + quote[0].length, quotes[i + 1]?.index ?? sentence.length);
    return !OLD_BEFORE().test(words(before)) && !OLD_AFTER()?.test(words(after).replace(/^ n /, ' '));
  });
  if (quotes.length) return kept.at(-1)?.[1]?.trim();
  return /:\s+(.+?)\s*$/.exec(sentence)?.[1]?.trim();
}

/** The contiguous label lines around line i. */
function blockAround<T>(labelled: (T | undefined)[], i: number): T[] {
  let [start, end] = [i, i];
  while (start > 0 && labelled[start - 1]) start--;
  while (end < labelled.length - 1 && labelled[end + 1]) end++;
  return labelled.slice(start, end + 1) as T[];
}

/**
 * Puts a letter's correction in the English shape the reader below knows, whatever its language:
 * a sentence that asks for a correction (or follows one that does) and names a field and a value
 * becomes "correct my <field> to <value>". The identification block — its label lines ("Name:",
 * "E-Mail-Adresse:", "Kundennummer:") after an introduction such as "For identification:", or
 * repeating the registered address, or repeating a field whose correction is asked in words — identifies the writer
 * and is never read as a change; label lines alone ("Name: new value") are the change.
 */
function canonical(details: string, registeredEmail?: string): string {
  const language = detectLanguage(bodyOf(details));
  const lines = bodyOf(details.replace(/\r\n?/g, '\n')).split('\n');
  const labelled = lines.map((line) => identificationLine(line));
  const prose: string[] = [];
  const byWords = new Set<Field | undefined>();
  let previous = '';
  for (const [i, line] of lines.entries()) {
    if (labelled[i]) continue;
    for (const sentence of line
      .split(SENTENCES)
      .map((x) => x.trim())
      .filter(Boolean)) {
      // "Nume înregistrat: …" / "Nume corect: …": a label that says whose value it holds.
      const labelKind = /^[^:]{1,40}:\s*\S/.test(sentence) ? headingKind(sentence.slice(0, sentence.indexOf(':'))) : undefined;
      if (labelKind === 'current') {
        previous = sentence;
        continue;
      }
      const english = PATTERNS.some((p) => p.test(sentence)) || EMAIL_PATTERNS.some((p) => p.test(sentence));
      // "The correct name is: X" after "the name of my company is wrong" is the company's name.
      const [own, before] = [fieldIn(sentence, language), fieldIn(previous, language)];
      const field = own === 'name' && before && before !== 'name' ? before : (own ?? before);
      const value = valueIn(sentence);
      const asked = asksCorrection(sentence) || asksCorrection(previous);
      // Only the label makes it a change ("Novo e-mail de cobrança: …"): it must name the field and nothing more.
      if (!asked && labelKind === 'corrected' && field && qualified(sentence.slice(0, sentence.indexOf(':')), field)) {
        prose.push(`${OTHER_DATA}: ${sentence.slice(0, sentence.indexOf(':'))}`);
        previous = sentence;
        continue;
      }
      const cue = asked || labelKind === 'corrected';
      if (english) {
        byWords.add(fieldIn(sentence, language));
        prose.push(sentence);
      } else if (field && value && cue) {
        byWords.add(field === 'namePart' ? 'name' : field);
        // "Cognome corretto: Bianchi Lombardo" says the value is the surname; "my surname is wrong. Correct it to: …" may give the whole name.
        const part = field === 'namePart' ? (own === 'namePart' ? `${NAME_PART}: ${value}` : namePartChange(value)) : undefined;
        prose.push(field === 'email' ? `change my email to ${value}` : (part ?? `correct my ${field} to ${value}`));
      } else if (!(cue && field && !value)) prose.push(sentence);
      previous = sentence;
    }
  }
  const block: string[] = [];
  let intro = '';
  for (const [i, line] of lines.entries()) {
    const label = labelled[i];
    if (!label) {
      if (line.trim()) intro = line.trim();
      continue;
    }
    const field = fieldIn(label.label, language);
    // A block of label lines with an address in it, beside a correction asked in words, is who is writing —
    // unless its heading says these are the correct values ("Korrekt ist:"); one that says they are the
    // current ones ("Bisher gespeichert:", "En mi cuenta aparece:") identifies even after a request.
    const run = blockAround(labelled, i);
    const heading = headingKind(label.label) ?? (/:\s*$/.test(intro) ? headingKind(intro) : undefined);
    const identifying =
      heading === 'current' ||
      (heading !== 'corrected' &&
        ((/:\s*$/.test(intro) && !asksCorrection(intro)) ||
          (byWords.size > 0 && run.length > 1 && run.some((l) => fieldIn(l.label, language) === 'email'))));
    const registered =
      field === 'email' &&
      registeredEmail !== undefined &&
      normaliseEmail(label.value.replace(/[<>]/g, '')) === normaliseEmail(registeredEmail);
    // A correct value of something we cannot change ourselves (an address, a birth date …) is for a person.
    if (heading === 'corrected' && (!field || qualified(label.label, field))) {
      block.push(`${OTHER_DATA}: ${label.label}`);
      continue;
    }
    if (!field || identifying || registered || byWords.has(field === 'namePart' ? 'name' : field)) continue;
    block.push(field === 'namePart' ? `${NAME_PART}: ${label.value}` : `${field}: ${label.value}`);
  }
  return [...prose, ...block].join('\n');
}

/**
 * Reads the changes a correction asks for — one per line or sentence — and says when a person must
 * look instead. Only plain, unambiguous values are applied: anything with two values in it, a
 * negation, a value the account API would refuse, two values for one field, an address mentioned
 * any other way, or a sentence asking to change anything else goes to a person. A new email address
 * asked for plainly is not applied either: it gets the email-change confirmation link.
 */
export function readCorrection(details: string | undefined, registeredEmail?: string): CorrectionReading {
  const changes: Corrections = {};
  const forAPerson: string[] = [];
  let newEmail: string | undefined;
  const sentences = canonical(details ?? '', registeredEmail)
    .split(SENTENCES)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const sentence of sentences) {
    if (sentence.startsWith(`${NAME_PART}:`)) {
      forAPerson.push('name: only a part of it (a surname or first name) was given; a person applies it to the full name');
      continue;
    }
    if (sentence.startsWith(`${OTHER_DATA}:`)) {
      forAPerson.push(`a correct value of data we cannot change ourselves: "${sentence.slice(OTHER_DATA.length + 1).trim()}"`);
      continue;
    }
    const emailMatch = EMAIL_PATTERNS.map((p) => sentence.match(p)).find(Boolean);
    if (emailMatch && !NEGATION.test(sentence)) {
      const address = normaliseEmail(emailMatch[1]!);
      if (emailAddressProblem(address)) forAPerson.push('email: not an email address');
      else if (newEmail !== undefined && newEmail !== address) forAPerson.push('email: two different values');
      else newEmail = address;
      continue;
    }
    if (EMAIL.test(sentence)) {
      forAPerson.push(`an email address we could not read plainly: "${sentence.slice(0, 80)}"`);
      continue;
    }
    const match = PATTERNS.map((p) => sentence.match(p)).find(Boolean);
    if (!match) {
      if (/\b(correct|change|update|fix|wrong|incorrect|should be)\b/i.test(sentence) || ELSEWHERE.test(sentence))
        forAPerson.push(`not understood: "${sentence.slice(0, 80)}"`);
      continue;
    }
    const field = FIELD_NAMES[match[1]!.toLowerCase()]!;
    const value = match[2]!
      .trim()
      .replace(/^["'“]|["'”]$/g, '')
      .replace(/(?<!\.\p{L}{1,3})[.!]$/u, '')
      .trim();
    if (NEGATION.test(sentence)) {
      forAPerson.push(`${field}: the sentence says not to`);
      continue;
    }
    const problem = NOT_A_PLAIN_VALUE.test(value) ? 'not one plain value' : invalid(field, value);
    if (problem) forAPerson.push(`${field}: ${problem}`);
    else if (changes[field] !== undefined && changes[field] !== normalised(field, value)) forAPerson.push(`${field}: two different values`);
    else changes[field] = normalised(field, value);
  }
  if (Object.keys(changes).length === 0 && newEmail === undefined && forAPerson.length === 0)
    forAPerson.push('no change we can apply was named');
  return { changes, forAPerson, ...(newEmail ? { newEmail } : {}) };
}

function normalised(field: Correctable, value: string): string {
  return field === 'country' ? value.toUpperCase() : value;
}

/**
 * No markup, then the account API's own checks (`ACCOUNT_FIELDS`, shared with accounts/schemas.ts: every script,
 * with the joiners Persian and Indic names need), then what a name read out of a letter's prose must also be: words (letters, marks, joiners, spaces, dots, apostrophes and hyphens).
 */
const REFUSED: Partial<Record<Correctable, string>> = {
  website: 'not an http(s) address',
  country: 'not a two-letter country code (ISO 3166-1, e.g. DE)',
};
function invalid(field: Correctable, value: string): string | undefined {
  if (!value) return 'empty';
  if (/[<>"`]/u.test(value)) return 'characters a name or address does not have';
  const checked = ACCOUNT_FIELDS[field].safeParse(normalised(field, value));
  if (!checked.success) return REFUSED[field] ?? checked.error.issues[0]?.message.toLowerCase() ?? 'not accepted by the account API';
  if (field === 'name' && !/^[\p{L}\p{M}](?:[\p{L}\p{M} .'’-]|\u200C|\u200D){0,99}$/u.test(value))
    return 'not a name (letters, spaces, dots, apostrophes and hyphens, at most 100)';
  return undefined;
}

/** Port: writes the corrected name and profile fields, answering what they were before. */
export interface ProfileCorrector {
  apply(accountId: string, changes: Corrections): Promise<Corrections>;
  /** Records the address an email change is asked for (the account's `emailChangeTo`): only the newest one's link completes a change. */
  askEmailChange(accountId: string, email: string): Promise<void>;
}

/**
 * A confirmed correction: applied and echoed back when it is unambiguous, otherwise handed to a person
 * with the request waiting on them (needs_manual_action, on the legal clock).
 */
export async function applyCorrection(
  requestId: string,
  deps: {
    corrector: ProfileCorrector;
    mailer: Mailer;
    lifecycle: RequestRecords;
    /** The email-change confirmation: the same link `PATCH /v1/account` sends. */
    emailLinks: { tokens: EmailLinkTokens; publicUrl: string; now: () => Date };
  },
): Promise<{ applied: Corrections; newEmail?: string; forAPerson: string[] }> {
  const request = await deps.lifecycle.require(requestId);
  if (request.status === 'completed' || request.status === 'needs_manual_action') return { applied: {}, forAPerson: [] };
  const { changes, newEmail: asked, forAPerson } = readCorrection(request.details, request.email);
  if (forAPerson.length) {
    await deps.lifecycle.handToPerson(requestId, `correction needs a person: ${forAPerson.join('; ')}`, 'correction');
    return { applied: {}, forAPerson };
  }
  const newEmail = asked !== undefined && asked !== request.email ? asked : undefined;
  const before = Object.keys(changes).length ? await deps.corrector.apply(request.accountId, changes) : {};
  if (newEmail) {
    await deps.corrector.askEmailChange(request.accountId, newEmail);
    await mailEmailLink(
      { ...deps.emailLinks, mailer: deps.mailer },
      { accountId: request.accountId, email: newEmail, purpose: 'change_email' },
    );
  }
  await deps.lifecycle.mailOnce(requestId, 'correction', {
    to: request.email,
    ...requestMail(request, (m) => ({
      subject: m.t('correction.subject', { requestId }),
      paragraphs: [
        m.t('correction.intro'),
        ...(Object.keys(changes) as Correctable[]).map((field) =>
          m.t('correction.change', { field: m.t('field.label', { field }), before: before[field] ?? '', after: changes[field]! }),
        ),
        ...(newEmail ? [m.t('correction.emailLink', { email: displayEmail(newEmail) })] : []),
        ...(asked !== undefined && !newEmail ? [m.t('correction.emailSame')] : []),
        '',
        m.t('correction.selfService', deps.lifecycle.links()),
      ],
    })),
  });
  const what = [...Object.keys(changes), ...(newEmail ? ['email (confirmation link sent to the new address)'] : [])];
  await deps.lifecycle.close(requestId, 'completed', `correction applied: ${what.join(', ') || 'nothing to change'}`, ['in_progress']);
  return { applied: changes, ...(newEmail ? { newEmail } : {}), forAPerson: [] };
}
