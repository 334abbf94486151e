import * as fs from 'node:fs';
import * as path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { FSI, PDI } from '../../shared/http';
import { directionOf, mailHtml, multilingualMailHtml } from '../../shared/mail-html';
import kin from '../vocabulary/kin.json';
import en from './en.json';
import { catalogueFile, LOCALES, type Locale } from './locales';

export { CATALOGUE_FILES, catalogueFile, LOCALES, type Locale } from './locales';

export type MessageKey = keyof typeof en;
/** Keys only English has: the line that says we answer in English. */
export const ENGLISH_ONLY: readonly MessageKey[] = ['fallback.englishOnly'];

/**
 * The languages we read through a neighbour's vocabulary (`../vocabulary/kin.json`), each answered in a language we write that
 * its writers read, which says so (`fallback.closest`).
 */
const ANSWERED_IN: ReadonlyMap<string, string> = new Map(kin.map((k) => [k.language, k.answeredIn]));
/** The catalogues that answer a language we do not write, and so need `fallback.closest` (the others never say it). */
export const ANSWERING_KIN: readonly string[] = [...new Set(ANSWERED_IN.values())];
export const KIN_ONLY: readonly MessageKey[] = ['fallback.closest'];

export type Catalogue = Partial<Record<MessageKey, string>>;

/**
 * Where the catalogues are: beside this module in the source tree, and beside the bundle of every
 * function that writes privacy mail (the function construct copies `CATALOGUE_FILES` there), so that
 * a bundle carries English only and reads the one language a reply needs when it first needs it.
 */
const CATALOGUE_DIR = __dirname;

const loaded = new Map<Locale, Catalogue>([['en', en]]);

/** A language's catalogue: English is in the bundle, every other one is read from its file once, on first use. */
export function catalogue(locale: Locale): Catalogue {
  let found = loaded.get(locale);
  if (!found) {
    const file = path.join(CATALOGUE_DIR, catalogueFile(locale));
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`The ${locale} message catalogue cannot be read from ${file}`, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((m) => typeof m !== 'string'))
      throw new Error(`The ${locale} message catalogue (${file}) is not an object of messages`);
    found = parsed as Catalogue;
    loaded.set(locale, found);
  }
  return found;
}

/**
 * Every date in a mail or page is a date and time in UTC (the messages say "UTC" after it), so a
 * deadline reads the same wherever the reader is. The ICU styles a translator might write instead
 * (`short` … `full`) are pinned to UTC as well.
 */
const UTC = { timeZone: 'UTC' } as const;
const FORMATS = {
  date: {
    dateTime: { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...UTC },
    short: { dateStyle: 'short', ...UTC },
    medium: { dateStyle: 'medium', ...UTC },
    long: { dateStyle: 'long', ...UTC },
    full: { dateStyle: 'full', ...UTC },
  },
  time: {
    short: { timeStyle: 'short', ...UTC },
    medium: { timeStyle: 'medium', ...UTC },
    long: { timeStyle: 'long', ...UTC },
    full: { timeStyle: 'full', ...UTC },
  },
} as const;

export type MessageValues = Record<string, string | number | Date>;

const compiled = new Map<string, IntlMessageFormat>();

/** The compiled message (cached per language and key); plain text, so `<…>` is never read as markup. */
export function compile(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    const source = catalogue(locale)[key] ?? en[key];
    format = new IntlMessageFormat(source, locale, FORMATS as never, { ignoreTag: true });
    compiled.set(id, format);
  }
  return format;
}

/** A mail's body in the reply's language: its text, the HTML alternative a right-to-left language needs, its Content-Language. */
export interface MailBody {
  text: string;
  html?: string;
  /** The reply's language, or the languages of a mail written in several (RFC 3282: "de, fr"). */
  headers: { 'Content-Language': string };
}

