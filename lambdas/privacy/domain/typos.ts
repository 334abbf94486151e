/**
 * Misspelt words read as the vocabulary's own ("delet my acount" as "delete my account", "verwijdr" as "verwijder", "exprot"
 * as "export"): a bounded typo tolerance, one edit (a letter missing, doubled, swapped with its neighbour or struck for the
 * key beside it) on words of five letters or more, against the words a language's vocabulary uses. A word the vocabulary
 * knows (its stop words included) is never changed, nor a word one edit from words that mean different things: that
 * letter stays unclear and a person asks the writer.
 */

/** Shorter words are left as typed: one edit turns them into too many others ("data" and "date", "dont" and "done"). */
export const MIN_TYPO_LENGTH = 5;
/** Words the tolerance never reads into another: letters of scripts written without spaces have no words of their own. */
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/**
 * Keys side by side on the keyboards letters are typed on (QWERTY, QWERTZ, AZERTY, Cyrillic ЙЦУКЕН, Greek), as folded
 * letters: a struck neighbour is a typo, while a letter far from the one meant makes another word ("berechtigt" is no
 * misspelt "berichtigt", nor Hungarian "tárolás" a misspelt "törlés").
 */
const ROWS = [
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'qwertzuiop',
  'yxcvbnm',
  'azertyuiop',
  'qsdfghjklm',
  'wxcvbn',
  'йцукенгшщзх',
  'фывапролдж',
  'ячсмитьб',
  'ερτυθιοπ',
  'ασδφγηξκλ',
  'ζχψωβνμ',
];
const NEIGHBOURS = new Map<string, Set<string>>();
for (const row of ROWS)
  Array.from(row).forEach((key, i) => {
    const near = NEIGHBOURS.get(key) ?? new Set<string>();
    if (i > 0) near.add(row[i - 1]!);
    if (i + 1 < row.length) near.add(row[i + 1]!);
    NEIGHBOURS.set(key, near);
  });
/** Whether two keys are side by side on a keyboard. */
const near = (a: string | undefined, b: string) => a !== undefined && (NEIGHBOURS.get(a)?.has(b) ?? false);

/**
 * Whether `typed` is `meant` with one slip of the fingers: a letter left out, two neighbours swapped, a key struck for the
 * one beside it, or a letter struck twice or with its neighbour ("pleasse", "delwte"). Any other single change of letter
 * (a vowel for another: "delta" and "delete", "passen" and "passed") makes another word, and is none.
 */
export function oneSlip(typed: string, meant: string): boolean {
  if (typed === meant) return false;
  let i = 0;
  while (i < typed.length && i < meant.length && typed[i] === meant[i]) i++;
  if (typed.length + 1 === meant.length) return typed.slice(i) === meant.slice(i + 1);
  if (typed.length === meant.length + 1) {
    // The extra letter may be the next one's double, so the first difference need not be where the extra letter is.
    for (let at = 0; at <= i; at++)
      if (typed.slice(0, at) + typed.slice(at + 1) === meant) {
        const extra = typed[at]!;
        const [before, after] = [typed[at - 1], typed[at + 1]];
        if (extra === before || extra === after || near(before, extra) || near(after, extra)) return true;
      }
    return false;
  }
  if (typed.length !== meant.length) return false;
  if (typed.slice(i + 1) === meant.slice(i + 1)) return near(meant[i], typed[i]!);
  return typed[i] === meant[i + 1] && typed[i + 1] === meant[i] && typed.slice(i + 2) === meant.slice(i + 2);
}

/** A word of the vocabulary: a whole word, or a stem that takes any ending ("verwijder*"), and what it is evidence of. */
interface Entry {
  word: string;
  stem: boolean;
  /** The rights whose phrases use it, as one key ("deletion", "access,portability"), or "" for the vocabulary's other words. */
  meaning: string;
}

/** A word of a vocabulary as the tolerance reads it: folded, `stem*` a stem, and the right its phrase is evidence of. */
export interface LexiconWord {
  word: string;
  stem: boolean;
  right?: string;
}

/** The words in one edit of a word: the word and each spelling of it with one letter left out. */
const deletions = (word: string) => [word, ...Array.from(word, (_, i) => word.slice(0, i) + word.slice(i + 1))];

/**
 * The words of one or more vocabularies, indexed once (at first use) by their one-letter deletions, so that a letter's
 * unknown word finds its candidates in a few map look-ups rather than by comparing it with every word.
 */
export class Lexicon {
  private readonly known = new Set<string>();
  private readonly stems = new Set<string>();
  private readonly index = new Map<string, Entry[]>();
  private readonly ownWords = new Set<string>();
  private readonly ownStems = new Set<string>();
  /**
   * The longest stem known, and the longest word a typo may be read as: no longer prefix can be a stem, and no
   * longer word (or prefix before an ending) one slip from a word. What a letter's word costs is bounded by them,
   * not by its length (a 100 kB "word" of one letter repeated is read in microseconds, not hours).
   */
  private longestStem = 0;
  private longestIndexed = 0;

