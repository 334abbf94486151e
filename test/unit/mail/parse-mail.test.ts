import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SESEventRecord } from 'aws-lambda';
import iconv from 'iconv-lite';
import { parseInbound } from '../../../lambdas/mail/adapters/parse-mail';
import { readMail } from '../../../lambdas/privacy/domain/classify';

const record = {
  ses: {
    mail: { timestamp: '2026-03-01T10:00:00.000Z', source: 'writer@example.org', messageId: 'm1' },
    receipt: { recipients: ['privacy@omnapi.com'] },
  },
} as unknown as SESEventRecord;

const mime = (headers: string[], body: string | Buffer) =>
  Buffer.concat([Buffer.from(`From: writer@example.org\r\nTo: privacy@omnapi.com\r\n${headers.join('\r\n')}\r\n\r\n`), Buffer.from(body)]);
const quotedPrintable = (bytes: Buffer) =>
  [...bytes]
    .map((c) =>
      c === 10 ? '\r\n' : c >= 32 && c <= 126 && c !== 61 ? String.fromCharCode(c) : `=${c.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
const encodedWord = (text: string, charset: string) => `=?${charset}?B?${iconv.encode(text, charset).toString('base64')}?=`;

async function read(raw: Buffer) {
  const parsed = await parseInbound(raw, record, 'inbound/m1');
  return { parsed, reading: readMail(parsed.subject, parsed.text, { ownDomain: 'omnapi.com' }) };
}

describe('inbound mail in the charsets and encodings Europe writes', () => {
  it.each([
    [
      'ISO-8859-2, quoted-printable (Polish)',
      [
        'Subject: =?ISO-8859-2?Q?Usuni=EAcie_konta?=',
        'Content-Type: text/plain; charset=ISO-8859-2',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      quotedPrintable(iconv.encode('Dzień dobry,\nproszę o usunięcie mojego konta wraz z danymi.\nZ poważaniem\nJan', 'iso-8859-2')),
      'Usunięcie konta',
      ['deletion'],
    ],
    [
      'ISO-8859-7, base64 (Greek), encoded subject',
      [
        `Subject: ${encodedWord('Αίτημα πρόσβασης', 'iso-8859-7')}`,
        'Content-Type: text/plain; charset=ISO-8859-7',
        'Content-Transfer-Encoding: base64',
      ],
      iconv.encode('Καλημέρα,\nζητώ αντίγραφο των δεδομένων μου (άρθρο 15 ΓΚΠΔ).\nΕυχαριστώ', 'iso-8859-7').toString('base64'),
      'Αίτημα πρόσβασης',
      ['access'],
    ],
    [
      'windows-1250, 8bit (Czech)',
      ['Subject: Vymazani', 'Content-Type: text/plain; charset=windows-1250', 'Content-Transfer-Encoding: 8bit'],
      iconv.encode('Dobrý den,\nžádám o výmaz mého účtu a všech osobních údajů.\nDěkuji', 'windows-1250'),
      'Vymazani',
      ['deletion'],
    ],
    [
      'windows-1252 typographic apostrophes (French)',
      ['Subject: Demande', 'Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: quoted-printable'],
      quotedPrintable(
        iconv.encode('Bonjour,\nJe m’oppose à l’utilisation de mes données à des fins de prospection.\nCordialement', 'windows-1252'),
      ),
      'Demande',
      ['objection'],
    ],
    [
      'UTF-8 with a byte order mark (German)',
      ['Subject: Anfrage', 'Content-Type: text/plain; charset=utf-8'],
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Bitte löschen Sie mein Konto.\n\nGrüße')]),
      'Anfrage',
      ['deletion'],
    ],
    [
      'KOI8-R encoded subject, English body',
      [`Subject: ${encodedWord('Запрос', 'koi8-r')}`, 'Content-Type: text/plain; charset=KOI8-R'],
      iconv.encode('Please delete my account.', 'koi8-r'),
      'Запрос',
      ['deletion'],
    ],
  ])('%s: decoded subject and body, read for the right asked', async (_shape, headers, body, subject, rights) => {
    const { parsed, reading } = await read(mime(headers, body));
    expect({ subject: parsed.subject, rights: reading.rights }).toEqual({ subject, rights });
  });
});

describe('what the writer saw', () => {
  it('reads the HTML part of an alternative whose plain part is a "view it in a browser" stub', async () => {
    const { parsed, reading } = await read(
      mime(
        ['Subject: Hello', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="alt"'],
        [
          '--alt',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Your mail client cannot show this message. Open it in a browser.',
          '--alt',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>Dear OmnAPI,</p><p>Please close my account and erase every piece of data you keep about me.</p><p>Regards,<br>Ben</p>',
          '--alt--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(parsed.text).toContain('erase every piece of data');
    expect(reading.rights).toEqual(['deletion']);
  });

  it('reads an HTML table cell by cell, never gluing a label to its value', async () => {
    const { parsed } = await read(
      mime(
        ['Subject: Request', 'Content-Type: text/html; charset=utf-8'],
        '<table><tr><td>Name</td><td>Anna&nbsp;Berg</td></tr><tr><td>Request</td><td>Erase my account</td></tr></table><p>Thanks &amp; regards</p>',
      ),
    );
    expect(parsed.text.split(/\n+/)).toEqual(['Name', 'Anna Berg', 'Request', 'Erase my account', 'Thanks & regards']);
  });

  it('keeps the writer’s capitals in headings (a value is applied as written)', async () => {
    const { parsed } = await read(mime(['Subject: x', 'Content-Type: text/html; charset=utf-8'], '<h2>Correct name: Anna van Berg</h2>'));
    expect(parsed.text).toBe('Correct name: Anna van Berg');
  });

  it('keeps the plain part when the HTML part renders to no words', async () => {
    const { parsed } = await read(
      mime(
        ['Subject: x', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="alt"'],
        '--alt\r\nContent-Type: text/plain\r\n\r\nDelete my account.\r\n--alt\r\nContent-Type: text/html\r\n\r\n<img src="cid:x"><br>\r\n--alt--\r\n',
      ),
    );
    expect(parsed.text).toBe('Delete my account.');
  });
});

describe('robots by their headers', () => {
  it.each([
    ['List-Unsubscribe (every newsletter, RFC 8058)', 'List-Unsubscribe: <https://news.example.org/u?t=1>'],
    ['List-Id (a mailing list)', 'List-Id: Privacy digest <digest.news.example.org>'],
    ['X-Autoreply (an auto-responder)', 'X-Autoreply: yes'],
  ])('%s marks the mail automated: never answered nor read as a request', async (_what, header) => {
    const { parsed } = await read(mime(['Subject: Delete your account anywhere in 5 steps', header], 'How to delete your data.'));
    expect(parsed.automated).toBe(true);
  });

  it('Precedence: auto_reply (a vacation program) marks the mail automated', async () => {
    const { parsed } = await read(mime(['Subject: Away', 'Precedence: auto_reply'], 'I am away until Monday.'));
    expect(parsed.automated).toBe(true);
  });

  it.each([
    ['X-Auto-Response-Suppress: All (Exchange, on its out-of-office replies)', 'X-Auto-Response-Suppress: All'],
    ['X-Auto-Response-Suppress naming OOF among others', 'X-Auto-Response-Suppress: DR, OOF, AutoReply'],
    ['X-Loop (a ticket system’s or procmail’s loop mark)', 'X-Loop: yes'],
  ])('%s: may be a person’s, but is never answered automatically', async (_what, header) => {
    const { parsed } = await read(mime(['Subject: Abwesenheitsnotiz: Ihre Anfrage', header], 'Ich bin nicht im Büro.'));
    expect(parsed).toMatchObject({ automated: false, noAutoAnswer: true });
  });

  it('X-Auto-Response-Suppress that only suppresses receipts leaves the mail answerable', async () => {
    const { parsed } = await read(
      mime(['Subject: Delete my account', 'X-Auto-Response-Suppress: DR, RN, NRN'], 'Please delete my account.'),
    );
    expect(parsed.noAutoAnswer).toBe(false);
  });

  it('a person’s mail carries none of them', async () => {
    const { parsed } = await read(mime(['Subject: Delete my account'], 'Please delete my account.'));
    expect(parsed.automated).toBe(false);
  });
});

describe('attachments', () => {
  it('names the files attached — a letter sent as a PDF — but not inline images nor forwarded messages', async () => {
    const { parsed } = await read(
      mime(
        ['Subject: Letter', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="mix"'],
        [
          '--mix',
          'Content-Type: multipart/related; boundary="rel"',
          '',
          '--rel',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>Please find my letter attached.</p><img src="cid:logo">',
          '--rel',
          'Content-Type: image/png',
          'Content-ID: <logo>',
          'Content-Disposition: inline; filename="logo.png"',
          'Content-Transfer-Encoding: base64',
          '',
          'iVBORw0KGgo=',
          '--rel--',
          '--mix',
          'Content-Type: application/pdf; name="Auskunftsersuchen.pdf"',
          'Content-Disposition: attachment; filename="Auskunftsersuchen.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          'JVBERi0xLjQK',
          '--mix',
          'Content-Type: message/rfc822',
          '',
          'From: writer@example.org\r\nSubject: earlier\r\n\r\nhello',
          '--mix--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(parsed.attachments).toEqual(['Auskunftsersuchen.pdf']);
    expect(parsed.text).toContain('Please find my letter attached.');
  });
});

describe('a letter that is only an attachment', () => {
  it('gives no text — never the raw MIME of the attached part — and names the file', async () => {
    const { parsed, reading } = await read(
      mime(
        ['Subject: Request', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="only"'],
        [
          '--only',
          'Content-Type: application/pdf; name="Subject-Access-Request.pdf"',
          'Content-Disposition: attachment; filename="Subject-Access-Request.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          'JVBERi0xLjQK',
          '--only--',
          '',
        ].join('\r\n'),
      ),
    );
    expect({ text: parsed.text, attachments: parsed.attachments, rights: reading.rights }).toEqual({
      text: '',
      attachments: ['Subject-Access-Request.pdf'],
      rights: [],
    });
  });
});

describe('a letter written in a .txt file', () => {
  const withText = (body: string, file: Buffer, charset: string) =>
    mime(
      ['Subject: Anfrage', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="txt"'],
      Buffer.concat([
        Buffer.from(
          [
            '--txt',
            'Content-Type: text/plain; charset=utf-8',
            '',
            body,
            '--txt',
            `Content-Type: text/plain; charset=${charset}; name="Brief.txt"`,
            'Content-Disposition: attachment; filename="Brief.txt"',
            'Content-Transfer-Encoding: base64',
            '',
            file.toString('base64'),
            '--txt--',
            '',
          ].join('\r\n'),
        ),
      ]),
    );

  it.each([
    ['an empty body', ''],
    ['a cover note', 'Anbei mein Schreiben.'],
  ])('is read as the letter under %s, in the charset its part names — and not listed as a file we did not open', async (_shape, body) => {
    const { parsed, reading } = await read(
      withText(body, iconv.encode('Dzień dobry, proszę usunąć moje konto i wszystkie dane.', 'windows-1250'), 'windows-1250'),
    );
    expect({ rights: reading.rights, language: reading.language, attachments: parsed.attachments }).toEqual({
      rights: ['deletion'],
      language: 'pl',
      attachments: undefined,
    });
    expect(parsed.text).toContain('proszę usunąć moje konto');
  });

  it('is not read under a letter of its own: the body is the letter, the file is named', async () => {
    const body = `Sehr geehrte Damen und Herren, bitte senden Sie mir eine Kopie meiner Daten. ${'Ich bin seit Jahren Kunde bei Ihnen und nutze die API täglich. '.repeat(5)}`;
    const { parsed, reading } = await read(withText(body, Buffer.from('2026-11-30 12:00:01 GET /v1/api/x 200\n'), 'utf-8'));
    expect({ rights: reading.rights, attachments: parsed.attachments }).toEqual({ rights: ['access'], attachments: ['Brief.txt'] });
    expect(parsed.text).not.toContain('GET /v1/api/x');
  });
});

describe('inbound mail in the charsets the rest of the world writes', () => {
  it.each([
    ['KOI8-R (Russian)', 'koi8-r', 'Удалить', 'Прошу удалить мой аккаунт и мои данные.', 'ru', ['deletion']],
    ['windows-1251 (Ukrainian)', 'windows-1251', 'Копія', 'Прошу надати копію моїх персональних даних.', 'uk', ['access']],
    ['Shift_JIS (Japanese)', 'shift_jis', '削除', 'アカウントと個人情報を削除してください。', 'ja', ['deletion']],
    ['GB2312 (Chinese)', 'gb2312', '查阅', '请提供你们保存的我的个人信息副本。', 'zh', ['access']],
    ['Big5 (Chinese, traditional)', 'big5', '刪除', '請刪除我的帳號和個人資料。', 'zh-Hant', ['deletion']],
    ['EUC-KR (Korean)', 'euc-kr', '삭제', '제 계정과 개인정보를 삭제해 주세요.', 'ko', ['deletion']],
    ['ISO-8859-9 (Turkish)', 'iso-8859-9', 'Silme', 'Lütfen hesabımı ve kişisel verilerimi silin.', 'tr', ['deletion']],
    ['windows-1256 (Arabic)', 'windows-1256', 'حذف', 'أرجو حذف حسابي وجميع بياناتي.', 'ar', ['deletion']],
    ['ISO-8859-8 (Hebrew)', 'iso-8859-8', 'מחיקה', 'אבקש למחוק את החשבון שלי.', 'he', ['deletion']],
    ['windows-874 (Thai)', 'windows-874', 'ลบบัญชี', 'กรุณาลบบัญชีและข้อมูลของฉันด้วยค่ะ', 'th', ['deletion']],
  ])('%s, base64, with an encoded subject', async (_name, charset, subject, body, language, rights) => {
    const { parsed, reading } = await read(
      mime(
        [`Subject: ${encodedWord(subject, charset)}`, `Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: base64'],
        iconv.encode(body, charset).toString('base64'),
      ),
    );
    expect({ subject: parsed.subject, text: parsed.text }).toEqual({ subject, text: body });
    expect({ rights: reading.rights, language: reading.language }).toEqual({ rights, language });
  });
});

