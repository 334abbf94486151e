import * as fs from 'node:fs';
import * as path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { classifyLetter } from '../../../lambdas/privacy/domain/classify';
import { ERASURE_ORDER } from '../../../lambdas/privacy/domain/erasure';
import { MARKETING_TOPICS } from '../../../lambdas/privacy/domain/objection';
import { REQUEST_TYPES } from '../../../lambdas/privacy/domain/model';
import {
  catalogue,
  catalogueFile,
  ANSWERING_KIN,
  ENGLISH_ONLY,
  KIN_ONLY,
  LOCALES,
  type Locale,
  type MessageKey,
  messagesFor,
  preferredLanguage,
  replyLocale,
} from '../../../lambdas/privacy/messages';
import { DATA_MAP } from '../../../lambdas/shared/data-map';

// The parser's element types (@formatjs/icu-messageformat-parser TYPE).
const TYPE = { literal: 0, argument: 1, number: 2, date: 3, time: 4, select: 5, plural: 6, pound: 7, tag: 8 } as const;
const TYPE_NAME = Object.fromEntries(Object.entries(TYPE).map(([name, n]) => [n, name]));

interface Element {
  type: number;
  value: string;
  style?: unknown;
  options?: Record<string, { value: Element[] }>;
}

/** Every argument of a message: "name:type" (and, for a select, its options; for a date, its style). */
function argumentsOf(elements: Element[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    into.add(`${element.value}:${TYPE_NAME[element.type]}`);
    if (element.type === TYPE.date || element.type === TYPE.time) into.add(`${element.value}:style=${String(element.style)}`);
    if (element.type === TYPE.select) into.add(`${element.value}:options=${Object.keys(element.options!).sort().join(',')}`);
    for (const option of Object.values(element.options ?? {})) argumentsOf(option.value, into);
  }
  return into;
}

/** The plural arguments of a message with their categories. */
function pluralsOf(elements: Element[], into: { name: string; categories: string[] }[] = []) {
  for (const element of elements) {
    if (element.type === TYPE.plural) into.push({ name: element.value, categories: Object.keys(element.options!) });
    for (const option of Object.values(element.options ?? {})) pluralsOf(option.value, into);
  }
  return into;
}

const ast = (locale: Locale, message: string) =>
  new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst() as unknown as Element[];
const english = catalogue('en') as Record<MessageKey, string>;
const keys = Object.keys(english) as MessageKey[];
const others = LOCALES.filter((l) => l !== 'en');

