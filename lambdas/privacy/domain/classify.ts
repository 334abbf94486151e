import { lazy } from '../../shared/lazy';
import { kinLanguages, type LetterRight, vocabularies, type Vocabulary } from '../vocabulary';
import type { RequestType } from './model';
import { withScript } from './han-script';
import { escapeRegExp, fold, phrasePattern, words } from './text';
import { Lexicon, type LexiconWord, readTypos, type Typo } from './typos';

export type { LetterRight } from '../vocabulary';

/** What a letter asks for, in which language, and the words that decided it (for a person reading the request). */
export interface LetterReading {
  /** The rights asked for, each once. Access together with portability is one export: portability. */
  rights: LetterRight[];
  /** BCP 47 code of the vocabulary whose words the letter uses most; undefined when nothing tells. */
  language?: string;
  /** Why: one line per right found, with where (subject or sentence) and the words. */
  evidence: string[];
  /** An automatic reply (its subject says so): it asks for nothing, whatever it says. */
  automatic?: boolean;
  /** The rights were read from sentences that do not ask (no subject, no "please", no "I request"): a bare "Delete my account." */
  unasked?: boolean;
}

/** The GDPR's articles on the data subject's rights, by number. Article 19 (notifying recipients) and 22 ask for no request of their own. */
const ARTICLES: Record<number, LetterRight> = {
  15: 'access',
  16: 'correction',
  17: 'deletion',
  18: 'restriction',
  20: 'portability',
  21: 'objection',
};

/** A vocabulary phrase as read: its pattern is compiled when a letter first holds its first word (most never are). */
interface Compiled {
  language: string;
  text: string;
  readonly pattern: RegExp;
  /** The phrase's first word (a prefix when it is a stem): a sentence without it is not searched. */
  first: { word: string; stem: boolean };
}

interface Phrase extends Compiled {
  right: LetterRight;
  /** Written `?phrase`: it counts only where no other right is named in the same sentence (e.g. "copies of my data" in an erasure sentence). */
  weak: boolean;
}

/** A character written without spaces, a word of its own (Chinese, Japanese). */
const UNSPACED_CHARACTER = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u30fc]';

