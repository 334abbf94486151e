import type { SESEventRecord } from 'aws-lambda';
import { convert } from 'html-to-text';
import { type AddressObject, type Attachment, type ParsedMail, simpleParser } from 'mailparser';
import type { InboundMessage, Verdicts } from '../domain/inbound';
import { DOCX_LIMITS, docxText } from './docx-text';
import { PDF_LIMITS, pdfText } from './pdf-text';

/** Parsing gives up on a message after this long (pathological MIME), and keeps it for a person. */
const PARSE_TIMEOUT_MS = 20_000;

/**
 * Parses raw MIME into what the mail domain needs, surviving what real mail brings: alternative and
 * HTML-only bodies (read as the HTML shows them), any transfer encoding and charset, attachments (left in the raw message;
 * under a short cover note, a .txt letter is read and so are a PDF's text layer and a Word document's body),
 * forwarded `message/rfc822` parts, nested ones too (their text is appended, after a forward marker), UTF-8
 * mislabelled as a single-byte charset (read as UTF-8), a boundary that
 * never appears (the raw body is read instead), and messages that cannot be parsed at all (kept,
 * marked unparsed, never answered or retried forever).
 */
export async function parseInbound(raw: Buffer, record: SESEventRecord, storageKey: string): Promise<InboundMessage> {
  const { receipt, mail } = record.ses;
  const base = {
    messageId: mail.messageId,
    recipients: receipt.recipients,
    receivedAt: new Date(mail.timestamp),
    storageKey,
    verdicts: verdictsOf(record),
  };
  let parsed: ParsedMail;
  const started = Date.now();
  try {
    parsed = await withTimeout(simpleParser(raw, { skipImageLinks: true }), PARSE_TIMEOUT_MS);
  } catch {
    return {
      ...base,
      from: mail.source ?? '',
      subject: '',
      text: '',
      automated: false,
      bounce: isBounce(mail.source ?? '', ''),
      unparsed: true,
    };
  }
  const from = firstAddress(parsed.from) ?? mail.source ?? '';
  const autoSubmitted = String(parsed.headers.get('auto-submitted') ?? 'no').toLowerCase();
  const suppress = headerLine(parsed, 'x-auto-response-suppress').toLowerCase();
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  const contentType = String((parsed.headers.get('content-type') as { value?: string } | undefined)?.value ?? '').toLowerCase();
  let text = mislabelledUtf8(bodyText(parsed.text ?? '', parsed.html || undefined));
  // Only MIME so broken that no part was found is read raw: a letter sent as nothing but an attachment has no text.
  if (!text && !parsed.html && !parsed.attachments.length) text = rawBodyOf(raw);
  // A letter written in a .txt file and sent with an empty body or a cover note ("Please find my request attached.") is what the
  // writer asks a person to read. Plain text is read as it is (no renderer, nothing run); every other file is named, never opened.
  const coverNote = text.trim().length <= MAX_COVER_NOTE;
  const letters = coverNote ? parsed.attachments.filter(isPlainTextLetter) : [];
  for (const letter of letters) text += `${text ? '\n\n' : ''}${decodeText(letter.content, charsetOf(letter))}`.slice(0, MAX_ATTACHED_TEXT);
  // A letter sent as a PDF: its text layer, read in a worker bounded in size, pages, time and memory (a scan has none, and
  // stays named as an attachment for the writer to paste).
  // All of them share one time budget: with the parse's own limit, the function ends well inside its 30 s.
  const pdfDeadline = Date.now() + PDF_LIMITS.timeoutMs;
  if (coverNote)
    for (const pdf of parsed.attachments.filter(isPdfLetter).slice(0, MAX_PDF_LETTERS)) {
      const left = pdfDeadline - Date.now();
      if (left <= 0) break;
      const read = await pdfText(pdf.content, { ...PDF_LIMITS, timeoutMs: left });
      if (read === undefined) continue;
      text += `${text ? '\n\n' : ''}${read}`.slice(0, MAX_ATTACHED_TEXT);
      letters.push(pdf);
    }
  // A letter written in Word: its body's text (a zip read by hand, its one XML part inflated with a cap).
  if (coverNote)
    for (const docx of parsed.attachments.filter(isDocxLetter).slice(0, MAX_DOCX_LETTERS)) {
      const read = docxText(docx.content, DOCX_LIMITS);
      if (read === undefined) continue;
      text += `${text ? '\n\n' : ''}${read}`.slice(0, MAX_ATTACHED_TEXT);
      letters.push(docx);
    }
  text += await forwardedText(parsed.attachments, started + PARSE_TIMEOUT_MS, MAX_FORWARD_DEPTH);
  const attached = parsed.attachments
    .filter((a) => a.contentType !== 'message/rfc822' && !a.related && a.contentDisposition !== 'inline' && !letters.includes(a))
    .map((a) => a.filename || a.contentType);
  return {
    ...base,
    ...(attached.length ? { attachments: attached } : {}),
    headerMessageId: parsed.messageId,
    from,
    subject: mislabelledUtf8(parsed.subject ?? ''),
    text,
    automated:
      autoSubmitted !== 'no' ||
      ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) ||
      parsed.headerLines.some((line) => AUTOMATED_HEADERS.includes(line.key)),
    bounce: isBounce(mail.source ?? '', from) || contentType === 'multipart/report',
    noAutoAnswer: /\b(all|oof|autoreply)\b/.test(suppress) || parsed.headerLines.some((line) => LOOP_HEADERS.includes(line.key)),
  };
}