describe('message catalogues', () => {
  it('are every catalogue file there is: a language with a file is a locale, so its keys are checked below', () => {
    const dir = path.join(__dirname, '../../../lambdas/privacy/messages');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(LOCALES.map((l) => catalogueFile(l)).sort());
  });

  it.each(others)('%s has every key of the English catalogue and no other', (locale) => {
    const own = catalogue(locale);
    // `fallback.closest` only where a language we do not write is answered (Occitan in French, Galician in Spanish …).
    const foreign = (key: MessageKey) => ENGLISH_ONLY.includes(key) || (KIN_ONLY.includes(key) && !ANSWERING_KIN.includes(locale));
    const missing = keys.filter((key) => !foreign(key) && own[key] === undefined);
    const unknown = Object.keys(own).filter((key) => !(key in english) || foreign(key as MessageKey));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
  });

  it.each(LOCALES)('%s parses as ICU MessageFormat, keeps every variable of the English message and invents none', (locale) => {
    const problems: string[] = [];
    for (const key of keys) {
      const message = catalogue(locale)[key];
      if (message === undefined) continue;
      let elements: Element[];
      try {
        elements = ast(locale, message);
      } catch (error) {
        problems.push(`${key}: ${(error as Error).message}`);
        continue;
      }
      const [own, source] = [argumentsOf(elements), argumentsOf(ast('en', english[key]))];
      const dropped = [...source].filter((a) => !own.has(a));
      const invented = [...own].filter((a) => !source.has(a));
      if (dropped.length || invented.length)
        problems.push(`${key}: dropped ${dropped.join(' ') || '-'}, invented ${invented.join(' ') || '-'}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(LOCALES)('%s gives every plural the forms its whole numbers take', (locale) => {
    const rules = new Intl.PluralRules(locale);
    const needed = [...new Set(Array.from({ length: 200 }, (_, n) => rules.select(n)))];
    const problems = keys.flatMap((key) =>
      pluralsOf(ast(locale, catalogue(locale)[key] ?? english[key]))
        .filter(
          (plural) =>
            !plural.categories.includes('other') ||
            needed.some((c) => !plural.categories.includes(c) && !plural.categories.some((x) => x.startsWith('='))),
        )
        .map((plural) => `${key}: {${plural.name}} has ${plural.categories.join(',')}, needs ${needed.join(',')}`),
    );
    expect(problems).toEqual([]);
  });

  it.each(LOCALES)('%s writes every date as a date and time followed by "UTC"', (locale) => {
    const problems = keys.filter((key) => {
      const message = catalogue(locale)[key];
      return (
        message !== undefined &&
        /\{\s*\w+\s*,\s*(date|time)\b/.test(message) &&
        !/^(?:[^{]|\{(?!\s*\w+\s*,\s*(?:date|time)))*(?:\{\s*\w+\s*,\s*date\s*,\s*dateTime\s*\}\s*UTC(?:[^{]|\{(?!\s*\w+\s*,\s*(?:date|time)))*)+$/.test(
          message,
        )
      );
    });
    expect(problems).toEqual([]);
  });

  // Czech, Slovak, Croatian and Slovenian letters write the courtesy pronoun with a capital (Vy, Váš, Vám; Vi, Vaš): one
  // register throughout a mail, never "Vaše žádost" in one paragraph and "vaše žádost" in the next.
  it.each([
    ['cs', /(?<![\p{L}])(vy|vaš\p{L}*|váš|vám|vás|vámi)(?![\p{L}])/u],
    ['sk', /(?<![\p{L}])(vy|vaš\p{L}*|váš|vám|vás|vami)(?![\p{L}])/u],
    ['hr', /(?<![\p{L}])(vi|vaš\p{L}*|vam|vas|vama)(?![\p{L}])/u],
    ['sl', /(?<![\p{L}])(vi|vaš\p{L}*|vam|vas|vami)(?![\p{L}])/u],
  ] as const)('%s writes the courtesy pronoun capitalised in every message', (locale, lowerCase) => {
    const problems = keys.filter((key) => lowerCase.test(catalogue(locale)[key] ?? ''));
    expect(problems).toEqual([]);
  });

  it('names every erased category, every kept category of the data map and every marketing topic', () => {
    const labels = argumentsOf(ast('en', english['category.label']));
    const options = [...labels]
      .find((a) => a.startsWith('category:options='))!
      .split('=')[1]!
      .split(',');
    expect([...ERASURE_ORDER, 'stripeCustomer'].filter((c) => !options.includes(c))).toEqual([]);
    const kept = Object.entries(DATA_MAP)
      .filter(([, entry]) => entry.erasure.kind !== 'delete' && entry.personalData.length)
      .map(([category]) => `kept.${category}`);
    expect(kept.filter((key) => !(key in english))).toEqual([]);
    expect(Object.values(MARKETING_TOPICS).filter((key) => !(key in english))).toEqual([]);
  });

  // The help mail tells people how to ask in their language: what it tells them must open that right.
  it.each(LOCALES)('%s: the words the help mail suggests for each right open that right', (locale) => {
    const wrong = REQUEST_TYPES.flatMap((right) => {
      const line = catalogue(locale)[`help.${right}`]!;
      const phrase = /[“„«”「]([^”“»」]+)[”“»」]/.exec(line)?.[1] ?? '';
      const reading = classifyLetter('', phrase.replace(/…/g, 'Ann Example'));
      return reading.rights.join() === right ? [] : [`${right}: "${phrase}" reads as ${reading.rights.join(',') || 'nothing'}`];
    });
    expect(wrong).toEqual([]);
  });
});

/** Every way a message can be rendered: a value of the right type for each argument, each option of its selects in turn. */
function renderings(elements: Element[]): Record<string, string | number | Date>[] {
  const base: Record<string, string | number | Date> = {};
  const selects: { name: string; options: string[] }[] = [];
  const visit = (list: Element[]) => {
    for (const element of list) {
      if (element.type === TYPE.argument) base[element.value] ??= `⟦${element.value}⟧`;
      if (element.type === TYPE.number || element.type === TYPE.plural) base[element.value] = 7;
      if (element.type === TYPE.date || element.type === TYPE.time) base[element.value] = new Date('2026-03-12T09:30:00Z');
      if (element.type === TYPE.select) selects.push({ name: element.value, options: Object.keys(element.options!) });
      for (const option of Object.values(element.options ?? {})) visit(option.value);
    }
  };
  visit(elements);
  if (!selects.length) return [base];
  return selects.flatMap(({ name, options }) => options.map((option) => ({ ...base, [name]: option === 'other' ? `⟦${name}⟧` : option })));
}

describe('every mail kind in every language', () => {
  // ack, help, confirm, reminder, export, person, expired, extension, hold, cooling, receipt, correction, objection, page, readme, processing …
  const kinds = [...new Set(keys.map((key) => key.split('.')[0]!))];

  it.each(LOCALES.flatMap((locale) => kinds.map((kind) => [locale, kind] as const)))(
    '%s renders every %s message with its variables, no braces left',
    (locale, kind) => {
      const m = messagesFor(locale);
      const problems: string[] = [];
      for (const key of keys.filter((k) => k.split('.')[0] === kind)) {
        if (locale !== 'en' && ENGLISH_ONLY.includes(key)) continue;
        for (const values of renderings(ast('en', english[key]))) {
          const [own, source] = [m.t(key, values), messagesFor('en').t(key, values)];
          if (!own.trim()) problems.push(`${key}: empty`);
          if (/[{}]/.test(own) && !/[{}]/.test(source)) problems.push(`${key}: braces left in "${own}"`);
          // Whatever the English says of the variables, this language says too (a select's branch may leave one out, in both).
          const markers = (text: string) => [...text.matchAll(/⟦(\w+)⟧/g)].map((x) => x[1]).sort();
          if (markers(own).join() !== markers(source).join())
            problems.push(`${key} ${JSON.stringify(values)}: ${markers(own).join() || '-'} vs English ${markers(source).join() || '-'}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});

describe('reply language', () => {
  it('answers in the language we write, by its primary subtag', () => {
    expect(replyLocale('de')).toEqual({ locale: 'de' });
    expect(replyLocale('pt-br')).toEqual({ locale: 'pt' });
    expect(replyLocale(undefined)).toEqual({ locale: 'en' });
  });

  it('answers Chinese in the script its tag names or implies, and Norwegian without a standard in Bokmål', () => {
    for (const tag of ['zh-Hant', 'zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant-TW']) expect(replyLocale(tag)).toEqual({ locale: 'zh-Hant' });
    for (const tag of ['zh', 'zh-CN', 'zh-Hans', 'zh-SG']) expect(replyLocale(tag)).toEqual({ locale: 'zh' });
    expect(replyLocale('no')).toEqual({ locale: 'nb' });
    expect(replyLocale('nn-NO')).toEqual({ locale: 'nn' });
    expect(preferredLanguage('zh-TW, zh;q=0.9, en;q=0.5')).toBe('zh-Hant');
    expect(preferredLanguage('zh-CN, en;q=0.5')).toBe('zh');
  });

  it('answers any other language in English, with one line in English saying why', () => {
    const m = messagesFor('ka');
    expect(m.locale).toBe('en');
    expect(m.mail(['Body.']).text.split('\n')[0]).toBe(
      'You wrote to us in Georgian. We answer in English because we do not yet write Georgian.',
    );
    expect(messagesFor('en').mail(['Body.']).text.split('\n')[0]).toBe('Body.');
  });

  it('reads the browser language a page without a request speaks from Accept-Language, by weight', () => {
    expect(preferredLanguage('ka;q=0.9, de;q=0.8, en;q=0.5')).toBe('de');
    expect(preferredLanguage('fr-CH, fr;q=0.9, en;q=0.8')).toBe('fr');
    expect(preferredLanguage('ja')).toBe('ja');
    expect(preferredLanguage('ka, hy;q=0.5')).toBeUndefined();
    expect(preferredLanguage(undefined)).toBeUndefined();
  });

  it('formats dates for the language, in UTC', () => {
    const at = new Date('2026-03-12T23:30:00Z');
    expect(messagesFor('de').t('person.due', { due: at })).toBe('Wir antworten spätestens bis 12. März 2026 um 23:30 UTC.');
    expect(messagesFor('en').t('person.due', { due: at })).toBe('We answer by March 12, 2026 at 23:30 UTC at the latest.');
  });
});