/** The words of a list as one alternation over folded text: `stem*` takes any ending. */
const alternation = (list: string[]) =>
  list
    .map(
      (w) =>
        fold(w)
          .replace(/'/g, ' ')
          .replace(/\*$/, '')
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + (w.endsWith('*') ? '[\\p{L}\\p{M}]*' : ''),
    )
    .join('|');
const firstWord = (phrase: string) => {
  const token = phrase.replace(/^\?/, '').split(/\s+/)[0] ?? '';
  return { word: words(token.replace(/\*$/, '')).trim().split(' ')[0] ?? '', stem: token.endsWith('*') };
};
const compiled = (language: string, list: string[]): Compiled[] =>
  list.map((text) => {
    let pattern: RegExp | undefined;
    return {
      language,
      text,
      first: firstWord(text),
      // Thousands of patterns, each a costly compile of Unicode classes: a letter needs those of the few words it holds.
      get pattern() {
        pattern ??= phrasePattern(text.replace(/^\?/, ''));
        return pattern;
      },
    };
  });

/** The words of a text, for the cheap test before a phrase's pattern runs (a 100 kB mail must not cost seconds). */
function wordIndex(w: string): (p: { first: { word: string; stem: boolean } }) => boolean {
  const tokens = new Set(w.trim().split(' '));
  const prefixes = new Map<string, boolean>();
  return ({ first }) => {
    if (!first.stem) return tokens.has(first.word);
    let known = prefixes.get(first.word);
    if (known === undefined) {
      known = [...tokens].some((t) => t.startsWith(first.word));
      prefixes.set(first.word, known);
    }
    return known;
  };
}
const boundary = (list: string[]) =>
  list.length ? new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${alternation(list)})(?![\\p{L}\\p{N}\\p{M}])`, 'gu') : undefined;
/**
 * The same for the words that open a condition, which also stand beside a Chinese or Japanese character, a word of its own
 * ("如果我刪除帳戶" holds "如果", "削除した場合は" holds "場合").
 */
const conditionSource = (list: string[]) =>
  `(?<![\\p{L}\\p{N}\\p{M}](?<!${UNSPACED_CHARACTER}))(?:${alternation(list)})(?![\\p{L}\\p{N}\\p{M}](?<!${UNSPACED_CHARACTER}))`;

/** A vocabulary's phrases, and each again as typed without the language's own letters ("löschen" as "loeschen"). */
function spellings(v: Vocabulary, list: string[]): string[] {
  const letters = Object.keys(v.transliterations);
  if (!letters.length) return list;
  const typed = new RegExp(`[${letters.join('')}]`, 'giu');
  const plain = (text: string) =>
    text.replace(typed, (c) => {
      const ascii = v.transliterations[c.toLowerCase()] ?? c;
      return c === c.toLowerCase() ? ascii : ascii[0]!.toUpperCase() + ascii.slice(1);
    });
  return [...new Set(list.flatMap((text) => [text, plain(text)]))];
}
const PHRASES = lazy((): Phrase[] =>
  vocabularies().flatMap((v) =>
    (Object.entries(v.rights) as [LetterRight, string[]][]).flatMap(([right, list]) =>
      compiled(v.language, spellings(v, list)).map((p): Phrase => Object.assign(p, { right, weak: p.text.startsWith('?') })),
    ),
  ),
);
const REQUEST_CUES = lazy(() => vocabularies().flatMap((v) => compiled(v.language, spellings(v, [...v.requestCues, ...v.gratitudeCues]))));
/** "I would be grateful", "memnun olurum", "감사하겠습니다": a condition they govern asks. */
const GRATITUDE = lazy(() => vocabularies().flatMap((v) => compiled(v.language, spellings(v, v.gratitudeCues))));
const MENTION_CUES = lazy(() => boundary(vocabularies().flatMap((v) => v.mentionCues)));
const CLOSINGS = lazy(() => vocabularies().flatMap((v) => compiled(v.language, v.closings)));
const LABELS = lazy(() => new Set(vocabularies().flatMap((v) => v.identificationLabels.map((l) => words(l).trim()))));
const ABBREVIATIONS = lazy(
  () =>
    new Set([
      'dr',
      'mr',
      'mrs',
      'ms',
      'prof',
      'st',
      'no',
      'nr',
      'vs',
      'etc',
      'e',
      'g',
      'i',
      ...vocabularies().flatMap((v) => [...v.abbreviations, ...v.articleBefore].map((a) => words(a.replace(/\*$/, '')).trim())),
    ]),
);
/** The vocabulary of a language we have one for. */
const vocabularyByLanguage = lazy(() => new Map(vocabularies().map((v) => [v.language, v])));
/**
 * A table of each language, built the first time a letter read in that language (or English, read beside every language)
 * needs it: a letter needs two languages' patterns, not 44.
 */
function perLanguage<T>(build: (v: Vocabulary) => T): (language: string) => T | undefined {
  const built = new Map<string, T | undefined>();
  return (language) => {
    if (!built.has(language)) {
      const v = vocabularyByLanguage().get(language);
      built.set(language, v && build(v));
    }
    return built.get(language);
  };
}
const CONDITIONAL = perLanguage((v) => (v.conditionalCues.length ? new RegExp(conditionSource(v.conditionalCues), 'gu') : undefined));
/**
 * In a language whose clauses end with their verb, what ends a condition: a verb's conditional ending ("silerseniz",
 * "삭제하면") or a conditional word after its clause ("削除した場合", "silmeniz halinde").
 */
const CONDITION_END = perLanguage((v) => {
  if (!v.verbFinal || !(v.conditionalCues.length || v.conditionalEndings.length)) return undefined;
  const endings = v.conditionalEndings.map((e) => escapeRegExp(fold(e)));
  return new RegExp(
    [
      ...(v.conditionalCues.length ? [conditionSource(v.conditionalCues)] : []),
      ...(endings.length ? [`[\\p{L}\\p{M}]+(?:${endings.join('|')})(?![\\p{L}\\p{N}\\p{M}])`] : []),
    ].join('|'),
    'gu',
  );
});
const CONDITIONAL_OPENER = perLanguage((v) => boundary(v.conditionalOpeners));
const CANCELLABLES = perLanguage((v) => (v.cancellables.length ? alternation(v.cancellables.map((c) => words(c).trim())) : undefined));
/**
 * "and", "or" in the languages that list cancellables, each in its own letters only (Italian "i" is "the", Polish "i" is
 * "and"): what follows one is another object ("my account and my subscription").
 */
const CONJUNCTIONS: Record<string, string[]> = {
  en: ['and', 'or'],
  de: ['und', 'oder', 'sowie'],
  fr: ['et', 'ou'],
  es: ['y', 'e', 'o', 'u'],
  it: ['e', 'ed', 'o'],
  pt: ['e', 'ou'],
  'pt-BR': ['e', 'ou'],
  nl: ['en', 'of'],
  pl: ['i', 'oraz', 'lub', 'albo'],
  da: ['og', 'eller'],
  sv: ['och', 'eller'],
};
const TEMPORAL = perLanguage((v) => boundary(v.temporalCues));
const REASON = perLanguage((v) => boundary(v.reasonCues));
const ACCIDENT = perLanguage((v) => boundary(v.accidentCues));
const REPORT = perLanguage((v) => compiled(v.language, v.reportCues));
const REMINDER = perLanguage((v) => compiled(v.language, v.reminderCues));
const MENTION_END = perLanguage((v) => boundary(v.mentionEndCues));
/** One of `phrases` ending the text, or one word before its end: what stands right before a right's one word. */
const endingIn = (phrases: string[]) =>
  phrases.length
    ? new RegExp(
        `(?:^| )(?:${phrases.map((d) => words(d).trim().split(' ').map(escapeRegExp).join(' ')).join('|')})(?: [\\p{L}\\p{N}\\p{M}]+)? $`,
        'u',
      )
    : undefined;
/** A demonstrative right before a right's one word, at most one word between ("this objection", "této námitky", "dieses formellen Widerspruchs"). */
const DEMONSTRATIVE = perLanguage((v) => endingIn(v.demonstratives));
/** A phrase of sequence built on one ("след това изтрийте", "tämän jälkeen poistakaa"): the demonstrative names nothing there. */
const SEQUENCE = perLanguage((v) => endingIn(v.sequenceCues));
/** Where a copy is going ("another provider", "neuen Anbieter"): beside access, portability. */
const PORTABILITY_CUES = perLanguage((v) => compiled(v.language, v.portabilityCues));
const CONTRAST = perLanguage((v) => boundary(v.contrastCues));
/** How mail clients begin the subject of an automatic reply, in every language. */
const AUTO_REPLIES = lazy(() => vocabularies().flatMap((v) => compiled(v.language, v.autoReplies)));
/** API keys, tokens …: what the holder deletes themselves. */
const SELF_SERVICE = lazy(() => vocabularies().flatMap((v) => compiled(v.language, v.selfService)));
/** Invoices, amounts, payments: what a billing question is about, in each language's letters (and English). */
const BILLING = perLanguage((v) => compiled(v.language, v.billing));
/** The account's fields as each language names them ("Firmenname", "nazwisko"), for a correction said beside an invoice. */
const FIELDS = perLanguage((v) => compiled(v.language, Object.values(v.fields).flat()));
/** The verbs that introduce a corrected value ("update", "päivittäkää", "uppdatera"). */
const CORRECTION_VERBS = perLanguage((v) => compiled(v.language, v.correctionVerbs));
/** The words for usage analytics and profiling ("analytics", "Auswertung", "analizowanie"): what an objection to analytics names. */
const ANALYTICS_WORDS = perLanguage((v) => compiled(v.language, v.analytics));
const ANY_REASON = lazy(() => boundary(vocabularies().flatMap((v) => v.reasonCues)));
/** Phrases of one word ("löschen", "erase"): they name no object of their own. */
const BARE = lazy(() => new Set(PHRASES().filter((p) => !/\s/.test(p.text.trim()))));
const primary = (language: string) => language.split('-')[0];
/** The words each language's own phrases use for each right: "correction" is an English word of correction, "wissen" no German word of erasure. */
const RIGHT_WORDS = lazy(
  () =>
    new Map(
      vocabularies().map((v) => [
        v.language,
        new Map(
          (Object.entries(v.rights) as [LetterRight, string[]][]).map(([right, list]) => [
            right,
            new Set(list.flatMap((phrase) => words(phrase.replace(/^\?/, '').replace(/[~*]/g, ' ')).trim().split(' '))),
          ]),
        ),
      ]),
    ),
);
/** Whether a one-word phrase of another language is also a word the letter's language uses for the same right. */
const sharedWord = (p: Phrase, language: string) => {
  const own = [...vocabularies().filter((v) => primary(v.language) === primary(language))].map((v) =>
    RIGHT_WORDS().get(v.language)?.get(p.right),
  );
  return own.some((set) => set && (p.first.stem ? [...set].some((w) => w.startsWith(p.first.word)) : set.has(p.first.word)));
};
/** Every language's negations as words, each once (not once per phrase: 2,700 phrases × 200 negations). */
const NEGATION_WORDS = lazy(() => vocabularies().flatMap((v) => v.negations.map((n) => ` ${words(n).trim()} `)));
/** Phrases that carry a negation of their own. */
const NEGATIVE_PHRASE = lazy(
  () =>
    new Set(
      PHRASES().filter((p) => {
        const own = ` ${words(p.text.replace(/^\?/, '')).trim()} `;
        return NEGATION_WORDS().some((n) => own.includes(n));
      }),
    ),
);
/**
 * A negation as a pattern over `words()`: its words, and `~` for the words a correlative pair holds
 * between its halves ("weder ~ noch", "varken ~ eller"): "weder mein Konto kündigen noch etwas löschen".
 */
const negationSource = (negation: string) =>
  negation
    .split(/\s+~\s+/)
    .map((part) => words(part).trim().split(' ').map(escapeRegExp).join(' '))
    .join('(?: [\\p{L}\\p{N}\\p{M}]+){0,6} ');

/**
 * English's negations as read beside another language (every letter is read in its language and English): less those that
 * are that language's own words in another sense — Portuguese "no" (in the: "errado no cadastro, favor corrigir"), Latvian
 * "no" (from) —, keyed `en>` and the language.
 */
const ENGLISH_NEGATIONS_BESIDE = perLanguage((v) => {
  if (v.language === 'en') return undefined;
  const own = new Set([...v.stopWords, ...v.negations].map((w) => words(w).trim()));
  const negations = new Set(v.negations.map((w) => words(w).trim()));
  const english = vocabularyByLanguage().get('en')?.negations ?? [];
  return english.filter((n) => negations.has(words(n).trim()) || !own.has(words(n).trim()));
});
/** The negations read under a key: a language's own, or English's beside a language (`en>` and the language). */
const negationsOf = (key: string) =>
  key.startsWith('en>') ? ENGLISH_NEGATIONS_BESIDE(key.slice(3)) : vocabularyByLanguage().get(key)?.negations;
/**
 * Per language, a pattern over `words()` made of its negations (`(?:not|don t|…)`, as `shape` places them), built at its
 * first use; none without negations, nor for a language `only` leaves out.
 */
const negationPatterns = (shape: (negation: string) => string, only: (key: string) => boolean = () => true) => {
  const built = new Map<string, RegExp | undefined>();
  return (key: string) => {
    if (!built.has(key)) {
      const list = only(key) ? negationsOf(key) : undefined;
      built.set(key, list?.length ? new RegExp(shape(`(?:${list.map(negationSource).join('|')})`), 'u') : undefined);
    }
    return built.get(key);
  };
};
const WORD = '[\\p{L}\\p{N}\\p{M}]+';
/**
 * A clause that ends with a negated verb ("Ich möchte nicht,", "Jeg ønsker ikke,", "Nechcem,"): the
 * clause after the comma is its object, and the negation reaches into it. A bare "No," / "Nein," (one
 * short word) answers something; it negates nothing after it.
 */
const NEGATED_VERB_END = negationPatterns((n) => `(?:^| )${n}(?: ${WORD})? $`);
/**
 * A negation a few words before a right's words, in the same clause ("I don't want to delete my
 * account"): verb-final and infinitive clauses put the right's word last ("Jeg ønsker ikke at få min
 * konto slettet", "Ég vil ekki að aðganginum mínum verði eytt"). The words between are captured.
 */
const NEGATED_IN_CLAUSE = negationPatterns((n) => `(?:^| )${n}((?: ${WORD}){0,5}) $`);
/** A negation right before a right's words, at most one word between ("no objection", "geen bezwaar", "inga invändningar", "I don't object"). */
const NEGATED_CLOSE = negationPatterns((n) => `(?:^| )${n}(?: ${WORD}){0,1} $`);
/**
 * A refusal that reaches a whole clause ("I don't want my usage data to be analysed", "Не искам данните ми за използване да
 * се анализират"): a negation anywhere before the words in their clause (the words between captured) …
 */
const REFUSED_AHEAD = negationPatterns((n) => `(?:^| )${n}((?: ${WORD}){0,10}) $`);
/** … or in the clause before, which a refusal ends a few words after its negation ("Nem járulok hozzá, hogy …") … */
const REFUSED_VERB_END = negationPatterns((n) => `(?:^| )${n}(?: ${WORD}){0,3} $`);
/**
 * … or, in a language whose clauses end with their verb, the negated verb that ends it ("… analiz edilmesini istemiyorum").
 * Elsewhere a negation at a clause's end negates its own verb ("les statistiques ne s'affichent pas"), no refusal.
 */
const VERB_FINAL = lazy(
  () =>
    new Set(
      vocabularies()
        .filter((v) => v.verbFinal)
        .map((v) => v.language),
    ),
);
const REFUSED_AFTER = negationPatterns(
  (n) => `^ ?(?:${WORD} ){3,}${n} ?$`,
  (key) => VERB_FINAL().has(key),
);
/**
 * In a verb-final language a right's words are refused by the negated verb that ends their clause a few words later
 * ("Hesabımı silmenizi istemiyorum", I don't want you to delete my account; Hindi's "mat"/"nahi" before the last verb:
 * "account delete mat karna"): elsewhere the negation comes first.
 */
const NEGATED_AFTER = negationPatterns(
  (n) => `^ ?(?:${WORD} ){1,4}${n}(?: ${WORD})? ?$`,
  (key) => VERB_FINAL().has(key),
);
const STOP_WORDS = lazy(() => new Map(vocabularies().map((v) => [v.language, new Set(v.stopWords.map((w) => words(w).trim()))])));
/** The languages that name the Regulation by each name: "GDPR" is written in many and tells none of them. */
const LAW_NAME_LANGUAGES = lazy(() => {
  const languages = new Map<string, Set<string>>();
  for (const v of vocabularies())
    for (const name of v.regulation) {
      const key = words(name).trim();
      languages.set(key, (languages.get(key) ?? new Set()).add(primary(v.language)));
    }
  return languages;
});
const LAW_NAMES = lazy(
  () =>
    new Map(
      vocabularies().map((v) => [
        v.language,
        compiled(
          v.language,
          v.regulation.filter((name) => LAW_NAME_LANGUAGES().get(words(name).trim())!.size === 1),
        ),
      ]),
    ),
);
const OTHER_LAWS = lazy(() => boundary(vocabularies().flatMap((v) => v.otherLaws)));
/** A citation followed within a few words by another law's name ("art. 18 da LGPD", "Art. 15 BDSG") is not the GDPR's. */
const OTHER_LAW_AHEAD = lazy(() => {
  const laws = OTHER_LAWS();
  return laws && new RegExp(`^[\\s.,)]*(?:\\S+\\s+){0,6}?(?:${laws.source})`, 'u');
});
/** Nor is one right after another law's name ("LGPD art. 18", "BDSG § 34"). */
const OTHER_LAW_BEHIND = lazy(() => {
  const laws = OTHER_LAWS();
  return laws && new RegExp(`(?:${laws.source})[\\s.,:;(\\-–]*$`, 'u');
});

/** "Art. 15", "artículo 17", "čl. 16", "άρθρο 21": an article word, then the number. */
const ARTICLE_BEFORE = lazy(
  () => new RegExp(`(?<![\\p{L}])(?:${alternation(vocabularies().flatMap((v) => v.articleBefore))})\\.?\\s*(\\d{1,3})(?![\\d])`, 'gu'),
);
/** "15. cikk", "17. pants", "15 straipsnis", "21 artikla" — and the numbers listed before ("15. és 20. cikke"). */
const ARTICLE_AFTER = lazy(
  () =>
    new RegExp(
      `((?:\\d{1,3}\\.?\\s*(?:,|-|–|\\p{L}{1,4})\\s*)*)(\\d{1,3})\\.?\\s*(?:${alternation(vocabularies().flatMap((v) => v.articleAfter))})(?![\\p{L}])`,
      'gu',
    ),
);
/** Words that join listed article numbers ("Art. 15 and 20", "Art. 15 und 20", "artt. 15 e 20"). */
const JOINERS = new Set([
  'and',
  'und',
  'et',
  'e',
  'y',
  'i',
  'a',
  'og',
  'och',
  'ja',
  'es',
  'ir',
  'un',
  'kai',
  'и',
  'en',
  'oraz',
  'si',
  'in',
  'agus',
  'u',
  'sowie',
  'ou',
  'or',
  'oder',
  'o',
  'eller',
  'lub',
  'nebo',
  'alebo',
  'ali',
  'vagy',
  'sau',
  'tai',
  'vai',
  'arba',
  'jew',
  'η',
  'или',
  'bzw',
  'resp',
  'και',
]);
/** Paragraph, point and letter words after an article number ("Abs. 3", "ust. 1", "odst. 2", "lit. a"): their numbers are not articles. */
const SUBDIVISIONS =
  /^(abs|absatz|para|paragraph|paragraphe|parag|par|ust|ustep|odst|odstavec|odsek|al|alinea|alin|lit|litera|bod|pkt|punkt|punto|punct|apartado|apdo|comma|stk|stykke|mom|moment|lid|nr|ziff|bekezdes|bek|pont|lg|tocka|stavak|st|kohta|loige|punkts|dalis|d|mir|παρ|παραγραφος|εδ|ал|алинея|т|sub|sz|c|n|no|ods|lett|letra|k|s|pts|subparagraph|point|points|inciso|incisos|inc|caput|alínea|alinea|§|sect|section)$/u;
/** Words that introduce a range: "articles 15 to 22" lists rights, it asks for none. */
const RANGE = new Set([
  'to',
  'bis',
  'à',
  'ao',
  'do',
  'az',
  'till',
  'til',
  'tot',
  'tot en met',
  'εως',
  'έως',
  'до',
  'through',
  'thru',
  'kuni',
  'iki',
  'lidz',
  'ala',
  '-',
  '–',
]);

/** The line that opens a forwarded message, as mail clients write it in each language ("---------- Forwarded message ---------"). */
const FORWARDED = [
  'Forwarded message',
  'Weitergeleitete Nachricht',
  'Message transféré',
  'Mensaje reenviado',
  'Messaggio inoltrato',
  'Doorgestuurd bericht',
  'Przekazana wiadomość',
  'Přeposlaná zpráva',
  'Preposlaná správa',
  'Vidarebefordrat meddelande',
  'Videresendt melding',
  'Videresendt meddelelse',
  'Mensagem encaminhada',
  'Välitetty viesti',
  'Továbbított üzenet',
  'Mesaj redirecționat',
  'Προωθημένο μήνυμα',
  'Препратено съобщение',
  'Proslijeđena poruka',
  'Posredovano sporočilo',
  'Edastatud kiri',
  'Persiųstas laiškas',
  'Pārsūtīta ziņa',
  'Пересылаемое сообщение',
  'Пересланное сообщение',
  'Переслане повідомлення',
  'İletilen ileti',
  'الرسالة المعاد توجيهها',
  'رسالة معاد توجيهها',
  'הודעה שהועברה',
  '转发的邮件',
  '轉寄的郵件',
  '転送されたメッセージ',
  '전달된 메일',
  'Thư đã chuyển tiếp',
  'Pesan terusan',
  'अग्रेषित संदेश',
].join('|');
const FORWARD_START = new RegExp(
  `^(-{2,} ?(${FORWARDED}) ?-{2,}|(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réenvoyé|Inicio del mensaje reenviado):)`,
  'imu',
);

/** Lines that begin a reply's quoted history or a forwarded message, in the languages mail clients write them. */
const HISTORY_STARTS = [
  // "On … wrote:", and Apple Mail's and Thunderbird's "Am … schrieb OmnAPI <privacy@…>:", the name after the verb.
  /^(On|Am|Le|El|Il giorno|Op|W dniu|Dne|Den|Em|Στις|În data de|On .{0,80}) .{4,200}(wrote|schrieb|a écrit|escribió|ha scritto|schreef|napisał\(a\)|napisał|napsal\(a\)|napsal|skrev|escreveu|έγραψε|a scris)(\s[^:\n]{0,120})?\s?:\s*$/imu,
  /^-{2,} ?(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Wiadomość oryginalna|Původní zpráva|Ursprungligt meddelande|Mensagem original|Oprindelig meddelelse|Opprinnelig melding|Alkuperäinen viesti|Αρχικό μήνυμα|Mesaj original|Eredeti üzenet|Исходное сообщение|Оригінальне повідомлення|Özgün İleti|Orijinal Mesaj|الرسالة الأصلية|הודעה מקורית|原始邮件|原始郵件|元のメッセージ|원본 메시지|Thư gốc|Pesan Asli|मूल संदेश) ?-{2,}/imu,
  // Any client's reply attribution, whatever its language: a line naming the quoted writer's <address> and a time, ending in a colon
  // ("2026年3月5日(木) 10:02 OmnAPI <privacy@omnapi.com>:", "чт, 5 мар. 2026 г. в 10:02, OmnAPI <privacy@omnapi.com>:").
  /^(?=[^\n<]*?\d)[^\n<]{0,240}<[^<>\s@]+@[^<>\s@]+>[^\n<]{0,60}[:：][ \t]*$/mu,
  FORWARD_START,
  /^(From|Von|De|De la|Da|Van|Od|Från|Fra|Lähettäjä|Από|От|Feladó|Saatja|Nuo|No|Šalje|Kimden|Від|מאת|من|发件人|寄件者|差出人|보낸 사람|Từ|Dari|प्रेषक) ?[:：] ?.+\n(Отправлено|Надіслано|Дата|Gönderildi|Tarih|נשלח|תאריך|تاريخ|تم الإرسال|发送时间|日期|時間|寄件日期|送信日時|日付|보낸 날짜|날짜|Đã gửi|Ngày|Dikirim|Tanggal|भेजा गया|दिनांक|Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Enviado el|Fecha|Inviato|Data|Verzonden|Wysłano|Wysłane|Odesláno|Skickat|Sendt|Lähetetty|Στάλθηκε|Изпратено|Küldve|Elküldve|Saadetud|Išsiųsta|Nosūtīts|Poslano|Odoslané|Trimis|Date) ?: /imu,
  /^_{10,}$/m,
];

const HEADER_LINE = /^\s*([\p{L}][\p{L} .'-]{0,24}?)\s?:\s+(\S.*)$/u;

/**
 * Where a quoted message's header block begins, in any client's language: four lines of "Label: value"
 * (From, Sent, To, Subject), the first naming an address, the second a date — and none an
 * identification label, so the writer's own "E-Mail: … / Kundennummer: 1234 …" block is never taken for one.
 */
function headerBlockStart(text: string): number | undefined {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i + 3 < lines.length; offset += lines[i]!.length + 1, i++) {
    const block = lines.slice(i, i + 4).map((line) => HEADER_LINE.exec(line));
    if (block.some((m) => !m || LABELS().has(words(m[1]!).trim()))) continue;
    if (/@/.test(block[0]![2]!) && /\d/.test(block[1]![2]!)) return offset;
  }
  return undefined;
}

/** The new text of a message: quoted lines (`>`) and everything after a reply or forward marker, or a quoted message's header block, removed. */
export function newTextOf(text: string): string {
  let cut = text.replace(/\r\n?/g, '\n');
  for (const marker of HISTORY_STARTS) {
    const match = marker.exec(cut);
    if (match) cut = cut.slice(0, match.index);
  }
  const headers = headerBlockStart(cut);
  if (headers !== undefined) cut = cut.slice(0, headers);
  return cut
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('>'))
    .join('\n')
    .trim();
}

const EMAIL = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+/g;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const LABEL_LINE = /^\s*([\p{L}][\p{L}\p{N} ./'’()-]{0,40}?)\s*:\s*(.*)$/u;
const BULLET = /^\s*(?:[-–•*·▪◦]|\d{1,2}[.)]|[a-z][.)]|\(\w{1,3}\))\s+/u;

/** A line of an identification block ("Name: …", "E-Mail-Adresse: …"): its label and value, or undefined. */
export function identificationLine(line: string): { label: string; value: string } | undefined {
  const match = LABEL_LINE.exec(line);
  if (!match) return undefined;
  const label = words(match[1]!).trim();
  return LABELS().has(label) ? { label, value: match[2]!.trim() } : undefined;
}

/**
 * The line a phone's or webmail's client adds under every mail, in the writer's language or its own ("Sent from my iPhone",
 * "Wysłane z iPhone'a", "Von meinem iPhone gesendet", "iPhoneから送信", "Get Outlook for Android"): it names the device or
 * client, and no one writes a request in six words around one. The name may be inflected ("z iPhonu") or written against
 * Japanese and Chinese ("iPhoneから送信"): no boundary after it.
 */
const CLIENT_SIGNATURE =
  /(?<![a-z0-9])(?:iphone|ipad|android|galaxy|samsung|huawei|xiaomi|outlook|blackberry|yahoo|gmail|proton\s?mail|mail for windows|windows mail)/iu;
const clientSignature = (line: string) => {
  const t = line.trim();
  return t.length > 0 && t.length <= 60 && t.split(/\s+/).length <= 6 && !/[.!?]\s*\S/.test(t) && CLIENT_SIGNATURE.test(t);
};

/** Everything before the signature: the closing formula ("Kind regards", "Mit freundlichen Grüßen") or `-- ` ends the letter, and a client's signature line is left out. */
export function bodyOf(text: string): string {
  const all = text.split('\n');
  // A client's signature is the mail's last line: only blank lines may follow it.
  let last = all.length;
  while (last > 0 && !all[last - 1]!.trim()) last--;
  const lines = last > 0 && clientSignature(all[last - 1]!) ? all.slice(0, last - 1) : all;
  const end = lines.findIndex((line, i) => {
    if (/^\s*(--|__)\s*$/.test(line)) return true;
    const w = words(line);
    // "Kind regards, Jane" — not "Thanks! Delete my account.", which goes on after its first sentence.
    return (
      i > 0 &&
      w.length < 120 &&
      w.trim().split(' ').length <= 6 &&
      !/[.!?]\s*\S/.test(line.trim()) &&
      CLOSINGS().some((c) => w.search(c.pattern) === 0)
    );
  });
  return (end >= 0 ? lines.slice(0, end) : lines).join('\n');
}

interface Sentence {
  text: string;
  /** A bullet under a sentence that asked ("I request the following:"). */
  inherited: boolean;
  /** A bullet under "on the following grounds:": a reason, not a request. */
  reason: boolean;
}

/**
 * The letter's sentences: identification lines out, soft-wrapped lines joined, every bullet its own
 * sentence, and sentences split at . ! ? ; — not after an abbreviation ("Art.", "gem.", "odst.") nor
 * after an article or paragraph number ("15. cikk").
 */
function sentencesOf(body: string): Sentence[] {
  const blocks: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length) blocks.push(current.join(' '));
    current = [];
  };
  for (const line of body.split('\n')) {
    if (!line.trim() || identificationLine(line)) {
      flush();
      continue;
    }
    if (BULLET.test(line)) flush();
    current.push(line.trim());
    if (/[:]\s*$/.test(line)) flush();
  }
  flush();
  const sentences: Sentence[] = [];
  let asking = false;
  let reasons = false;
  for (const block of blocks) {
    const bullet = BULLET.test(block);
    if (!bullet) asking = reasons = false;
    for (const text of splitSentences(block)) sentences.push({ text, inherited: bullet && asking, reason: bullet && reasons });
    if (!bullet && /:\s*$/.test(block)) {
      // "I request the following:" lends its asking to the bullets under it; "I request erasure on these grounds:" does not (they are reasons).
      reasons = new RegExp(ANY_REASON()?.source ?? '$^', 'u').test(fold(block).replace(/'/g, ' '));
      asking = isRequest(block) && !namesRight(block) && !reasons;
    }
  }
  return sentences;
}

function splitSentences(block: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of block.matchAll(/[.!?;]+["')\]]*\s+/g)) {
    const last = words(
      block
        .slice(Math.max(start, match.index - 40), match.index)
        .split(/\s+/)
        .pop() ?? '',
    ).trim();
    const next = block.slice(match.index + match[0].length);
    if (match[0].startsWith('.') && (ABBREVIATIONS().has(last) || /^\d{1,3}$/.test(last) || /^\p{Ll}/u.test(next))) continue;
    out.push(block.slice(start, match.index + match[0].length).trim());
    start = match.index + match[0].length;
  }
  out.push(block.slice(start).trim());
  return out.filter(Boolean);
}

const namesRight = (text: string) => {
  const w = words(text);
  const has = wordIndex(w);
  return PHRASES().some((p) => !p.weak && has(p) && p.pattern.test(w)) || citedArticles(text).some((n) => ARTICLES[n]);
};

/** A sentence that opens with thanks (a closing formula: "Thanks, …", "Danke für …") thanks; it does not ask. */
/** Whether a text says "I would be grateful" in any language. */
const grateful = (text: string) => {
  const w = words(text);
  const has = wordIndex(w);
  return GRATITUDE().some((cue) => has(cue) && cue.pattern.test(w));
};

const thanks = (text: string) => {
  const w = words(text);
  return CLOSINGS().some((c) => w.search(c.pattern) === 0);
};

/**
 * "Once I have the export, delete the account and all my data.": after a clause of time that opens the sentence, a right's own
 * words at once are an imperative, and ask like a sentence with a request cue. Only there: a sentence that merely opens with a
 * right's words may tell a story ("Access to my data was fine last time"). Not a question, nor a right's weak words.
 */
const asksAfterTime = (text: string, languages: string[]) => {
  if (/\?\s*$/.test(text)) return false;
  const folded = fold(text.replace(EMAIL, ' ').replace(URL, ' ')).replace(/'/g, ' ');
  return languages.some((language) => {
    const cue = TEMPORAL(language);
    const opening = cue && new RegExp(`^[\\s\\p{P}]*${cue.source}[^,;:]*[,;:]`, 'u').exec(folded);
    if (!opening) return false;
    const w = words(folded.slice(opening[0].length));
    const has = wordIndex(w);
    return PHRASES().some((p) => !p.weak && languages.includes(p.language) && has(p) && w.search(p.pattern) === 0);
  });
};

const isRequest = (text: string) => {
  const w = words(text);
  const has = wordIndex(w);
  return REQUEST_CUES().some((cue) => has(cue) && cue.pattern.test(w));
};

/** The articles a text cites, by number (ranges and other laws' articles left out). */
export function citedArticles(text: string): number[] {
  // "15.º" (Portuguese ordinals) is the number 15.
  const t = fold(text).replace(/(\d)\.?\s*[ºo°](?![\p{L}])/gu, '$1');
  const found: number[] = [];
  for (const match of t.matchAll(ARTICLE_BEFORE())) {
    const numbers = [Number(match[1])];
    const tail = t.slice(match.index + match[0].length, match.index + match[0].length + 80);
    let ranged = false;
    let state: 'number' | 'joined' | 'sub' | 'range' = 'number';
    let rest = tail;
    // Once a paragraph ("Abs. 1", "(3)") is named, listed numbers are paragraphs too: "čl. 15 odst. 1 a 3".
    let subdivided = false;
    for (const token of tail.matchAll(/\d+|\p{L}+|\S/gu)) {
      const tok = token[0];
      if (/^\d+$/.test(tok)) {
        if (state === 'range') ranged = true;
        if (state === 'range') break;
        if (state === 'joined' && !subdivided) numbers.push(Number(tok));
        state = 'number';
        continue;
      }
      if (state !== 'joined' && (tok === '-' || tok === '–' || RANGE.has(tok))) state = 'range';
      else if (state !== 'range' && (tok === ',' || tok === '&' || tok === '/' || JOINERS.has(tok))) state = 'joined';
      else if (tok === '(') subdivided = true;
      else if (tok === ')' || tok === '.') continue;
      else if (SUBDIVISIONS.test(tok)) {
        state = 'sub';
        subdivided = true;
      } else if (state === 'sub' && /^(\p{L}|[ivxl]+)$/u.test(tok)) continue;
      else {
        rest = tail.slice(token.index);
        break;
      }
    }
    if (ranged) continue;
    if (OTHER_LAW_AHEAD()?.test(rest) || OTHER_LAW_BEHIND()?.test(t.slice(Math.max(0, match.index - 40), match.index))) continue;
    found.push(...numbers);
  }
  for (const match of t.matchAll(ARTICLE_AFTER())) {
    if (/[-–]/.test(match[1] ?? '')) continue;
    found.push(...[...(match[1] ?? '').matchAll(/\d{1,3}/g)].map((m) => Number(m[0])), Number(match[2]));
  }
  return found;
}

interface Mention {
  right: LetterRight;
  weak: boolean;
  /** One word alone ("löschen", "erase"): it names no object of its own. */
  bare: boolean;
  what: string;
}

/** Each language's quantifiers ("all of", "todos os > os") as patterns over folded text, longest first, with what they leave. */
const QUANTIFIERS = perLanguage((v) =>
  v.quantifiers
    .map((entry) => entry.split('>').map((part) => words(part).trim()) as [string, string?])
    .sort(([a], [b]) => b.length - a.length)
    .map(([from, to]) => ({
      pattern: new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${from.split(' ').map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}\\p{M}])`, 'gu'),
      to: to ? ` ${to} ` : ' ',
    })),
);