/** How deep forwards inside forwards are read ("Fwd: Fwd: Fwd:"); deeper ones stay in the raw message. */
const MAX_FORWARD_DEPTH = 3;

/** The most forwarded messages read from one mail, at every depth together. */
const MAX_FORWARDS = 10;

/**
 * The text of forwarded messages (`message/rfc822` parts), each after a forward marker, and of the
 * messages forwarded inside them, depth first, as a mail client shows a forward of a forward. Bounded
 * in depth, in count and by the parse's own deadline.
 */
async function forwardedText(attachments: Attachment[], deadline: number, depth: number, budget = { left: MAX_FORWARDS }): Promise<string> {
  let text = '';
  for (const attachment of attachments) {
    if (attachment.contentType !== 'message/rfc822' || depth <= 0 || budget.left <= 0) continue;
    const left = deadline - Date.now();
    if (left <= 0) break;
    budget.left--;
    const inner = await withTimeout(simpleParser(attachment.content, { skipImageLinks: true }), left).catch(() => undefined);
    if (!inner) continue;
    text += `\n\n---------- Forwarded message ----------\nSubject: ${mislabelledUtf8(inner.subject ?? '')}\n\n${mislabelledUtf8(inner.text ?? '')}`;
    text += await forwardedText(inner.attachments, deadline, depth - 1, budget);
  }
  return text;
}

/** The most Word documents of one mail read. */
const MAX_DOCX_LETTERS = 2;

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A Word document attached (by its type, or by its name when a client sends it as application/octet-stream). */
const isDocxLetter = (a: Attachment) =>
  !a.related &&
  a.contentDisposition !== 'inline' &&
  (a.contentType === DOCX_TYPE || (a.contentType === 'application/octet-stream' && /\.docx$/i.test(a.filename ?? '')));

/**
 * Headers that mark mail a person may have written but no automatic answer may go to: Exchange's
 * `X-Auto-Response-Suppress` (read above: All, OOF or AutoReply) asks for none, and `X-Loop` is how
 * procmail, ticket systems and list managers mark mail that has been through a robot (answering it is
 * how loops start). Such mail is ticketed and, to privacy@, read; only the acknowledgement is left out.
 */
const LOOP_HEADERS = ['x-loop', 'x-otrs-loop'];