describe('mail as real clients send it (test/fixtures/mail-corpus-blind)', () => {
  const fixture = (file: string) => fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'mail-corpus-blind', file));

  it('reads UTF-8 sent under an ISO-8859-1 label as UTF-8, in the body and in an encoded subject', async () => {
    const { parsed } = await read(fixture('18-mislabelled-iso-8859-1-is-utf8-objection.eml'));
    expect(parsed.subject).toBe('Widerspruch gemäß Art. 21 DSGVO');
    expect(parsed.text).toContain('ich möchte, dass Sie die Verarbeitung meiner personenbezogenen Daten einschränken');
    expect(parsed.text).not.toMatch(/Ã/);
  });

  it('keeps text really written in Latin-1 or Windows-1252 as it is', async () => {
    const { parsed } = await read(
      mime(
        [
          'Subject: =?iso-8859-1?Q?L=F6schung_=C3=A9t=E9?=',
          'Content-Type: text/plain; charset=windows-1252',
          'Content-Transfer-Encoding: 8bit',
        ],
        iconv.encode('Grüße aus Köln – bitte löschen.\nSÃO PAULO, Ã©tude?\n€ 49', 'windows-1252'),
      ),
    );
    expect(parsed.subject).toBe('Löschung Ã©té');
    expect(parsed.text).toBe('Grüße aus Köln – bitte löschen.\nSÃO PAULO, Ã©tude?\n€ 49');
  });

  it('reads a forward of a forward to its first message', async () => {
    const { parsed, reading } = await read(fixture('21-forward-rfc822-two-deep-deletion.eml'));
    expect(parsed.text).toContain('Sending this again, two weeks and no answer.');
    expect(parsed.text).toContain('Please erase all personal data you hold about me and close my account.');
    expect(reading.rights).toEqual(['deletion']);
  });

  it('reads a letter written in Word and sent with an empty body, and does not list it as a file nobody opened', async () => {
    const { parsed, reading } = await read(fixture('30-docx-letter-only-access.eml'));
    expect(parsed.text).toContain('I am writing to request a copy of all personal data you hold about me');
    expect({ attachments: parsed.attachments, rights: reading.rights }).toEqual({ attachments: undefined, rights: ['access'] });
  });

  it('answers no robot that marks loops, and no Exchange out-of-office reply', async () => {
    const { parsed: ticketSystem } = await read(fixture('38-ticket-system-autoack-x-loop-hello.eml'));
    const { parsed: outOfOffice } = await read(fixture('36-abwesenheitsnotiz-outlook-no-auto-submitted.eml'));
    expect([ticketSystem.noAutoAnswer, outOfOffice.noAutoAnswer]).toEqual([true, true]);
  });
});
