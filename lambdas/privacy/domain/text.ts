/**
 * Text as the classifier compares it. Letters and vocabularies go through the same folding, so a
 * vocabulary is written with its language's own spelling and still matches a letter typed without
 * diacritics (common on foreign keyboards and phones).
 */

/** Letters that Unicode does not decompose into a base letter and a mark. */
const FOLD: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', đ: 'd', ł: 'l', ı: 'i', ħ: 'h', þ: 'th', ð: 'd', ς: 'σ' };

/**
 * Arabic-script letters written for one another: alef maqsura and Persian yeh for yeh (ى ی → ي),
 * Persian keheh for kaf (ک → ك), and ta marbuta for ha (نسخة, Persian نسخه). Hamza and madda on alef
 * (أ إ آ, often typed as a plain ا) are marks, stripped with the diacritics.
 */
const ARABIC: Record<string, string> = { ى: 'ي', ی: 'ي', ک: 'ك', ة: 'ه' };

/**
 * Letters that one Latin spelling stands for: Greek vowels and digraphs read alike (Greeklish writes
 * η, ι, υ, ει, οι as "i" and ω as "o"), Bulgarian ъ and а, й and и, and the soft sign ь dropped (Russian and
 * Ukrainian typed in Latin letters leave it out: "udalit" is "удалить"). Letters and vocabularies fold
 * alike, so Greek and Cyrillic letters still match their own script's phrases.
 */
const MERGED: Record<string, string> = { ου: 'ου', ει: 'ι', οι: 'ι', υι: 'ι', αι: 'ε', η: 'ι', υ: 'ι', ω: 'ο', ъ: 'а', й: 'и', ь: '' };

/**
 * Thai, Lao, Khmer and Burmese are written without spaces between words, in syllables of several
 * letters: ICU's dictionary (`Intl.Segmenter`, built into the runtime) splits a run into words, and
 * their vowel and tone marks are kept (the dictionary needs them, and folding text twice must split
 * it alike). Letters and phrases are split alike.
 */
/**
 * NFKC splits Thai sara am (ำ) into nikhahit and sara aa (ํา), and Lao's (ຳ) alike: ICU's dictionary knows the words only with
 * the one letter ("สำเนา", copy, split as "สํา|เนา"; "ขอสำเนา" as "ขอสํา|เนา"), so it is put back together before splitting.
 */
const SARA_AM = /\u0e4d\u0e32|\u0ecd\u0eb2/g;
const DICTIONARY_SCRIPTS = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;
const segmenter = new Intl.Segmenter('th', { granularity: 'word' });
const segmented = (text: string) =>
  text.replace(DICTIONARY_SCRIPTS, (run) => ` ${[...segmenter.segment(run)].map((s) => s.segment).join(' ')} `);

/**
 * Arabic writes the article "the" (ال) and the particles before it ("and", "with", "for": و ب ف ك, ل + ال
 * as لل) as part of the word: "البيانات", "والبيانات", "للبيانات" are "بيانات" to a phrase, as "the data"
 * is "data". Only before two more Arabic letters, so a short word is left whole.
 */
const ARABIC_ARTICLE = /(?<!\p{L})(?:[وفبك]?ال|لل)(?=\p{Script=Arabic}{2})/gu;

/**
 * NFKC, case fold, diacritics stripped (Greek tonos and dialytika with them, final sigma made
 * medial), letters one Latin spelling stands for merged, Arabic-script variants merged and the article dropped, typographic quotes and dashes made plain.
 * Length may change: use it for matching only. Thai, Lao, Khmer and Burmese keep their marks (see `segmented`).
 */
export function fold(text: string): string {
  return segmented(text.normalize('NFKC').replace(SARA_AM, (split) => (split[0] === '\u0e4d' ? '\u0e33' : '\u0eb3')))
    .toLowerCase()
    .normalize('NFD')
    .replace(/(?![\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}])\p{M}/gu, '')
    .replace(/[ßøæœđłıħþðς]/g, (c) => FOLD[c] ?? c)
    .replace(/ου|ει|οι|υι|αι|[ηυωъйь]/g, (c) => MERGED[c] ?? c)
    .replace(/[ىیکة]/g, (c) => ARABIC[c] ?? c)
    .replace(ARABIC_ARTICLE, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/[“”„«»‹›]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .normalize('NFC');
}

/**
 * Scripts written without spaces between words (Chinese, Japanese): each character is a word, so a
 * phrase ("删除 ~ 账户", "開示") is found however the writer's text runs on, with no dictionary to
 * segment it; `~` after such a character lets up to eight characters (about four words) stand between.
 */
const UNSPACED = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc])/gu;
const UNSPACED_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u;

/** Words only: folded, every run of non-letters/digits one space. "d'accès" → "d acces", "E-Mail" → "e mail", "删除账户" → "删 除 账 户". */
export function words(text: string): string {
  return ` ${fold(text)
    .replace(UNSPACED, ' $1 ')
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, ' ')
    .trim()} `;
}

/** A literal string as a regular expression source. */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A vocabulary phrase as a pattern over `words()`. Words are separated by spaces; `stem*` matches
 * any ending (inflected languages), a lone `~` lets up to four other words stand in between
 * ("delete ~ account" matches "delete my OmnAPI account"), eight characters after a Chinese or Japanese one.
 */
export function phrasePattern(phrase: string): RegExp {
  const tokens = phrase.split(/\s+/).filter(Boolean);
  let source = '';
  let gap = '';
  for (const token of tokens) {
    if (token === '~' || token === '~~') {
      // Four words (`~~`: eight, for a language that puts a long modifier between, "visszavonom a hírlevelek küldéséhez és
      // az elemzésekhez adott hozzájárulásomat"); in a script written a character a word (Chinese, Japanese), twice as
      // many characters: about as many words.
      const most = (token === '~~' ? 2 : 1) * (UNSPACED_CHAR.test(source.slice(-1)) ? 8 : 4);
      gap = `(?:[\\p{L}\\p{N}\\p{M}]+ ){0,${most}}`;
      continue;
    }
    const stem = token.endsWith('*');
    const body = words(stem ? token.slice(0, -1) : token)
      .trim()
      .split(' ')
      .map(escapeRegExp)
      .join(' ');
    source += `${source ? ' ' : ''}${gap}${body}${stem ? '[\\p{L}\\p{N}\\p{M}]*' : ''}`;
    gap = '';
  }
  return new RegExp(` ${source} `, 'u');
}