/** The first raw line of a header, its value unfolded ('' when absent): the parser keeps some only in its own shapes. */
function headerLine(parsed: ParsedMail, key: string): string {
  const line = parsed.headerLines.find((l) => l.key === key)?.line ?? '';
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/** Windows-1252's characters for the bytes 0x80–0x9F, where it differs from Latin-1. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** A UTF-8 lead byte followed by a continuation byte, as Latin-1 or Windows-1252 shows them ("Ã¶", "ÃŸ"). */
const UTF8_AS_SINGLE_BYTE = new RegExp(`[\u00c2-\u00f4][\u0080-\u00bf${CP1252_HIGH}]`);

/**
 * Text that is UTF-8 read as Latin-1 or Windows-1252 ("mÃ¶chte"), line by line, read again as UTF-8
 * ("möchte"): clients that label every message ISO-8859-1 or US-ASCII send UTF-8 under it. A line is
 * read again only when all of it maps back to bytes that are valid UTF-8 with a character beyond ASCII,
 * which text really written in a single-byte charset never is in practice (it would take "Ã" before a
 * symbol such as "¶" on a line with no other accented letter).
 */
export function mislabelledUtf8(text: string): string {
  if (!UTF8_AS_SINGLE_BYTE.test(text)) return text;
  const strict = new TextDecoder('utf-8', { fatal: true });
  return text
    .split('\n')
    .map((line) => {
      if (!UTF8_AS_SINGLE_BYTE.test(line)) return line;
      const bytes: number[] = [];
      for (const char of line) {
        const code = char.codePointAt(0)!;
        const high = CP1252_HIGH.indexOf(char);
        if (code <= 0xff) bytes.push(code);
        else if (high >= 0) bytes.push(0x80 + high);
        else return line;
      }
      try {
        return strict.decode(Uint8Array.from(bytes));
      } catch {
        return line;
      }
    })
    .join('\n');
}

/** A body this short is a cover note at most: a .txt file attached beside it is the letter. */
const MAX_COVER_NOTE = 300;

/** The most of a .txt letter read: a letter says what it asks near its start. */
const MAX_ATTACHED_TEXT = 100_000;

/** The most PDF files of one mail read: a letter is one of them, and each costs a worker. */
const MAX_PDF_LETTERS = 2;

/** A PDF file attached (by its type, or by its name when a client sends it as application/octet-stream). */
const isPdfLetter = (a: Attachment) =>
  !a.related &&
  a.contentDisposition !== 'inline' &&
  (a.contentType === 'application/pdf' || (a.contentType === 'application/octet-stream' && /\.pdf$/i.test(a.filename ?? '')));

/** A plain-text file attached (not a forwarded message, not part of an HTML body). */
const isPlainTextLetter = (a: Attachment) =>
  a.contentType === 'text/plain' && !a.related && a.contentDisposition !== 'inline' && a.size <= 4 * MAX_ATTACHED_TEXT;

/** The charset the attached part names, if any ("text/plain; charset=windows-1250"). */
function charsetOf(a: Attachment): string | undefined {
  const type = a.headers.get('content-type') as { params?: Record<string, string> } | undefined;
  return type?.params?.charset;
}

/** Bytes in a named charset as text; an unknown or missing charset is read as UTF-8 (invalid bytes replaced). */
function decodeText(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * Headers only a robot's mail carries: a list's (every newsletter and bulk sender has an unsubscribe
 * link, RFC 2369/8058) and an auto-responder's own marks. Read from the raw header lines: the parser
 * folds every List-* header into one `list` object.
 */
const AUTOMATED_HEADERS = ['list-id', 'list-unsubscribe', 'x-autoreply', 'x-autorespond'];

/** HTML longer than this is cut before it is rendered: the text kept is far shorter anyway. */
const MAX_HTML_CHARS = 2_000_000;

/**
 * The text the writer saw. A mail client shows the HTML part when there is one, so its rendering is
 * the message — the plain alternative may say something else ("view this mail in a browser", an old
 * draft). Tables are read cell by cell, not run together ("NameAnna Berg"); link targets and images
 * are left out. HTML that renders to no words leaves the plain part.
 */
export function bodyText(plain: string, html: string | undefined): string {
  const rendered = html ? htmlText(html) : '';
  return (/[\p{L}\p{N}]/u.test(rendered) ? rendered : plain).trim();
}

/** HTML as a person reads it: blocks on their own lines, each table cell on its own line, quotes marked "> ". */
export function htmlText(html: string): string {
  // A no-break space (&nbsp;, which editors put between words) is a space: a correction's value must not keep it.
  return convert(html.slice(0, MAX_HTML_CHARS), {
    wordwrap: false,
    limits: { maxDepth: 64, maxInputLength: MAX_HTML_CHARS },
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      // The writer's own capitals: a heading's value ("Correct name: Anna Berg") keeps its case.
      ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'block' },
      { selector: 'th', format: 'block' },
    ],
  }).replace(/\u00a0/g, ' ');
}

/** A null return path, or a mail system writing: bounces and reports are never answered (no mail loops). */
function isBounce(returnPath: string, from: string): boolean {
  const local = (address: string) => address.trim().toLowerCase().split('@')[0] ?? '';
  return (
    returnPath.trim() === '' ||
    returnPath.trim() === '<>' ||
    ['mailer-daemon', 'postmaster'].includes(local(from)) ||
    ['mailer-daemon', 'postmaster'].includes(local(returnPath))
  );
}

function verdictsOf(record: SESEventRecord): Verdicts {
  const { receipt } = record.ses;
  return {
    spf: receipt.spfVerdict?.status,
    dkim: receipt.dkimVerdict?.status,
    dmarc: receipt.dmarcVerdict?.status,
    spam: receipt.spamVerdict?.status,
    virus: receipt.virusVerdict?.status,
  };
}

/** The body after the header block, as text: for MIME so broken that no part was found. */
function rawBodyOf(raw: Buffer): string {
  const text = raw.toString('latin1');
  const start = text.search(/\r?\n\r?\n/);
  return start < 0 ? '' : text.slice(start).trim().slice(0, 100_000);
}

function firstAddress(from: AddressObject | undefined): string | undefined {
  return from?.value.find((entry) => entry.address)?.address;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('parse timeout')), ms))),
  ]).finally(() => clearTimeout(timer));
}
