/**
 * Characters no name or profile field needs, which change what a reader sees beyond the field: control
 * characters (C0, DEL, C1: a newline forges a line of an operator's listing, an ESC sequence drives
 * their terminal), the line and paragraph separators, and half a surrogate pair (no character; stored
 * as U+FFFD). Every script is welcome, and so are the marks and joiners scripts need (U+200C/U+200D,
 * U+200E/U+200F) and the bidirectional controls: the console shows a field isolated (an override ends
 * where the field does) and the ops tool escapes them (`visibleControls`).
 */
const CONTROLS = '\\p{Cc}\\p{Zl}\\p{Zp}';
/** The same but a line feed, a carriage return and a tab, which text of several lines has. */
const CONTROLS_BUT_LINES = '\\0-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F\\p{Zl}\\p{Zp}';
/** The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): "Trojan Source" reordering. */
const BIDI = '\\u202A-\\u202E\\u2066-\\u2069';
const HALF_PAIR = '\\p{Cs}';
const halfPair = new RegExp(HALF_PAIR, 'u');
/** Whether `text` holds half a surrogate pair (`"\\ud800"` in JSON): no character, which UTF-8 cannot carry (written as U+FFFD). */
export const hasLoneSurrogate = (text: string): boolean => halfPair.test(text);
const pattern = (classes: string, flags = 'u') => new RegExp(`[${classes}]|${HALF_PAIR}`, flags);
/** Something a reader sees: a letter, digit, punctuation mark or symbol (not only spaces, marks or invisible format characters). */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
/**
 * Letters and symbols that show nothing: the default-ignorables, among them the Hangul fillers (U+115F,
 * U+1160, U+3164, U+FFA0: letters, a blank name's favourite), and the blank Braille pattern (U+2800).
 */
const BLANK = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * Why `text` cannot be a name or a field people read, in words for its writer; undefined when it can.
 * Any script is welcome, right-to-left included.
 */
export function plainTextProblem(text: string, options: { lines?: boolean } = {}): string | undefined {
  if (pattern(options.lines ? CONTROLS_BUT_LINES : CONTROLS).test(text))
    return options.lines
      ? 'Must not contain control characters other than line breaks and tabs'
      : 'Must not contain line breaks or other control characters';
  if (text !== '' && !VISIBLE.test(text.replace(BLANK, ''))) return 'Must contain a visible character';
  return undefined;
}

/**
 * `text` with every character `plainTextProblem` refuses, and the bidirectional controls, written as a
 * visible escape (`\u{1b}`), for an operator's terminal: mail from anyone (a subject may carry an ESC
 * sequence in an encoded word) and names stored before they were checked must neither drive the
 * terminal nor forge or reorder a line of output. Line breaks and tabs stay when `lines`.
 */
export function visibleControls(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(
    pattern(`${options.lines ? CONTROLS_BUT_LINES : CONTROLS}${BIDI}`, 'gu'),
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}