  /**
   * `vocabularyWords` are what a misspelt word may be read as (the letter's language's); `otherWords` are known too, and
   * never read into anything (English beside it: "Account", "deleten").
   */
  constructor(vocabularyWords: readonly LexiconWord[], stopWords: readonly string[], otherWords: readonly LexiconWord[] = []) {
    for (const w of stopWords) this.known.add(w);
    for (const { word, stem } of [...vocabularyWords, ...otherWords]) {
      if (!word) continue;
      (stem ? this.stems : this.known).add(word);
      if (stem) this.longestStem = Math.max(this.longestStem, word.length);
    }
    for (const { word, stem } of vocabularyWords) if (word) (stem ? this.ownStems : this.ownWords).add(word);
    // A word means what every phrase using it means, whole or as a stem ("widerspreche" and "widerspreche*").
    const meanings = new Map<string, Set<string>>();
    const forms = new Set<string>();
    for (const { word, stem, right } of vocabularyWords) {
      if (!word) continue;
      const of = meanings.get(word) ?? new Set<string>();
      if (right) of.add(right);
      meanings.set(word, of);
      forms.add(`${stem ? '*' : ''}${word}`);
    }
    for (const form of forms) {
      const stem = form.startsWith('*');
      const word = stem ? form.slice(1) : form;
      if (word.length < MIN_TYPO_LENGTH || stopWords.includes(word)) continue;
      const entry = { word, stem, meaning: [...meanings.get(word)!].sort().join() };
      this.longestIndexed = Math.max(this.longestIndexed, word.length);
      for (const d of new Set(deletions(word))) this.index.set(d, [...(this.index.get(d) ?? []), entry]);
    }
  }

  /** Whether the vocabulary itself (not the others known beside it, nor its stop words) has the (folded) word, whole or as a stem. */
  knowsOwn(word: string): boolean {
    if (this.ownWords.has(word)) return true;
    for (let i = 1; i <= Math.min(word.length, this.longestStem); i++) if (this.ownStems.has(word.slice(0, i))) return true;
    return false;
  }

  /** Whether the vocabulary knows the (folded) word: as a word, or as one of its stems with an ending. */
  knows(word: string): boolean {
    if (this.known.has(word)) return true;
    for (let i = 1; i <= Math.min(word.length, this.longestStem); i++) if (this.stems.has(word.slice(0, i))) return true;
    return false;
  }

  /**
   * The vocabulary's word a folded word is a typo of, or undefined: it must be unknown, of five letters or more, begin with
   * the same letter and be one edit from words of one meaning only. A stem's ending is kept ("verwjderen" → "verwijderen");
   * a letter missing from a stem counts only where the stem is long or the word has no ending ("delta" is no "delet…").
   */
  typoOf(word: string): string | undefined {
    if (word.length < MIN_TYPO_LENGTH || UNSPACED.test(word) || this.knows(word)) return undefined;
    const found = new Map<string, string>();
    const consider = (typed: string, rest: string, stemsOnly: boolean) => {
      for (const d of new Set(deletions(typed)))
        for (const entry of this.index.get(d) ?? []) {
          if (stemsOnly && !entry.stem) continue;
          if (!entry.stem && rest) continue;
          if (entry.word[0] !== typed[0]) continue;
          if (entry.stem && rest && typed.length < entry.word.length && entry.word.length < 7) continue;
          if (!oneSlip(typed, entry.word)) continue;
          if (!found.has(entry.meaning)) found.set(entry.meaning, entry.word + rest);
        }
    };
    // One slip adds at most one letter: a longer word, or prefix, is no indexed word's typo.
    if (word.length <= this.longestIndexed + 1) consider(word, '', false);
    for (let end = Math.min(word.length - 1, this.longestIndexed + 1); end >= MIN_TYPO_LENGTH - 1; end--)
      consider(word.slice(0, end), word.slice(end), true);
    if (found.size !== 1) return undefined;
    // Only into a word of a right's phrases: a slip read into the other lists' words (an earlier letter's "wrote", a
    // condition, a negation) could only take a request away. "I write to you" stays as written.
    const [[meaning, read]] = [...found];
    return meaning ? read : undefined;
  }
}

/** A word read as the vocabulary's: as typed, and as read. */
export interface Typo {
  typed: string;
  read: string;
}

/**
 * The text with each misspelt word replaced by the vocabulary's (folded: the classifier folds whatever it reads), and the
 * words replaced. `fold` is the classifier's folding, so a word and the vocabulary are compared alike.
 */
export function readTypos(
  text: string,
  lexicon: Lexicon,
  fold: (word: string) => string,
  /** What is no prose (addresses, links): left as written. */
  verbatim?: RegExp,
): { text: string; typos: Typo[] } {
  const typos: Typo[] = [];
  const seen = new Map<string, string | undefined>();
  const readWords = (prose: string) =>
    prose.replace(/[\p{L}\p{M}]+/gu, (typed) => {
      const folded = fold(typed);
      if (!seen.has(folded)) seen.set(folded, /^\p{L}+$/u.test(folded) ? lexicon.typoOf(folded) : undefined);
      const word = seen.get(folded);
      if (word === undefined) return typed;
      typos.push({ typed, read: word });
      // A capital stays (a sentence's first word): nothing else of the typed spelling matters once folded.
      return typed[0] !== typed[0]!.toLowerCase() ? word[0]!.toUpperCase() + word.slice(1) : word;
    });
  if (!verbatim) return { text: readWords(text), typos };
  let read = '';
  let from = 0;
  for (const kept of text.matchAll(new RegExp(verbatim.source, verbatim.flags.includes('g') ? verbatim.flags : `${verbatim.flags}g`))) {
    read += readWords(text.slice(from, kept.index)) + kept[0];
    from = kept.index + kept[0].length;
  }
  return { text: read + readWords(text.slice(from)), typos };
}