/** The messages of one reply, in the language chosen for it. */
export interface Messages {
  locale: Locale;
  /** The direction the language is written in: pages and mail say it on their root. */
  dir: 'ltr' | 'rtl';
  /** The language asked for when we answer in English because we do not write it (English name, e.g. "Hungarian"). */
  unsupported?: string;
  /** The language asked for (BCP 47) when we answer in the closest one we write, that its writers read (Occitan in French). */
  closest?: string;
  t(key: MessageKey, values?: MessageValues): string;
  /** Whether `key` is a message (for keys made from data, such as a data-map category). */
  has(key: string): key is MessageKey;
  /** "a, b and c" in the reply's language. */
  list(items: string[]): string;
  /**
   * A mail: the English-only note first when there is one, the paragraphs, the signature. In a
   * right-to-left language every line of the text opens with a right-to-left mark (a line that begins
   * with a link or an address still reads right to left) and the HTML alternative says the direction.
   */
  mail(paragraphs: (string | undefined)[]): MailBody;
}

const primary = (language: string) => language.trim().toLowerCase().split(/[-_]/)[0] ?? '';

/** Tags that name a language we write by another name: Norwegian without its written standard is written in Bokmål. */
const ALIASES: Record<string, Locale> = { no: 'nb' };

/**
 * The language we write for a BCP 47 tag: by its primary subtag — except Chinese, written in the
 * script the tag names or implies (zh-Hant, zh-TW, zh-HK and zh-MO are Traditional; zh, zh-CN and
 * zh-Hans Simplified).
 */
function writtenLocale(language: string): Locale | undefined {
  const wanted = primary(language);
  if (wanted === 'zh') {
    let script: string | undefined;
    try {
      script = new Intl.Locale(language.trim().replace(/_/g, '-')).maximize().script;
    } catch {
      script = undefined;
    }
    return script === 'Hant' ? 'zh-Hant' : 'zh';
  }
  return ALIASES[wanted] ?? LOCALES.find((l) => l === wanted);
}

/**
 * The language we reply in for a request or letter in `language` (BCP 47, e.g. "de", "pt-br",
 * "zh-Hant"): the one we write when we have it, otherwise English — and then, when a language was
 * known, the reply says in English that we do not yet write it.
 */
export function replyLocale(language: string | undefined): { locale: Locale; unsupported?: string; closest?: string } {
  if (!language) return { locale: 'en' };
  const locale = writtenLocale(language);
  if (locale) return { locale };
  const wanted = primary(language);
  const near = ANSWERED_IN.get(wanted);
  const nearLocale = near === undefined ? undefined : writtenLocale(near);
  if (nearLocale) return { locale: nearLocale, closest: wanted };
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' }).of(wanted);
  } catch {
    name = undefined;
  }
  return { locale: 'en', unsupported: name ?? language };
}

/** Whether `language` is a BCP 47 tag we can keep as a preference (any well-formed one; we answer in English where we do not write it). */
export function isLanguageTag(language: string): boolean {
  try {
    return Intl.getCanonicalLocales(language).length === 1;
  } catch {
    return false;
  }
}

/** The messages for a reply in `language` (see `replyLocale`). */
export function messagesFor(language: string | undefined): Messages {
  const { locale, unsupported, closest } = replyLocale(language);
  const dir = directionOf(locale);
  const t = (key: MessageKey, values?: MessageValues) => {
    const format = compile(locale, key);
    return String(format.format((dir === 'rtl' && values ? isolated(values, textArguments(format)) : values) as never));
  };
  const named = (tag: string) => new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' }).of(tag) ?? tag;
  const note = unsupported
    ? t('fallback.englishOnly', { language: unsupported })
    : closest
      ? t('fallback.closest', { language: named(closest), reply: named(locale) })
      : undefined;
  return {
    locale,
    dir,
    ...(unsupported ? { unsupported } : {}),
    ...(closest ? { closest } : {}),
    t,
    has: (key): key is MessageKey => Object.hasOwn(en, key),
    list: (items) => new Intl.ListFormat(locale, { type: 'conjunction' }).format(items),
    mail: (paragraphs) => {
      const lines = [...(note ? [note, ''] : []), ...paragraphs.filter((p): p is string => p !== undefined), '', t('signature')]
        .join('\n')
        .split('\n');
      if (dir === 'ltr') return { text: lines.join('\n'), headers: { 'Content-Language': locale } };
      const text = lines.map((line) => (line ? `${RLM}${line}` : line)).join('\n');
      return { text, html: mailHtml(text, locale), headers: { 'Content-Language': locale } };
    },
  };
}

