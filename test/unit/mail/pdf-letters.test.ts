import type { SESEventRecord } from 'aws-lambda';
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { parseInbound } from '../../../lambdas/mail/adapters/parse-mail';
import { PDF_LIMITS, pdfText } from '../../../lambdas/mail/adapters/pdf-text';
import { readMail } from '../../../lambdas/privacy/domain/classify';

const record = {
  ses: {
    mail: { timestamp: '2026-03-01T10:00:00.000Z', source: 'writer@example.org', messageId: 'm1' },
    receipt: { recipients: ['privacy@omnapi.com'] },
  },
} as unknown as SESEventRecord;

/** A PDF made here, with pdf-lib: one page per entry, each with its lines of text (none: a scan, a grey box and no text layer). */
async function pdf(pages: (string[] | null)[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    if (!lines) page.drawRectangle({ x: 60, y: 400, width: 450, height: 300, color: rgb(0.7, 0.7, 0.7) });
    else for (const [i, line] of lines.entries()) page.drawText(line, { x: 60, y: 780 - 16 * i, size: 11, font });
  }
  return Buffer.from(await doc.save());
}

/** A mail with a cover note (none: no text part at all) and one PDF attached. */
const mailWith = (note: string | undefined, file: Buffer, contentType = 'application/pdf') =>
  Buffer.from(
    [
      'From: writer@example.org',
      'To: privacy@omnapi.com',
      'Subject: Request',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      ...(note === undefined ? [] : ['--b', 'Content-Type: text/plain; charset=utf-8', '', note]),
      '--b',
      `Content-Type: ${contentType}; name="letter.pdf"`,
      'Content-Disposition: attachment; filename="letter.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      file.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ].join('\r\n'),
  );

async function read(raw: Buffer) {
  const parsed = await parseInbound(raw, record, 'inbound/m1');
  return { parsed, reading: readMail(parsed.subject, parsed.text, { ownDomain: 'omnapi.com' }) };
}

const ACCESS = [
  'Dear Sir or Madam,',
  '',
  'Under Article 15 GDPR I request a copy of all personal data',
  'you hold about me.',
  '',
  'Yours faithfully,',
  'Robert Hill',
];

describe('a letter sent as a PDF', () => {
  it.each([
    ['with no text part', undefined, 'application/pdf'],
    ['under "see attached"', 'Please see attached.', 'application/pdf'],
    ['sent as application/octet-stream', '', 'application/octet-stream'],
  ])('is read from its text layer %s, and not listed as a file we did not open', async (_shape, note, type) => {
    const { parsed, reading } = await read(mailWith(note, await pdf([ACCESS]), type));
    expect({ rights: reading.rights, attachments: parsed.attachments }).toEqual({ rights: ['access'], attachments: undefined });
    expect(parsed.text).toContain('I request a copy of all personal data');
  });

  it('in German, with umlauts, is read in its language', async () => {
    const letter = ['Sehr geehrte Damen und Herren,', 'bitte löschen Sie gemäß Art. 17 DSGVO alle meine Daten.', 'Mit freundlichen Grüßen'];
    const { reading } = await read(mailWith('', await pdf([letter])));
    expect({ rights: reading.rights, language: reading.language }).toEqual({ rights: ['deletion'], language: 'de' });
  });

  it('scanned, with no text layer, gives no text and stays named as an attachment (the reply asks for the text)', async () => {
    const { parsed, reading } = await read(mailWith('See attached.', await pdf([null])));
    expect({ rights: reading.rights, attachments: parsed.attachments }).toEqual({ rights: [], attachments: ['letter.pdf'] });
  });

  it('is not read under a letter of its own: the body is the letter', async () => {
    const body = `Hello, please delete my account. ${'I have been a customer for years and I use the API every day. '.repeat(6)}`;
    const { parsed, reading } = await read(mailWith(body, await pdf([ACCESS])));
    expect({ rights: reading.rights, attachments: parsed.attachments }).toEqual({ rights: ['deletion'], attachments: ['letter.pdf'] });
  });
});

describe('reading a PDF is bounded', () => {
  it(`reads at most ${PDF_LIMITS.maxPages} pages`, async () => {
    const file = await pdf(Array.from({ length: PDF_LIMITS.maxPages + 5 }, (_, i) => [`This is page number ${i + 1}.`]));
    const text = await pdfText(file);
    expect(text).toContain(`page number ${PDF_LIMITS.maxPages}.`);
    expect(text).not.toContain(`page number ${PDF_LIMITS.maxPages + 1}.`);
  });

  it('opens no file larger than its size limit', async () => {
    const file = await pdf([ACCESS]);
    expect(await pdfText(file, { ...PDF_LIMITS, maxBytes: file.length - 1 })).toBeUndefined();
  });

  it('stops a reading that takes longer than its time limit, and answers nothing', async () => {
    const file = await pdf(Array.from({ length: 5 }, () => ACCESS));
    const started = Date.now();
    expect(await pdfText(file, { ...PDF_LIMITS, timeoutMs: 50 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers nothing, and does not crash the function, when the reading needs more memory than its worker may have', async () => {
    expect(await pdfText(await pdf([ACCESS]), { ...PDF_LIMITS, maxHeapMb: 8 })).toBeUndefined();
  });

  it.each([
    ['not a PDF', Buffer.from('%PDF-1.7\nthis is not a PDF at all\n%%EOF')],
    ['empty', Buffer.alloc(0)],
    ['truncated', Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R')],
  ])('answers nothing for a file that is %s', async (_what, file) => {
    expect(await pdfText(file)).toBeUndefined();
  });
});
