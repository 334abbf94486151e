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