const RLM = '\u200f';

/**
 * The values of a message in a right-to-left language, each text the message sets in as it is
 * isolated (FSI … PDI) so that an id, an address or a name keeps its own direction and cannot reorder
 * the words around it. A value a select chooses by stays as it is, and a link stays bare: mail clients
 * find its end by the first character a link cannot hold, and an isolate is none.
 */
function isolated(values: MessageValues, texts: ReadonlySet<string>): MessageValues {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      texts.has(name) && typeof value === 'string' && !/^https?:\/\//.test(value) ? `${FSI}${value}${PDI}` : value,
    ]),
  );
}

/** The ICU element types of @formatjs/icu-messageformat-parser: a plain `{name}`, and the ones whose options hold elements. */
const ARGUMENT = 1;
interface AstElement {
  type: number;
  value?: unknown;
  options?: Record<string, { value: AstElement[] }>;
}

const textArgumentsOf = new WeakMap<IntlMessageFormat, ReadonlySet<string>>();
/** The arguments a message sets in as text (`{name}`, at any depth), as against those it selects or counts by. */
function textArguments(format: IntlMessageFormat): ReadonlySet<string> {
  let names = textArgumentsOf.get(format);
  if (!names) {
    const found = new Set<string>();
    const visit = (elements: AstElement[]) => {
      for (const element of elements) {
        if (element.type === ARGUMENT) found.add(String(element.value));
        for (const option of Object.values(element.options ?? {})) visit(option.value);
      }
    };
    visit(format.getAst() as unknown as AstElement[]);
    names = found;
    textArgumentsOf.set(format, names);
  }
  return names;
}

/** The first language of an Accept-Language header that we write (by weight), for pages that know no request. */
export function preferredLanguage(header: string | undefined): Locale | undefined {
  const ranked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .map((p) => p.trim())
          .find((p) => p.startsWith('q='))
          ?.slice(2) ?? 1,
      );
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((entry) => (entry.tag ? writtenLocale(entry.tag) : undefined)).find((l) => l !== undefined);
}

/** What a mail says, composed in one language: its subject and paragraphs (see `Messages.mail`). */
export interface ComposedMail {
  subject: string;
  paragraphs: (string | undefined)[];
}

/**
 * One mail written in each of `languages` we reply in differently (the first decides the subject, each writes its part): a
 * request that later letters in other languages joined is answered to every writer in their language. One language is
 * exactly `messagesFor(language).mail`.
 */
export function mailInLanguages(
  languages: readonly (string | undefined)[],
  compose: (m: Messages) => ComposedMail,
): MailBody & { subject: string } {
  const seen = new Set<Locale>();
  const parts: { m: Messages; body: MailBody; subject: string }[] = [];
  for (const language of languages.length ? languages : [undefined]) {
    const m = messagesFor(language);
    if (seen.has(m.locale)) continue;
    seen.add(m.locale);
    const { subject, paragraphs } = compose(m);
    parts.push({ m, body: m.mail(paragraphs), subject });
  }
  const [first] = parts;
  if (parts.length === 1) return { subject: first!.subject, ...first!.body };
  const text = parts.map((p) => p.body.text).join('\n\n----------\n\n');
  return {
    subject: first!.subject,
    text,
    ...(parts.some((p) => p.body.html)
      ? { html: multilingualMailHtml(parts.map((p) => ({ text: p.body.text, language: p.m.locale }))) }
      : {}),
    headers: { 'Content-Language': parts.map((p) => p.m.locale).join(', ') },
  };
}
