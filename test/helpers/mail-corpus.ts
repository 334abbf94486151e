import * as fs from 'node:fs';
import * as path from 'node:path';

/** The corpus of real-world-shaped privacy mail (test/fixtures/mail-corpus), with what each should come to. */
export type Expected = 'access' | 'portability' | 'deletion' | 'correction' | 'objection' | 'several' | 'none' | 'bounce' | 'auto';
export interface CorpusMessage {
  file: string;
  from: string | null;
  expected: Expected;
  shapes: string[];
  raw: Buffer;
  /** The envelope sender (SMTP MAIL FROM): the Return-Path when the message has one. */
  envelopeFrom: string;
}

const DIR = path.join(__dirname, '..', 'fixtures', 'mail-corpus');
const BIG = '14-big-attachment-download.eml';

/** A request with a ~10 MB attachment: made here, deterministically, rather than kept in the repository. */
function bigMessage(): Buffer {
  const bytes = Buffer.alloc(Math.round(7.5 * 1024 * 1024));
  let x = 0x5eed2026;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const base64 = bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Oliver Bennett <oliver.bennett@example.com>',
      'To: privacy@omnapi.com',
      "Subject: Can't download my data - screen recording attached",
      'Date: Thu, 05 Mar 2026 16:41:09 +0000',
      'Message-ID: <CAO7bq2Xk9f1nT3pLm0Q8rV@mail.example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset="UTF-8"',
      '',
      "The export button spins. Under data portability rules I'd like you to send me my data in a machine-readable format.",
      '--b1',
      'Content-Type: video/mp4; name="screen-recording.mp4"',
      'Content-Disposition: attachment; filename="screen-recording.mp4"',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

export function mailCorpus(): CorpusMessage[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as Omit<CorpusMessage, 'raw' | 'envelopeFrom'>[];
  return manifest.map((entry) => {
    const raw = entry.file === BIG ? bigMessage() : fs.readFileSync(path.join(DIR, entry.file));
    const header = raw.toString('latin1', 0, Math.min(raw.length, 20_000));
    const returnPath = /^Return-Path:\s*<([^>]*)>/im.exec(header)?.[1];
    return { ...entry, raw, envelopeFrom: returnPath ?? entry.from ?? 'unknown-sender@example.org' };
  });
}

/** The blind corpus (test/fixtures/mail-corpus-blind): mail as clients and servers emit it, to all three mailboxes. */
export interface BlindMessage {
  file: string;
  from: string;
  /** A privacy outcome, `ticket` (support or hello mail for a person), `bounce` or `auto`. */
  expected: Expected | 'ticket';
  shapes: string[];
  mailbox: 'privacy' | 'support' | 'hello';
  /** Whether anything is sent back to `from`. */
  answered: boolean;
  /** Words the ticket's text must hold, decoded. */
  says?: string;
  /** The ticket's subject, decoded. */
  subject?: string;
  /** A known defect outside the mail context (the classifier's) that keeps `expected` from being met: reported, not failed. */
  defect?: string;
  raw: Buffer;
  envelopeFrom: string;
}

const BLIND_DIR = path.join(__dirname, '..', 'fixtures', 'mail-corpus-blind');
const BLIND_BIG = '27-big-11mb-attachment-deletion.eml';

/** A deletion request with an 11 MB zip attached, as a phone's mail app sends a folder of documents. */
export function bigBlindMessage(megabytes = 11): Buffer {
  const bytes = Buffer.alloc(Math.round(megabytes * 1024 * 1024));
  let x = 0x2026c0de;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  bytes.write('PK\u0003\u0004', 0, 'latin1');
  const base64 = bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'Return-Path: <nadia.benali@example.ma>',
      'From: Nadia Benali <nadia.benali@example.ma>',
      'To: privacy@omnapi.com',
      'Subject: Account',
      'Date: Tue, 03 Mar 2026 11:02:45 +0100',
      'Message-ID: <5E6F7A8B-big@example.ma>',
      'X-Mailer: iPhone Mail (21E236)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="Apple-Mail-big-01"',
      '',
      '--Apple-Mail-big-01',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 7bit',
      '',
      'Please delete my account and all the personal data you have about me. My documents are attached.',
      '',
      'Sent from my iPhone',
      '--Apple-Mail-big-01',
      'Content-Type: application/zip; name="documents.zip"',
      'Content-Disposition: attachment; filename="documents.zip"',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      '--Apple-Mail-big-01--',
      '',
    ].join('\r\n'),
  );
}

export function blindMailCorpus(): BlindMessage[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(BLIND_DIR, 'manifest.json'), 'utf8')) as Omit<
    BlindMessage,
    'raw' | 'envelopeFrom'
  >[];
  return manifest.map((entry) => {
    const raw = entry.file === BLIND_BIG ? bigBlindMessage() : fs.readFileSync(path.join(BLIND_DIR, entry.file));
    const header = raw.toString('latin1', 0, Math.min(raw.length, 20_000));
    const returnPath = /^Return-Path:\s*<([^>]*)>/im.exec(header)?.[1];
    return { ...entry, raw, envelopeFrom: returnPath ?? entry.from };
  });
}
