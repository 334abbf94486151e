import type { SESEventRecord } from 'aws-lambda';
import { convert } from 'html-to-text';
import { type AddressObject, type Attachment, type ParsedMail, simpleParser } from 'mailparser';
import type { InboundMessage, Verdicts } from '../domain/inbound';
import { PDF_LIMITS, pdfText } from './pdf-text';

/** Parsing gives up on a message after this long (pathological MIME), and keeps it for a person. */
const PARSE_TIMEOUT_MS = 20_000;

/**
 * Parses raw MIME into what the mail domain needs, surviving what real mail brings: alternative and
 * HTML-only bodies (read as the HTML shows them), any transfer encoding and charset, attachments (left in the raw message;
 * under a short cover note, a .txt letter is read and so is a PDF's text layer),
 * forwarded `message/rfc822` parts (their text is appended, after a forward marker), a boundary that
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
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  const contentType = String((parsed.headers.get('content-type') as { value?: string } | undefined)?.value ?? '').toLowerCase();
  let text = bodyText(parsed.text ?? '', parsed.html || undefined);
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
  for (const attachment of parsed.attachments) {
    if (attachment.contentType !== 'message/rfc822') continue;
    const inner = await withTimeout(simpleParser(attachment.content), PARSE_TIMEOUT_MS).catch(() => undefined);
    if (inner) text += `\n\n---------- Forwarded message ----------\nSubject: ${inner.subject ?? ''}\n\n${inner.text ?? ''}`;
  }
  const attached = parsed.attachments
    .filter((a) => a.contentType !== 'message/rfc822' && !a.related && a.contentDisposition !== 'inline' && !letters.includes(a))
    .map((a) => a.filename || a.contentType);
  return {
    ...base,
    ...(attached.length ? { attachments: attached } : {}),
    headerMessageId: parsed.messageId,
    from,
    subject: parsed.subject ?? '',
    text,
    automated:
      autoSubmitted !== 'no' ||
      ['bulk', 'junk', 'list'].includes(precedence) ||
      parsed.headerLines.some((line) => AUTOMATED_HEADERS.includes(line.key)),
    bounce: isBounce(mail.source ?? '', from) || contentType === 'multipart/report',
  };
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
