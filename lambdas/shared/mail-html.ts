import { escapeHtml, isolatedHtml } from './http';

/** Languages written right to left, by primary subtag (Arabic, Persian, Hebrew, Urdu, Pashto, Yiddish, Sorani, Dhivehi, Sindhi, Uyghur). */
const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'yi', 'ckb', 'dv', 'sd', 'ug']);

/** The direction a language is written in (BCP 47 tag, by its primary subtag). */
export function directionOf(language: string): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(language.trim().toLowerCase().split(/[-_]/)[0] ?? '') ? 'rtl' : 'ltr';
}

/** Links and addresses: left-to-right runs inside a right-to-left sentence. */
const LINK_OR_ADDRESS = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** One line of a plain-text mail as HTML: escaped, isolated values as `<bdi>`, links and addresses isolated left to right. */
function lineHtml(line: string): string {
  return isolatedHtml(line.replace(/^\u200f/, '')).replace(LINK_OR_ADDRESS, (run) =>
    run.startsWith('http') ? `<a href="${run}" dir="ltr">${run}</a>` : `<bdi dir="ltr">${run}</bdi>`,
  );
}

/**
 * A plain-text mail as its HTML alternative: paragraphs as `<p>`, lines as `<br>`, the language and its
 * direction on the root. Mail clients read text/plain in the direction of its first letter, line by
 * line, and a line that begins with an address or a link turns left to right; HTML says it once.
 */
export function mailHtml(text: string, language: string): string {
  return `<!doctype html><html lang="${escapeHtml(language)}" dir="${directionOf(language)}"><head><meta charset="utf-8"></head><body>${paragraphsHtml(text)}</body></html>`;
}

const paragraphsHtml = (text: string) =>
  text
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${p.split('\n').map(lineHtml).join('<br>')}</p>`)
    .join('');

/** A mail written in several languages as its HTML alternative: each part in its own section, with its language and direction. */
export function multilingualMailHtml(parts: readonly { text: string; language: string }[]): string {
  const sections = parts.map(
    ({ text, language }) => `<div lang="${escapeHtml(language)}" dir="${directionOf(language)}">${paragraphsHtml(text)}</div>`,
  );
  return `<!doctype html><html lang="${escapeHtml(parts[0]?.language ?? 'en')}"><head><meta charset="utf-8"></head><body>${sections.join('<hr>')}</body></html>`;
}
