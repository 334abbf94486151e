/**
 * Whether a domain's label may be shown in Unicode to people, or only in its ASCII form (punycode),
 * after the rules browsers apply to the address bar (Chromium's IDN display policy, in short): a label
 * whose letters mix scripts (`exаmple`, a Cyrillic а among Latin letters) or that is spelt entirely in
 * Cyrillic or Greek letters that look Latin (`аррӏе`) would read as another domain, so it shows as
 * punycode. Scripts written together are one (Japanese: Han, kana and Latin; Chinese with Bopomofo;
 * Korean with Han), and a look-alike label under a top-level domain of its own script (`.рф`) is
 * shown: its readers type that script. Free of Node, so the console shows addresses by the same rule.
 */
export function showsInUnicode(label: string, topLevel = ''): boolean {
  const scripts = scriptsOf(label);
  if (scripts.size > 1 && !WRITTEN_TOGETHER.some((group) => [...scripts].every((script) => group.includes(script)))) return false;
  for (const [script, lookAlikes] of LATIN_LOOK_ALIKES) {
    if (scripts.size !== 1 || !scripts.has(script) || scriptsOf(topLevel).has(script)) continue;
    if ([...label].every((c) => !LETTER.test(c) || lookAlikes.includes(c))) return false;
  }
  return true;
}

/**
 * A domain kept in ASCII as people should read it: each label in Unicode (`decode`: punycode to
 * Unicode, whichever library the caller has) when `showsInUnicode`, else as it is.
 */
export function displayDomain(domain: string, decode: (label: string) => string): string {
  const labels = domain.split('.');
  const topLevel = decode(labels.at(-1) ?? '');
  return labels
    .map((label) => {
      const unicode = label.startsWith('xn--') ? decode(label) : label;
      return unicode && showsInUnicode(unicode, topLevel) ? unicode : label;
    })
    .join('.');
}

const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Ethiopic',
  'Cherokee',
  'Mongolian',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')] as const);
const LETTER = /\p{L}/u;
const WRITTEN_TOGETHER: string[][] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];
/** Letters of a script that read as Latin ones (lower case: IDNA maps a label to it). */
const LATIN_LOOK_ALIKES: [string, string][] = [
  ['Cyrillic', 'аысԁеԍһіюјӏорԛѕԝхуъьҽпгѵѡ'],
  ['Greek', 'αικνορτυχ'],
];

/** The scripts of a label's letters (digits, hyphens and marks belong to none); letters of scripts not listed count as one more. */
function scriptsOf(label: string): Set<string> {
  const scripts = new Set<string>();
  for (const c of label) {
    if (!LETTER.test(c)) continue;
    scripts.add(SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(c))?.[0] ?? 'other');
  }
  return scripts;
}
