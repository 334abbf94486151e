/**
 * Characters no name or profile field needs, which change how the text around them is shown: control
 * characters (C0, DEL, C1: a newline forges a line of an operator's listing, an ESC sequence drives
 * their terminal), the line and paragraph separators, the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069: "Trojan Source" reordering), and half a surrogate pair
 * (no character; stored as U+FFFD). Right-to-left text needs none of them; the marks U+200E/U+200F and
 * the joiners U+200C/U+200D (Persian, Indic scripts, emoji sequences) stay allowed.
 */
const DISRUPTIVE = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;
/** The same, but for text of several lines: a line feed, a carriage return and a tab are its own. */
const DISRUPTIVE_IN_LINES = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;
/** Something a reader sees: a letter, digit, punctuation mark or symbol (not only spaces, marks or invisible format characters). */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * Why `text` cannot be a name or a field people read, in words for its writer; undefined when it can.
 * Any script is welcome, right-to-left included.
 */
export function plainTextProblem(text: string, options: { lines?: boolean } = {}): string | undefined {
  if ((options.lines ? DISRUPTIVE_IN_LINES : DISRUPTIVE).test(text))
    return options.lines
      ? 'Must not contain control characters (other than line breaks and tabs) or text-direction overrides'
      : 'Must not contain line breaks, control characters or text-direction overrides';
  if (text !== '' && !VISIBLE.test(text)) return 'Must contain a visible character';
  return undefined;
}

/**
 * `text` with every character `plainTextProblem` refuses written as a visible escape (`\u{1b}`), for an
 * operator's terminal: mail from anyone (a subject may carry an ESC sequence in an encoded word) and
 * names stored before they were checked must neither drive the terminal nor forge a line of output.
 * Line breaks and tabs stay when `lines`.
 */
export function visibleControls(text: string, options: { lines?: boolean } = {}): string {
  const pattern = new RegExp((options.lines ? DISRUPTIVE_IN_LINES : DISRUPTIVE).source, 'gu');
  return text.replace(pattern, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