/** A sentence without the quantifiers of its languages ("delete all of my data" → "delete my data"); undefined when it has none. */
function withoutQuantifiers(text: string, languages: string[]): string | undefined {
  const folded = fold(text).replace(/'/g, ' ');
  let out = folded;
  for (const language of languages) for (const { pattern, to } of QUANTIFIERS(language) ?? []) out = out.replace(pattern, to);
  return out === folded ? undefined : out;
}

/**
 * The rights a sentence names: conditional clauses ("if you object …") and descriptions of rights left out. A quantifier or
 * determiner between a verb and its object ("ter acesso a todos os meus dados", "löschen Sie sämtliche meiner Daten") takes
 * no room in the window between them: the sentence is read again without it.
 */
function mentionsIn(text: string, languages: string[], language: string | undefined): { mentions: Mention[]; conditional: boolean } {
  const read = mentionsInText(text, languages, language);
  const without = withoutQuantifiers(text, languages);
  if (without === undefined) return read;
  const again = mentionsInText(without, languages, language);
  const seen = new Set(read.mentions.map((m) => m.right));
  return {
    mentions: [...read.mentions, ...again.mentions.filter((m) => !seen.has(m.right))],
    conditional: read.conditional || again.conditional,
  };
}

function mentionsInText(text: string, languages: string[], language: string | undefined): { mentions: Mention[]; conditional: boolean } {
  let t = fold(text.replace(EMAIL, ' ').replace(URL, ' ')).replace(/'/g, ' ');
  // A description of rights runs to the end of the sentence, or to the word that turns it ("…, but I want full erasure").
  const contrasts = languages.map((l) => CONTRAST(l)).filter((c): c is RegExp => c !== undefined);
  const mentionCues = MENTION_CUES();
  for (
    let mention = mentionCues && new RegExp(mentionCues.source, 'u').exec(t);
    mention;
    mention = new RegExp(mentionCues!.source, 'u').exec(t)
  ) {
    const rest = t.slice(mention.index + mention[0].length);
    const turns = contrasts.map((c) => new RegExp(c.source, 'u').exec(rest)).filter((m): m is RegExpExecArray => m !== null);
    const turn = turns.sort((a, b) => a.index - b.index)[0];
    t = `${t.slice(0, mention.index)} ${turn ? rest.slice(turn.index + turn[0].length) : ''}`;
  }
  for (const language of languages) {
    // "a helyesbítéshez és a törléshez való jogaim fennállása": the noun after what it describes, back to its clause's start
    // (over short list items: "a helyesbítés, a törlés vagy a tiltakozás jogának fennállása").
    const cue = MENTION_END(language);
    for (let end = cue && new RegExp(cue.source, 'u').exec(t); end; end = new RegExp(cue!.source, 'u').exec(t)) {
      const clauseStart = (at: number) => Math.max(...[',', ';', ':', '('].map((b) => t.lastIndexOf(b, at - 1))) + 1;
      let start = clauseStart(end.index);
      while (
        start > 0 &&
        t
          .slice(clauseStart(start - 1), start - 1)
          .trim()
          .split(/\s+/).length <= 3
      )
        start = clauseStart(start - 1);
      t = `${t.slice(0, start)} ${t.slice(end.index + end[0].length)}`;
    }
  }
  let conditional = false;
  for (const language of languages) {
    // Where a condition ends with its verb ("Verilerimi silerseniz ne olur?", "계정을 삭제하면 …", "アカウントを削除した場合、…"),
    // it runs from its clause's start to its last conditional word. Followed by thanks ("Hesabımı silerseniz memnun olurum",
    // "삭제해 주시면 감사하겠습니다"), it is the polite form of a request, and asks.
    const end = CONDITION_END(language);
    if (!end) continue;
    const clauses = t.split(/(?<=[,;:、])/u);
    t = clauses
      .map((clause, i) => {
        // A word that opens its clause ("eğer", "अगर") opens a condition, read below; one after words ends one.
        const last = [...clause.matchAll(new RegExp(end.source, 'gu'))]
          .filter((m) => /[\p{L}\p{N}]/u.test(clause.slice(0, m.index)))
          .at(-1);
        if (!last) return clause;
        const after = clause.slice(last.index + last[0].length) + clauses.slice(i + 1).join('');
        if (!/\?\s*$/u.test(after) && grateful(after)) return clause;
        if (
          clauses
            .slice(0, i)
            .join(' ')
            .trim()
            .split(/\s+/)
            .filter((x) => /[\p{L}\p{N}]/u.test(x)).length <= 1
        )
          conditional = true;
        return ` ${clause.slice(last.index + last[0].length)}`;
      })
      .join('');
  }
  for (const language of languages) {
    const cue = CONDITIONAL(language);
    if (!cue) continue;
    // In a verb-final language, a conditional word inside a clause ends it ("…した場合"): read above. One that opens it ("eğer",
    // "만약", "もし") opens a condition as elsewhere.
    if (CONDITION_END(language)) {
      const opening = new RegExp(`(?:^|[,;:、])[\\s\\p{P}\\d]*(?:${cue.source})[^,;:、]*`, 'gu');
      conditional ||= new RegExp(`^[\\s\\p{P}\\d]*${cue.source}`, 'u').test(t);
      t = t.replace(opening, (clause) => (/^[,;:、]/u.test(clause) ? clause[0]! : ' '));
      continue;
    }
    // A sentence that opens with its condition ("If you object …, tell me why") is a consequence, not a request.
    conditional ||= new RegExp(`^[\\s\\p{P}\\d]*${cue.source}`, 'u').test(t);
    // Under a clause that is nothing but a wish ("Szeretném, ha törölnék a fiókomat", I'd like it that you delete my account;
    // "Nem szeretném, ha …"), the word is "that", not "if": the clause, running to the sentence's end, is what is asked.
    // ("Please, if you close my account, send me a receipt" goes on after it: a condition.)
    t = t.replace(new RegExp(`${cue.source}[^,;:]*`, 'gu'), (clause: string, at: number, whole: string) => {
      const before = whole.slice(0, at).replace(/[\s,]+$/u, '');
      if (before.length === at || /[\p{L}\p{N}]/u.test(whole.slice(at + clause.length))) return ' ';
      const wish = before.slice(Math.max(...[',', ';', ':', '.'].map((b) => before.lastIndexOf(b))) + 1).trim();
      // "I would be grateful if you could delete my account", "ich wäre Ihnen dankbar, wenn …": the same, said with thanks.
      const words = wish.split(/\s+/).length;
      return wish && ((words <= 2 && isRequest(wish)) || (words <= 6 && grateful(wish))) ? clause : ' ';
    });
  }
  for (const language of languages) {
    // Portuguese "Se concordei …, revogo …": "se" opens a condition only where it opens the sentence.
    const opener = CONDITIONAL_OPENER(language);
    // Not one a comma follows: Catalan and Spanish "Sí," answers yes.
    const opening = opener && new RegExp(`^[\\s\\p{P}\\d]*${opener.source}(?!\\s*[,;:])[^,;:]*`, 'u');
    // Nor one that begins a request cue: Catalan "si us plau" is "please".
    if (!opening?.test(t) || REQUEST_CUES().some((c) => c.language === language && words(t).search(c.pattern) === 0)) continue;
    conditional = true;
    t = t.replace(opening, ' ');
  }
  for (const language of languages) {
    // "Before you close my account, …": the clause asks nothing, the sentence still may.
    const cue = TEMPORAL(language);
    if (cue) t = t.replace(new RegExp(`${cue.source}[^,;:]*`, 'gu'), ' ');
  }
  for (const language of languages) {
    const cue = REASON(language);
    if (cue) t = t.replace(new RegExp(`${cue.source}[^,;:]*`, 'gu'), ' ');
  }
  // "J'ai supprimé mon compte par erreur, pouvez-vous le restaurer ?": the clause that tells an accident reports it.
  for (const language of languages) {
    const cue = ACCIDENT(language);
    if (!cue) continue;
    const accident = new RegExp(cue.source, 'u');
    t = t.replace(/[^,;:]+/gu, (clause) => (accident.test(clause) && !isRequest(clause) ? ' ' : clause));
  }
  const w = words(t);
  // A phrase that itself says "no" ("do not use my data", "ne plus recevoir") is not undone by it.
  // An objection is itself a "no" ("No quiero recibir publicidad"): it is undone only by a negation right before its words
  // ("no objection", "geen bezwaar", "I don't object"); the other rights by one a few words before.
  const beside = language !== undefined && language !== 'en' && vocabularyByLanguage().has(language);
  const ofLanguages = (patterns: (key: string) => RegExp | undefined) =>
    languages.map((l) => (l === 'en' && beside ? patterns(`en>${language}`) : patterns(l))).filter((n): n is RegExp => n !== undefined);
  const close = ofLanguages(NEGATED_CLOSE);
  const inClause = ofLanguages(NEGATED_IN_CLAUSE);
  const verbEnds = ofLanguages(NEGATED_VERB_END);
  const clauses = t.split(/[,;:()]|\s[-–—]\s/u).map(words);
  // A request cue between the negation and the right's words ("not needed any more so please erase my data") ends the
  // negation's reach — but not the negated verb itself, right after it ("non voglio cancellare", "I do not want to delete").
  // So does a word that turns the sentence ("I don't want it deleted, but …"; Irish "níl uaim ach …", I want nothing but …).
  const denies = (n: RegExp, before: string) => {
    const between = n.exec(before);
    if (between === null) return false;
    const rest = (between[1] ?? '').trim().split(' ').slice(1).join(' ');
    return !isRequest(rest) && !contrasts.some((c) => new RegExp(c.source, 'u').test(rest));
  };
  /**
   * Whether a negation reaches the words `p` matches in their clause: `ahead` before them (or in the clause before, when it ends
   * with one of `ends`), or `after` them to the clause's end.
   */
  const reachedInClause = (p: { pattern: RegExp }, ahead: RegExp[], ends: RegExp[], after: RegExp[] = []) =>
    clauses.some((c, i) => {
      const at = c.search(p.pattern);
      if (at < 0) return false;
      const previous = clauses[i - 1]?.trim() ?? '';
      const governs = (previous.includes(' ') || previous.length >= 5) && ends.some((n) => n.test(` ${previous} `));
      const before = `${governs ? ` ${previous}` : ''}${c.slice(0, at + 1)}`;
      return ahead.some((n) => denies(n, before)) || after.some((n) => n.test(c.slice(at)));
    });
  const negatedAfter = ofLanguages(NEGATED_AFTER);
  // A phrase that runs over a comma ("account delete mat karna, bas mera data …" read as "delete ~ data") is refused by the
  // negated verb that ends the clause its first word stands in.
  const refusedWhereItStarts = (p: Phrase) =>
    negatedAfter.length > 0 &&
    clauses.some((c) => {
      const first = p.first.word && new RegExp(` ${escapeRegExp(p.first.word)}${p.first.stem ? '[\\p{L}\\p{N}\\p{M}]*' : ''} `, 'u');
      const at = first ? c.search(first) : -1;
      return at >= 0 && c.search(p.pattern) < 0 && negatedAfter.some((n) => n.test(c.slice(at)));
    });
  const negatedInClause = (p: Phrase) => reachedInClause(p, inClause, verbEnds, negatedAfter) || refusedWhereItStarts(p);
  // A refusal of analytics reaches further: the whole clause, the clause a refusal ends, and a verb-final clause's last word.
  const refusal = [ofLanguages(REFUSED_AHEAD), ofLanguages(REFUSED_VERB_END), ofLanguages(REFUSED_AFTER)] as const;
  const refusedInClause = (p: { pattern: RegExp }) => reachedInClause(p, ...refusal);
  const negated = (p: Phrase) =>
    !NEGATIVE_PHRASE().has(p) &&
    (p.right === 'objection' ? close.some((n) => n.test(w.slice(0, w.search(p.pattern) + 1))) : negatedInClause(p));
  const has = wordIndex(w);
  // One word of another language may be a false friend ("wissen": to know in German, to erase in Dutch): a word alone counts
  // in its own language, in English, and where the letter's language uses it for the same right ("correction" in English);
  // phrases of several words, and any word when the language is unknown, count everywhere.
  const ownWord = (p: Phrase) =>
    language === undefined || !BARE().has(p) || p.language === 'en' || primary(p.language) === primary(language) || sharedWord(p, language);
  // "la cancellazione di un contratto", "löschen Sie mich aus Ihrem Verteiler": erasure said of what is not the person's data
  // (a contract, a subscription, a mailing list) cancels that thing. Only its object right after counts: "cancelar mi cuenta
  // y mi suscripción" names the account first, and "and" ends the reach.
  const cancellables = languages.map((l) => CANCELLABLES(l)).filter((c): c is string => c !== undefined);
  const conjunctions = new Set(languages.flatMap((l) => CONJUNCTIONS[l] ?? []));
  const saidOfCancellable = (p: Phrase) => {
    if (p.right !== 'deletion' || cancellables.length === 0) return false;
    const all = w.match(new RegExp(p.pattern.source, 'gu'))?.length ?? 0;
    const of = new RegExp(
      `${p.pattern.source}((?:[\\p{L}\\p{N}\\p{M}]+ ){0,4}?)(?:${cancellables.join('|')})(?![\\p{L}\\p{N}\\p{M}])`,
      'gu',
    );
    const said = [...w.matchAll(of)].filter((m) => !(m[1] ?? '').split(' ').some((word) => conjunctions.has(word))).length;
    return all > 0 && said >= all;
  };
  // "Po doručení této námitky", "upon receipt of this objection": a right's one word after a demonstrative names the letter itself.
  const demonstratives = languages.map((l) => DEMONSTRATIVE(l)).filter((d): d is RegExp => d !== undefined);
  // Not when the demonstrative is part of a "then" ("и след това изтрийте акаунта"): the word after it is asked in turn.
  const sequences = languages.map((l) => SEQUENCE(l)).filter((d): d is RegExp => d !== undefined);
  const namesLetter = (p: Phrase) => {
    if (!BARE().has(p)) return false;
    const before = w.slice(0, w.search(p.pattern) + 1);
    return demonstratives.some((d) => d.test(before)) && !sequences.some((s) => s.test(before));
  };
  const found: Mention[] = PHRASES()
    .filter((p) => has(p) && ownWord(p) && p.pattern.test(w) && !negated(p) && !saidOfCancellable(p) && !namesLetter(p))
    .map((p) => ({
      right: p.right,
      weak: p.weak,
      bare: BARE().has(p),
      what: `"${p.text.replace(/^\?/, '')}" (${p.language})`,
    }));
  for (const number of citedArticles(t)) {
    const right = ARTICLES[number];
    if (right) found.push({ right, weak: false, bare: false, what: `article ${number}` });
  }
  // "Min e-postadress har ändrats, uppdatera den …", "päivittäkää sähköpostiosoite": a correction verb beside an account field
  // asks for a correction, in either order, as English's "update ~ email" does.
  // Like a right's one word, a field's or verb's counts in its own language's letters, and in any when the language is unknown.
  const fieldLanguages = language === undefined ? [...vocabularyByLanguage().keys()] : languages;
  const fieldNamed = fieldLanguages.some((l) => FIELDS(l)?.some((f) => has(f) && f.pattern.test(w)));
  const correctionVerb = fieldLanguages
    .flatMap((l) => CORRECTION_VERBS(l) ?? [])
    .find((v) => has(v) && v.pattern.test(w) && !negatedInClause({ ...v, right: 'correction', weak: false }));
  if (fieldNamed && correctionVerb && !found.some((m) => m.right === 'correction'))
    found.push({
      right: 'correction',
      weak: false,
      bare: false,
      what: `"${correctionVerb.text}" beside an account field (${correctionVerb.language})`,
    });
  // "I don't want my usage data analysed", "Nem szeretném, hogy … elemzésre használják": analytics under a negation that reaches
  // it is an objection to analytics (art. 21), the opt-out the objection's own words then set. Not where the sentence names an
  // objection itself: "I don't object to analytics" is undone by its negation, not turned into one.
  const objectionNamed = PHRASES().some((p) => p.right === 'objection' && has(p) && p.pattern.test(w));
  const refused = objectionNamed
    ? undefined
    : languages.flatMap((l) => ANALYTICS_WORDS(l) ?? []).find((a) => has(a) && a.pattern.test(w) && refusedInClause(a));
  if (refused)
    found.push({ right: 'objection', weak: false, bare: false, what: `"${refused.text}" under a negation (${refused.language})` });
  // "How do I delete an API key?", "a key for the wrong project": a sentence about what the holder manages themselves (keys,
  // tokens) is a support question — a right counts there only when named with its object ("delete my account") or its article.
  // So does a sentence about an invoice or an amount ("the amount on my last invoice is wrong"), where a correction also
  // counts when it names an account field ("my company name on the invoice is wrong").
  const selfService = SELF_SERVICE().some((p) => has(p) && p.pattern.test(w));
  if (selfService || languages.some((l) => BILLING(l)?.some((p) => has(p) && p.pattern.test(w)))) {
    const named = new Set(found.filter((m) => !m.bare).map((m) => m.right));
    if (!selfService && fieldNamed) named.add('correction');
    found.splice(0, found.length, ...found.filter((m) => named.has(m.right)));
  }
  // "Correct my surname to Okafor and erase the old spelling": beside a correction named with its object, an erasure named by
  // a bare verb removes the wrong value — it is the correction's. With its own object ("delete my account") it is asked.
  if (found.some((m) => m.right === 'correction' && !m.bare) && !found.some((m) => m.right === 'deletion' && !m.bare)) {
    found.splice(0, found.length, ...found.filter((m) => m.right !== 'deletion'));
  }
  const strong = new Set(found.filter((m) => !m.weak).map((m) => m.right));
  return { mentions: found.filter((m) => !m.weak || ![...strong].some((r) => r !== m.right)), conditional };
}

/** The language whose function words and vocabulary the text uses most. */
export function detectLanguage(text: string, prefer: readonly string[] = []): string | undefined {
  const tied = likeliestLanguages(text);
  return tied.find((l) => prefer.includes(l)) ?? tied[0] ?? languageOfScript(text);
}

/**
 * The languages of the country whose domain the sender writes from (`.si` Slovenian, `.hr` Croatian, `.be` Dutch or
 * French …). They only break a tie: a letter whose words fit two languages alike ("Izbrišite me, hvala" is Croatian and
 * Slovenian) is answered in the one its sender's country speaks; words that tell always decide.
 */
const COUNTRY_LANGUAGES: Record<string, string[]> = {
  at: ['de'],
  de: ['de'],
  ch: ['de', 'fr', 'it'],
  li: ['de'],
  lu: ['fr', 'de'],
  be: ['nl', 'fr', 'de'],
  nl: ['nl'],
  fr: ['fr'],
  mc: ['fr'],
  es: ['es', 'ca'],
  ad: ['ca'],
  mx: ['es'],
  ar: ['es'],
  pt: ['pt'],
  br: ['pt-BR'],
  it: ['it'],
  sm: ['it'],
  ie: ['ga', 'en'],
  uk: ['en'],
  mt: ['mt', 'en'],
  se: ['sv'],
  dk: ['da'],
  no: ['nb', 'nn'],
  is: ['is'],
  fi: ['fi', 'sv'],
  ee: ['et'],
  lv: ['lv'],
  lt: ['lt'],
  pl: ['pl'],
  cz: ['cs'],
  sk: ['sk'],
  hu: ['hu'],
  si: ['sl'],
  hr: ['hr'],
  ba: ['hr'],
  me: ['hr'],
  rs: ['hr'],
  ro: ['ro'],
  md: ['ro'],
  bg: ['bg'],
  gr: ['el'],
  cy: ['el'],
  ua: ['uk'],
  ru: ['ru'],
  by: ['ru'],
  kz: ['ru'],
  tr: ['tr'],
  il: ['he'],
  ir: ['fa'],
  jp: ['ja'],
  kr: ['ko'],
  cn: ['zh'],
  tw: ['zh'],
  hk: ['zh'],
  in: ['hi'],
  th: ['th'],
  vn: ['vi'],
  id: ['id'],
};
export const languagesOfAddress = (address: string | undefined): string[] =>
  COUNTRY_LANGUAGES[/\.([a-z]{2})>?\s*$/i.exec(address ?? '')?.[1]?.toLowerCase() ?? ''] ?? [];

/**
 * The languages whose function words and vocabulary the text uses most, as many as score alike (a short
 * note — "Posielam znova, pôvodne som to poslala na zlú adresu." — may tell Slovak and Polish apart no
 * better than that); none when too few words are known.
 */
function likeliestLanguages(text: string): string[] {
  const w = words(text);
  const tokens = w.trim().split(' ');
  const has = wordIndex(w);
  let best: { languages: string[]; score: number } = { languages: [], score: 1 };
  const scores: { language: string; score: number }[] = [];
  const telling = OWN_LETTERS.filter((n) => n.letters.test(text));
  const ruledOut = new Set(telling.flatMap((n) => n.not));
  for (const v of vocabularies()) {
    if (ruledOut.has(v.language)) continue;
    const stop = STOP_WORDS().get(v.language)!;
    let score = tokens.filter((token) => stop.has(token)).length;
    if (telling.some((n) => n.language === v.language)) score += 2;
    score += 2 * [...PHRASES(), ...REQUEST_CUES()].filter((p) => p.language === v.language && has(p) && p.pattern.test(w)).length;
    score +=
      3 *
      LAW_NAMES()
        .get(v.language)!
        .filter((p) => has(p) && p.pattern.test(w)).length;
    scores.push({ language: v.language, score });
    if (score > best.score) best = { languages: [v.language], score };
    else if (score === best.score && best.languages.length) best.languages.push(v.language);
  }
  // Close neighbours (Slovak and Czech, Norwegian and Danish) share their function words: among the languages scoring within
  // CLOSE_SCORE of the best, the words only one's whole vocabulary knows ("priezvisko", not "příjmení") count for it too.
  const close = scores.filter((c) => c.score > 1 && c.score >= best.score - CLOSE_SCORE);
  if (close.length < 2) return best.languages;
  const known = close.map((c) => ({ ...c, lexicon: lexiconOf(c.language) }));
  const rescored = known.map((c) => ({
    language: c.language,
    score:
      c.score + tokens.filter((t) => t.length > 2 && c.lexicon.knowsOwn(t) && known.every((o) => o === c || !o.lexicon.knowsOwn(t))).length,
  }));
  const top = Math.max(...rescored.map((c) => c.score));
  return rescored.filter((c) => c.score === top).map((c) => c.language);
}

/** How far below the best score a language may be and still be told from it by its vocabulary's own words. */
const CLOSE_SCORE = 2;

/**
 * Letters one language of a script writes and its neighbours never do: a text holding them is none of
 * the neighbours, and they count for the language as two known words would. Russian ы, э, ё are
 * neither Bulgarian nor Ukrainian; Ukrainian і, ї, є, ґ neither Russian nor Bulgarian; Persian's
 * پ چ ژ گ and its own kaf and yeh (ک ی) are not Arabic. Shared function words ("на", "не", "من")
 * would otherwise decide for whichever neighbour has more of them.
 */
const OWN_LETTERS: { language: string; letters: RegExp; not: string[] }[] = [
  { language: 'ru', letters: /[ыэё]/iu, not: ['bg', 'uk'] },
  { language: 'uk', letters: /[іїєґ]/iu, not: ['ru', 'bg'] },
  { language: 'fa', letters: /[پچژگکی]/u, not: ['ar'] },
  // Dotless ı and ğ are Turkish (ş is also Romanian's old cedilla form); ơ, ư and the stacked tone marks are Vietnamese.
  { language: 'tr', letters: /[ığ]/u, not: [] },
  // ł ś ź ń are Polish among the vocabularies (not ruling Czech or Slovak out: their letters name Polish people too).
  { language: 'pl', letters: /[łśźń]/iu, not: [] },
  // ľ ĺ ŕ are Slovak, ř ů ě Czech (a boost, not a veto: each writes the other's names; ä and ô are also Estonian, French …).
  { language: 'sk', letters: /[ľĺŕ]/iu, not: [] },
  { language: 'cs', letters: /[řůě]/iu, not: [] },
  // The ela geminada (l·l, often typed l.l) is Catalan's alone (a boost: a Spanish letter may name a Catalan "Col·legi").
  { language: 'ca', letters: /l[·•.]l/iu, not: [] },
  { language: 'vi', letters: /[ơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu, not: [] },
];

/**
 * Scripts that one language writes far more than any other, in the order they are tried: kana is
 * Japanese even among kanji; Arabic script with the letters Persian adds or writes its own way (پ چ ژ گ ک ی) is Persian.
 */
const SCRIPTS: { language: string; script: RegExp }[] = [
  { language: 'ja', script: /[\p{Script=Hiragana}\p{Script=Katakana}]/gu },
  { language: 'ko', script: /\p{Script=Hangul}/gu },
  { language: 'zh', script: /\p{Script=Han}/gu },
  { language: 'fa', script: /[پچژگکی]/gu },
  { language: 'ar', script: /\p{Script=Arabic}/gu },
  { language: 'he', script: /\p{Script=Hebrew}/gu },
  { language: 'hi', script: /\p{Script=Devanagari}/gu },
  { language: 'th', script: /\p{Script=Thai}/gu },
  { language: 'el', script: /\p{Script=Greek}/gu },
  { language: 'ka', script: /\p{Script=Georgian}/gu },
  { language: 'hy', script: /\p{Script=Armenian}/gu },
  // Scripts of one language each among the world's larger ones, none with a vocabulary: named, so the reply says which.
  { language: 'bn', script: /\p{Script=Bengali}/gu },
  { language: 'ta', script: /\p{Script=Tamil}/gu },
  { language: 'te', script: /\p{Script=Telugu}/gu },
  { language: 'gu', script: /\p{Script=Gujarati}/gu },
  { language: 'pa', script: /\p{Script=Gurmukhi}/gu },
  { language: 'kn', script: /\p{Script=Kannada}/gu },
  { language: 'ml', script: /\p{Script=Malayalam}/gu },
  { language: 'si', script: /\p{Script=Sinhala}/gu },
  { language: 'km', script: /\p{Script=Khmer}/gu },
  { language: 'lo', script: /\p{Script=Lao}/gu },
  { language: 'my', script: /\p{Script=Myanmar}/gu },
  { language: 'am', script: /\p{Script=Ethiopic}/gu },
];

/**
 * Too few known words to tell ("Πόσο κοστίζουν 100.000 κλήσεις API;", a Thai letter), but the text is
 * mostly in a script one language writes: that language — so the reply can say which language we do
 * not write, and the operator knows what the unclear letter needs. Latin and Cyrillic tell nothing.
 */
function languageOfScript(text: string): string | undefined {
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (!letters) return undefined;
  // Kana and Persian's letters are a share of a script (kanji, Arabic): present at all, they decide among it.
  const share = (re: RegExp) => (text.match(re) ?? []).length / letters;
  const han = share(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu);
  const arabic = share(/\p{Script=Arabic}/gu);
  for (const { language, script } of SCRIPTS) {
    const own = share(script);
    if (language === 'ja' ? own > 0 && han > 0.5 : language === 'fa' ? own > 0 && arabic > 0.5 : own > 0.5) return language;
  }
  return undefined;
}

/** How much of a letter's new text is read. */
const MAX_LETTER_CHARS = 20_000;

/** Subject prefixes of replies and forwards, in the languages mail clients write them. */
const SUBJECT_PREFIX =
  /^\s*((re|fwd?|aw|wg|tr|rv|sv|vs|vl|odp|pd|odg|antw|doorst|res|enc|rif|i|r|ynt|vá|továbbítás|fw|απ|σχετ|προω|отг|отв|ответ|пересл|İlt|رد|توجيه|השב|הועבר|回复|答复|转发|回覆|轉寄|返信|転送|답장|회신|전달|tl|chuyển tiếp|balas|terusan)\s*(\[\d+\])?\s*[:：]\s*)+/iu;
/** Subject prefixes of forwards: "Fwd:", "WG:", "TR:", "RV:", "I:", "ENC:", "PD:", "VL:", "Doorst:", "Továbbítás:", "ΠΡΘ:". */
const FORWARD_PREFIX =
  /^\s*(fwd?|wg|tr|rv|i|enc|pd|vl|vb|doorst|továbbítás|προω|πρθ|пересл|İlt|توجيه|הועבר|转发|轉寄|転送|전달|chuyển tiếp|terusan)\s*(\[\d+\])?\s*[:：]/iu;
/** A reply's subject is the old message's: "Re: Confirming your account deletion" asks for nothing now. */
const REPLY_PREFIX =
  /^\s*(re|aw|sv|vs|odp|odg|antw|res|rif|r|ynt|vá|απ|σχετ|отг|отв|ответ|رد|השב|回复|答复|回覆|返信|답장|회신|tl|balas)\s*(\[\d+\])?\s*[:：]/iu;

/**
 * Reads a privacy letter: the rights it asks for, its language and the evidence. The subject, the
 * sentences that ask ("I request", "ich verlange", "je demande", "please …") and the articles they
 * cite decide; conditional clauses, descriptions of rights, the identification block, the signature
 * and quoted history do not. A letter without any asking sentence (a bare "Delete my account.") is
 * read from all its sentences.
 */
export function classifyLetter(subject: string, text: string, prefer: readonly string[] = []): LetterReading {
  const subjectWords = words(subject);
  if (AUTO_REPLIES().some((p) => subjectWords.search(p.pattern) === 0)) {
    return {
      rights: [],
      language: scripted(detectLanguage(`${subject}\n${bodyOf(newTextOf(text)).slice(0, MAX_LETTER_CHARS)}`), text),
      evidence: [],
      automatic: true,
    };
  }
  const typedSubject = REPLY_PREFIX.test(subject) ? '' : subject.replace(SUBJECT_PREFIX, '');
  // A request letter says what it asks near its start; the rest of a very long mail (pasted logs, a
  // whole policy) would only cost time.
  const typed = bodyOf(newTextOf(text)).slice(0, MAX_LETTER_CHARS);
  // The body tells the writer's language; a subject may be in another ("Data access request" over a Latvian letter).
  const detected = detectLanguage(typed, prefer) ?? detectLanguage(`${typedSubject}\n${typed}`, prefer);
  // Misspelt words ("delet my acount") are read as the words of the letter's language they are one slip of the fingers from.
  const lexicon = lexiconOf(detected ?? 'en');
  const typos: Typo[] = [];
  const [cleanSubject, fresh] = [typedSubject, typed].map((t) => {
    const read = readTypos(t, lexicon, fold, VERBATIM);
    typos.push(...read.typos);
    return read.text;
  }) as [string, string];
  // Read right, a letter too misspelt to tell its language may now tell it.
  const language =
    detected ?? (typos.length ? (detectLanguage(fresh, prefer) ?? detectLanguage(`${cleanSubject}\n${fresh}`, prefer)) : undefined);
  const languages = [...new Set([language ?? 'en', 'en'])];
  const sentences = sentencesOf(fresh);
  const asked = new Map<LetterRight, { strong: boolean; why: string[] }>();
  const note = (mentions: Mention[], where: string) => {
    for (const m of mentions) {
      const seen = asked.get(m.right) ?? { strong: false, why: [] };
      asked.set(m.right, { strong: seen.strong || !m.weak, why: [...seen.why, `${m.what} in ${where}`] });
    }
  };
  note(mentionsIn(cleanSubject, languages, language).mentions, 'the subject');
  const subjectOnly = new Set(asked.keys());
  const all = sentences.map((s) => ({ ...s, ...mentionsIn(s.text, languages, language) }));
  let bodyAsks = false;
  for (const s of all)
    if (!s.conditional && !s.reason && (s.inherited || isRequest(s.text) || asksAfterTime(s.text, languages))) {
      bodyAsks = true;
      note(s.mentions, `"${s.text.slice(0, 80)}"`);
    }
  // "My surname is misspelt. Please change it to Kowalczuk.": the field named in one sentence, the correction verb asked in the
  // next — read together, they ask for the correction neither asks alone.
  all.forEach((s, i) => {
    const previous = all[i - 1];
    if (!previous || s.conditional || s.reason || !isRequest(s.text)) return;
    if ([s, previous].some((one) => one.mentions.some((m) => m.right === 'correction'))) return;
    const together = mentionsIn(`${previous.text} ${s.text}`, languages, language);
    note(
      together.mentions.filter((m) => m.right === 'correction'),
      `"${previous.text.slice(0, 40)}" and "${s.text.slice(0, 40)}"`,
    );
  });
  // Nothing asked in so many words (a bare "Delete my account."): every sentence counts, conditions and reasons last —
  // but never thanks ("Thanks, I received the data export.", "Merci pour la suppression de mon compte.").
  // Nor a sentence that reports what already happened ("I previously asked you to delete my data and you confirmed it").
  const reports = (text: string) => {
    const w = words(text);
    const has = wordIndex(w);
    return languages.some((l) => REPORT(l)?.some((cue) => has(cue) && cue.pattern.test(w)));
  };
  // A reminder of an unanswered request ("I asked you on 3 November for a copy of my data; no reply yet") asks again for
  // what its report names: there the report is the request.
  const reminder = [cleanSubject, fresh].some((t) => {
    const w = words(t);
    const has = wordIndex(w);
    return languages.some((l) => REMINDER(l)?.some((cue) => has(cue) && cue.pattern.test(w)));
  });
  const fallback = all.filter((s) => !thanks(s.text) && (reminder || !reports(s.text)));
  const askedOutright = asked.size > 0;
  // A subject that names a right ("unsubscribe") over a body that asks in no cue words ("unsubscribe me from everything and
  // forget me") still has the body read: the subject is a title, the body's bare imperatives what the writer asks.
  const bodyAsked = bodyAsks || [...asked].some(([right, a]) => !subjectOnly.has(right) || a.why.length > 1);
  // A question under a condition that opens it asks what would follow: "If I close my account, will you delete my data too?",
  // "Wenn ich kündige, löscht ihr dann meine Daten?" — hypothetical, it asks nothing. It asks when what follows the condition
  // asks in so many words ("If possible, could you delete my account?") — unless the condition is itself a right's act (the
  // writer's own closing of the account: "will you delete …" then asks what follows it).
  const hypothetical = (s: { text: string; conditional: boolean }) => {
    if (!s.conditional || !/[?？]\s*$/u.test(s.text)) return false;
    const [condition = '', ...rest] = s.text.split(/[,;:]/u);
    return namesRight(condition) || !isRequest(rest.join(','));
  };
  if (!bodyAsked) for (const s of fallback) if (!s.conditional && !s.reason) note(s.mentions, `"${s.text.slice(0, 80)}"`);
  if (asked.size === 0) for (const s of fallback) if (!hypothetical(s)) note(s.mentions, `"${s.text.slice(0, 80)}"`);
  // Words that only suggest a right ("which data you keep", "copies of the data") count when nothing is asked plainly.
  if ([...asked.values()].some((a) => a.strong)) for (const [right, a] of asked) if (!a.strong) asked.delete(right);
  // "Send me my data as CSV", "… I am moving to another provider": a copy asked for in a file type machines read (its name
  // is the same in every language and script: "CSV形式", "в формате JSON"), or to take to another provider, is the
  // portable one (Art. 20).
  if (asked.has('access') && !asked.has('portability')) {
    const said = [cleanSubject, ...all.filter((s) => !s.conditional && !s.reason).map((s) => s.text)];
    const format = said.map((t) => MACHINE_FORMAT.exec(t)?.[0]).find(Boolean);
    const elsewhere = said
      .map((t) => {
        const w = words(t);
        const has = wordIndex(w);
        return languages.flatMap((l) => PORTABILITY_CUES(l) ?? []).find((cue) => has(cue) && cue.pattern.test(w))?.text;
      })
      .find(Boolean);
    if (format || elsewhere)
      asked.set('portability', {
        strong: true,
        why: [format ? `access in a machine-readable format ("${format}")` : `access to take elsewhere ("${elsewhere}")`],
      });
  }
  if (asked.has('access') && asked.has('portability')) asked.delete('access');
  const rights = [...asked.keys()];
  // The person reading the request sees which words were read as misspelt, as typed.
  const misspelt = typos.length
    ? ` (read as misspelt: ${[...new Map(typos.map((t) => [t.typed, t])).values()]
        .slice(0, 5)
        .map((t) => `"${t.typed}" as "${t.read}"`)
        .join(', ')})`
    : '';
  return {
    rights,
    // A language read through a neighbour's vocabulary is named as written (Occitan, not French), by its words as typed (no
    // Malay "peribadi" read as a misspelt Indonesian "pribadi"); Chinese in Traditional
    // characters is answered in Traditional: the reading says the script.
    language: kinLanguage(`${typedSubject}\n${typed}`, language) ?? scripted(language, `${cleanSubject}\n${fresh}`),
    evidence: rights.map((r) => `${r}: ${[...new Set(asked.get(r)!.why)].slice(0, 3).join('; ')}${misspelt}`),
    ...(rights.length && !askedOutright ? { unasked: true } : {}),
  };
}

/** Every phrase of a vocabulary, in every list (and as typed without the language's own letters), with the right it is evidence of. */
function phrasesOf(v: Vocabulary): { text: string; right?: LetterRight }[] {
  const { language: _l, name: _n, transliterations: _t, verbFinal: _f, rights, ...lists } = v;
  const strings = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.flatMap(strings)
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(strings)
          : [];
  return [
    ...(Object.entries(rights) as [LetterRight, string[]][]).flatMap(([right, list]) =>
      spellings(v, list).map((text) => ({ text, right })),
    ),
    ...spellings(v, strings(lists)).map((text) => ({ text })),
  ];
}

/** A phrase's words as the typo tolerance reads them: folded, `stem*` a stem, `~` and the weak mark left out. */
const lexiconWords = ({ text, right }: { text: string; right?: LetterRight }): LexiconWord[] =>
  text
    .replace(/^\?/, '')
    .split(/\s+/)
    .filter((token) => token && !/^~+$/.test(token))
    .flatMap((token) => {
      const stem = token.endsWith('*');
      const pieces = words(token.replace(/\*$/, '')).trim().split(' ').filter(Boolean);
      return pieces.map((word, i) => ({ word, stem: stem && i === pieces.length - 1, right }));
    });

/**
 * A language's words for the typo tolerance, English's known beside them (letters borrow its words: "mein Account"), built
 * at its first letter (a cold start builds none it does not need).
 */
const LEXICONS = new Map<string, Lexicon>();
function lexiconOf(language: string): Lexicon {
  let lexicon = LEXICONS.get(language);
  if (!lexicon) {
    const own = vocabularies().filter((v) => v.language === language);
    const others = vocabularies().filter((v) => v.language === 'en' && v.language !== language);
    lexicon = new Lexicon(
      own.flatMap((v) => phrasesOf(v).flatMap(lexiconWords)),
      [...own, ...others].flatMap((v) => [...STOP_WORDS().get(v.language)!]),
      others.flatMap((v) => phrasesOf(v).flatMap(lexiconWords)),
    );
    LEXICONS.set(language, lexicon);
  }
  return lexicon;
}

/** Each language's own function words — stop words, request cues, negations, closings — as opposed to the words of its right phrases. */
const FUNCTION_WORDS = lazy(
  () =>
    new Map(
      vocabularies().map((v) => [
        v.language,
        new Set(
          [...v.stopWords, ...v.requestCues, ...v.negations, ...v.closings].flatMap((w) => words(w.replace(/\*$/, '')).trim().split(' ')),
        ),
      ]),
    ),
);

/** Each language read through a neighbour's vocabulary (`kin.json`): its words folded, and the letters only it writes. */
const KIN_WORDS = lazy(() =>
  kinLanguages().map((k) => ({
    ...k,
    words: new Set(k.stopWords.map((w) => words(w).trim())),
    telling: k.letters ? new RegExp(k.letters, 'iu') : undefined,
  })),
);

/**
 * The language without a vocabulary of our own that a letter read as `read` (or as no language) is written in: it writes
 * letters only that language writes among its neighbours, or its words that `read`'s vocabulary does not know ("vòli",
 * "ieu", "dempuèi" in a letter taken for French) outnumber `read`'s own words it does not share. Undefined when it is `read`.
 */
export function kinLanguage(text: string, read: string | undefined): string | undefined {
  const tokens = words(text).trim().split(' ').filter(Boolean);
  const stops = read === undefined ? undefined : STOP_WORDS().get(read);
  const own = read === undefined ? undefined : lexiconOf(read);
  let best: { language: string; margin: number } | undefined;
  for (const k of KIN_WORDS()) {
    if (read !== undefined && !k.confusedWith.includes(read)) continue;
    if (k.telling?.test(text)) return k.language;
    // A kin word the neighbour knows only from its right phrases (Malay "padam", "akaun" in `id.json`'s "padam* ~ akaun", so
    // that Malay letters are read through Indonesian) still tells the kin: the neighbour borrowed it.
    const borrowed = (t: string) => read !== undefined && !FUNCTION_WORDS().get(read)?.has(t);
    const telling = tokens.filter((t) => k.words.has(t) && (!own?.knows(t) || borrowed(t))).length;
    const margin = telling - (stops ? tokens.filter((t) => stops.has(t) && !k.words.has(t)).length : 0);
    // Read as no language, the letter needs two of the kin's words: one is any short note's chance.
    if (telling >= (read === undefined ? 2 : 1) && margin > 0 && (!best || margin > best.margin)) best = { language: k.language, margin };
  }
  return best?.language;
}

/** What no typo is read in: addresses and links. */
const VERBATIM = new RegExp(`${EMAIL.source}|${URL.source}`, 'giu');

/** The file types machines read, by the names every language writes them with (ASCII-bounded, so "CSV形式" counts). */
const MACHINE_FORMAT = /(?<![A-Za-z0-9])(?:csv|json|xml|xlsx?|tsv)(?![A-Za-z0-9])/i;

const scripted = (language: string | undefined, text: string) => (language ? withScript(language, text) : undefined);

/** The request types a reading opens. Restriction (Art. 18) has no type of its own: it is an objection a person handles. */
export function requestTypesOf(rights: LetterRight[]): RequestType[] {
  return [...new Set(rights.map((r) => (r === 'restriction' ? 'objection' : r)))];
}

/** The rights a text asks for, as request types (none, one or several). */
export function rightsIn(text: string): RequestType[] {
  return requestTypesOf(classifyLetter('', text).rights);
}

/** A forwarded message inside a mail: what the forward carries (its quoted lines excluded). */
function forwardedPart(text: string, ownDomain: string | undefined, forwardSubject: boolean): string | undefined {
  const marker = FORWARD_START.exec(text);
  // Outlook forwards with no marker line, only the forwarded message's header block ("From: … Sent: …", in its own language).
  const block = marker ? undefined : forwardSubject ? headerBlockStart(text) : undefined;
  if (!marker && block === undefined) return undefined;
  const lines = text.slice(marker ? marker.index + marker[0].length : block).split('\n');
  // The forwarded message's own header lines (From:, Date:, Subject:, To:) come first.
  const header: string[] = [];
  const isHeader = (line: string) => FORWARD_HEADER.test(line) || (block !== undefined && HEADER_LINE.test(line));
  while (lines.length && (/^\s*$/.test(lines[0]!) || isHeader(lines[0]!))) header.push(lines.shift()!);
  // Our own mail sent back (a newsletter, a notice) carries our words about rights, not a request.
  const from = block === undefined ? header.find((line) => FORWARD_FROM.test(line)) : header.find((line) => line.trim());
  if (ownDomain && from && new RegExp(`@${ownDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(from)) return undefined;
  return lines.filter((line) => !line.trimStart().startsWith('>')).join('\n');
}

/** The header lines of a forwarded message, in the languages mail clients write them. */
const FORWARD_HEADER =
  /^\s*(From|Date|Sent|Subject|To|Cc|Reply-To|Von|Datum|Betreff|An|Gesendet|De|Objet|À|Envoyé|Asunto|Para|Fecha|Enviado|Oggetto|Da|A|Data|Inviato|Van|Onderwerp|Aan|Verzonden|Od|Temat|Do|Wysłano|Předmět|Komu|Odesláno|Från|Ämne|Till|Skickat|Fra|Emne|Til|Dato|Sendt|Lähettäjä|Aihe|Vastaanottaja|Päivämäärä|Feladó|Tárgy|Címzett|Dátum|Subiect|Către|Από|Θέμα|Προς|Ημερομηνία|Kimden|Tarih|Konu|Kime|От|Отправлено|Кому|Тема|Від|Надіслано|מאת|תאריך|נושא|אל|من|تاريخ|الموضوع|إلى|发件人|收件人|主题|日期|发送时间|寄件者|主旨|差出人|件名|宛先|送信日時|보낸 사람|받는 사람|제목|날짜|Từ|Chủ đề|Đến|Ngày|Dari|Kepada|Perihal|Tanggal|प्रेषक|विषय|प्रति)\s?[:：]/iu;
const FORWARD_FROM =
  /^\s*(From|Von|De|Da|Van|Od|Från|Fra|Lähettäjä|Feladó|Από|Kimden|От|Від|מאת|من|发件人|寄件者|差出人|보낸 사람|Từ|Dari|प्रेषक)\s?[:：]/iu;

/**
 * Reads a privacy mail by its subject and new text. A reply's quoted history never counts; a forward
 * whose own words name nothing ("see below") or ask nothing outright ("sent it to the wrong address
 * first") is read from the message it forwards, when that asks for a right — unless that
 * message came from us (`ownDomain`: our newsletter or notice, forwarded back).
 */
export function readMail(subject: string, text: string, options: { ownDomain?: string; from?: string } = {}): LetterReading {
  // The sender's country only breaks a tie between languages the words fit alike.
  const prefer = languagesOfAddress(options.from);
  const reading = classifyLetter(subject, text, prefer);
  if (reading.automatic) return reading;
  const forward = FORWARD_PREFIX.test(subject);
  // A forward's subject is the forwarded message's own ("Fwd: Copy and correction"): under a note that asks nothing outright
  // it names what that message asks, which is read whole — not the subject alone.
  const noteAsks = (r: LetterReading) => r.rights.length > 0 && !r.unasked;
  if (noteAsks(reading) && (!forward || noteAsks(classifyLetter('', text, prefer)))) return reading;
  const forwarded = forwardedPart(text.replace(/\r\n?/g, '\n'), options.ownDomain, forward);
  // A note that asks nothing outright ("see below, I sent it to the wrong address") is about the forward: the forwarded letter asks.
  const inner = forwarded === undefined ? undefined : classifyLetter(forward ? subject.replace(SUBJECT_PREFIX, '') : '', forwarded, prefer);
  if (reading.rights.length && !inner?.rights.length) return reading;
  if (inner) return { ...inner, language: noteLanguage(text, reading.language, inner.language) };
  if (!reading.rights.length) {
    const romanised = readRomanised(subject, text) ?? readSerbianCyrillic(subject, text);
    if (romanised) return romanised;
  }
  // Nothing of the writer's own to tell the language by (a bare forward): what they forwarded or quoted most likely speaks it.
  const whole = detectLanguage(`${subject}\n${text.slice(0, MAX_LETTER_CHARS)}`, prefer);
  return {
    ...reading,
    language: reading.language && forwarded === undefined ? reading.language : noteLanguage(text, reading.language, whole),
  };
}

/**
 * The language of a note over a forward: the writer's own words tell it, unless they tell none or fit several
 * languages as well ("Posielam znova, pôvodne som to poslala na zlú adresu." is Slovak or Polish) — then the
 * message they forward decides (among those).
 */
function noteLanguage(text: string, own: string | undefined, forwarded: string | undefined): string | undefined {
  const note = likeliestLanguages(bodyOf(newTextOf(text)).slice(0, MAX_LETTER_CHARS));
  if (note.length === 1) return note[0];
  return forwarded && (note.length === 0 || note.includes(forwarded)) ? forwarded : (own ?? forwarded);
}

/**
 * How people type the languages of another script in Latin letters (Bulgarian on a phone, Greeklish),
 * longest spelling first. The vocabularies are written in the language's own script; such a letter is
 * read again turned back into it, and `fold` merges what the Latin spelling cannot tell apart
 * (ъ and а, й and и; η, ι, υ, ει, οι; ω and ο).
 */
interface Romanisation {
  language: string;
  name: string;
  spellings: Record<string, string>;
  /** When a spelling depends on what follows (Russian "oy" is "ой" before a consonant, "o" + "я" in "moya"): the pattern to read by. */
  pattern?: RegExp;
}
const ROMANISATIONS: Romanisation[] = [
  {
    language: 'bg',
    name: 'Bulgarian',
    spellings: {
      sht: 'щ',
      zh: 'ж',
      ts: 'ц',
      ch: 'ч',
      sh: 'ш',
      yu: 'ю',
      ju: 'ю',
      ya: 'я',
      ja: 'я',
      a: 'а',
      b: 'б',
      c: 'ц',
      d: 'д',
      e: 'е',
      f: 'ф',
      g: 'г',
      h: 'х',
      i: 'и',
      j: 'й',
      k: 'к',
      l: 'л',
      m: 'м',
      n: 'н',
      o: 'о',
      p: 'п',
      q: 'я',
      r: 'р',
      s: 'с',
      t: 'т',
      u: 'у',
      v: 'в',
      w: 'в',
      x: 'кс',
      y: 'й',
      z: 'з',
    },
  },
  {
    language: 'el',
    name: 'Greek',
    spellings: {
      th: 'θ',
      ch: 'χ',
      kh: 'χ',
      ps: 'ψ',
      ks: 'ξ',
      ou: 'ου',
      a: 'α',
      b: 'μπ',
      c: 'κ',
      d: 'δ',
      e: 'ε',
      f: 'φ',
      g: 'γ',
      h: 'η',
      i: 'ι',
      j: 'τζ',
      k: 'κ',
      l: 'λ',
      m: 'μ',
      n: 'ν',
      o: 'ο',
      p: 'π',
      r: 'ρ',
      s: 'σ',
      t: 'τ',
      u: 'ου',
      v: 'β',
      w: 'ω',
      x: 'χ',
      y: 'υ',
      z: 'ζ',
      '8': 'θ',
    },
  },
  {
    // Russian as typed without a Cyrillic keyboard ("Proshu udalit moy akkaunt"): the soft sign, usually left out, folds away
    // (`fold`), an apostrophe stands for it; "y" is "й" after a vowel unless a vowel follows ("moy", "kakaya"), "ы" after a consonant.
    language: 'ru',
    name: 'Russian',
    spellings: {
      shch: 'щ',
      sch: 'щ',
      zh: 'ж',
      kh: 'х',
      ts: 'ц',
      ch: 'ч',
      sh: 'ш',
      ya: 'я',
      yo: 'ё',
      yu: 'ю',
      ja: 'я',
      jo: 'ё',
      ju: 'ю',
      ay: 'ай',
      ey: 'ей',
      iy: 'ий',
      oy: 'ой',
      uy: 'уй',
      yy: 'ый',
      "'": 'ь',
      a: 'а',
      b: 'б',
      c: 'ц',
      d: 'д',
      e: 'е',
      f: 'ф',
      g: 'г',
      h: 'х',
      i: 'и',
      j: 'й',
      k: 'к',
      l: 'л',
      m: 'м',
      n: 'н',
      o: 'о',
      p: 'п',
      q: 'к',
      r: 'р',
      s: 'с',
      t: 'т',
      u: 'у',
      v: 'в',
      w: 'в',
      x: 'кс',
      y: 'ы',
      z: 'з',
    },
    pattern: /shch|sch|zh|kh|ts|ch|sh|[yj][aou]|[aeiouy]y(?![aeiou])|[a-z']/g,
  },
];
const ROMANISED = ROMANISATIONS.map((r) => ({
  ...r,
  pattern:
    r.pattern ??
    new RegExp(
      Object.keys(r.spellings)
        .sort((a, b) => b.length - a.length)
        .join('|'),
      'g',
    ),
}));

/**
 * How much of a letter is read again as typed Cyrillic or Greek: such letters are short (typed on a
 * phone), and their request comes first; reading a long mail that asks nothing twice more would triple its cost.
 */
const MAX_ROMANISED_CHARS = 2_000;

/** A letter of Latin script only: what a letter of another script typed in Latin letters looks like. */
const latinOnly = (text: string) => {
  const letters = text.match(/\p{L}/gu) ?? [];
  return letters.length > 0 && (text.match(/\p{Script=Latin}/gu) ?? []).length / letters.length > 0.95;
};

/**
 * A letter that asks nothing we can read, typed in Latin letters, read again as each language of
 * another script would be typed: it asks when, so turned back, it reads as that language and names a right.
 */
function readRomanised(subject: string, text: string): LetterReading | undefined {
  const fresh = bodyOf(newTextOf(text)).slice(0, MAX_ROMANISED_CHARS);
  if (!latinOnly(`${subject} ${fresh}`)) return undefined;
  for (const { language, name, spellings, pattern } of ROMANISED) {
    const back = (t: string) => t.toLowerCase().replace(pattern, (m) => spellings[m] ?? m);
    const reading = classifyLetter(back(subject), back(fresh));
    if (reading.language === language && reading.rights.length && !reading.automatic)
      return { ...reading, evidence: reading.evidence.map((e) => `${e} (${name} typed in Latin letters)`) };
  }
  return undefined;
}

/**
 * Serbian is written in Cyrillic and in Latin letters, one for one (Vuk's alphabet and Gaj's): the vocabularies of its
 * neighbours (Croatian, and Serbian's and Bosnian's own words in `kin.json`) are in Latin letters. A Cyrillic letter that
 * asks nothing we can read is read again in Latin letters; when so read it is one of those languages and names a right,
 * it is Serbian (the one of them written in Cyrillic), answered as Serbian is.
 */
const SERBIAN_LATIN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  ђ: 'đ',
  е: 'e',
  ж: 'ž',
  з: 'z',
  и: 'i',
  ј: 'j',
  к: 'k',
  л: 'l',
  љ: 'lj',
  м: 'm',
  н: 'n',
  њ: 'nj',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  ћ: 'ć',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'c',
  ч: 'č',
  џ: 'dž',
  ш: 'š',
};
/** The languages a Serbian letter turned into Latin letters is read as: Croatian's vocabulary, Serbian's and Bosnian's kin words. */
const SERBO_CROATIAN = new Set(['hr', 'sr', 'bs']);
const cyrillicOnly = (text: string) => {
  const letters = text.match(/\p{L}/gu) ?? [];
  return letters.length > 0 && (text.match(/\p{Script=Cyrillic}/gu) ?? []).length / letters.length > 0.95;
};

function readSerbianCyrillic(subject: string, text: string): LetterReading | undefined {
  const fresh = bodyOf(newTextOf(text)).slice(0, MAX_ROMANISED_CHARS);
  if (!cyrillicOnly(`${subject} ${fresh}`)) return undefined;
  const latin = (t: string) =>
    t.replace(/[а-шђјљњћџ]/gi, (c) => {
      const l = SERBIAN_LATIN[c.toLowerCase()];
      if (l === undefined) return c;
      return c === c.toLowerCase() ? l : l[0]!.toUpperCase() + l.slice(1);
    });
  const reading = classifyLetter(latin(subject), latin(fresh));
  if (!reading.language || !SERBO_CROATIAN.has(reading.language) || !reading.rights.length || reading.automatic) return undefined;
  return { ...reading, language: 'sr', evidence: reading.evidence.map((e) => `${e} (Serbian in Cyrillic, read in Latin letters)`) };
}

/** The request types a privacy mail asks for. */
export function classifyMail(subject: string, text: string): RequestType[] {
  return requestTypesOf(readMail(subject, text).rights);
}

/** The vocabulary of a language, when the letter's language is one we have. */
export function vocabularyOf(language: string | undefined): Vocabulary | undefined {
  return vocabularies().find((v) => v.language === language);
}
