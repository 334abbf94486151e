import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import iconv from 'iconv-lite';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ticketIdFor } from '../../lambdas/mail/domain/inbound';
import {
  callApi,
  eventually,
  type LocalProcess,
  localAws,
  queuesSettled,
  SETUP_TIMEOUT_MS,
  startLocalProcess,
} from '../helpers/local-process';
import { sendRaw } from '../helpers/mail';
import { linkMailedTo, mailMatching, mailTo } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';

/** Privacy mail in shapes the project did not write, through the local SMTP listener (SES receiving) and the privacy queue. */
describe('privacy mail as the world sends it, through npm start', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;

  beforeAll(async () => {
    local = await startLocalProcess();
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  const api = (method: string, route: string, options?: Parameters<typeof callApi>[3]) => callApi(local.api, method, route, options);
  const signUp = async (who: string) => {
    await api('POST', '/v1/auth/signup', { body: { name: who, email: email(who), password: PASSWORD } });
    await fetch(await eventually(() => linkMailedTo(local.dataDir, email(who))));
    return (await api('POST', '/v1/auth/login', { body: { email: email(who), password: PASSWORD } })).body.token as string;
  };
  /** Sends raw MIME to privacy@ and returns the SES message id the listener gave it. */
  const send = async (from: string, headers: string[], body: string) => {
    const raw = `From: ${from}\r\nTo: privacy@omnapi.com\r\nDate: Sun, 06 Dec 2026 02:00:00 +0000\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.org>\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
    const response = await sendRaw(local, raw, { from, to: ['privacy@omnapi.com'] });
    return /queued as ([0-9a-f]+)/.exec(response)![1]!;
  };
  /** Sends a letter as a PDF attached (request.pdf), under a cover note or none. */
  const sendPdf = (from: string, note: string | undefined, pdf: Buffer) =>
    send(
      from,
      ['Subject: Letter', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="mix"'],
      [
        ...(note === undefined ? [] : ['--mix', 'Content-Type: text/plain; charset=utf-8', '', note]),
        '--mix',
        'Content-Type: application/pdf; name="request.pdf"',
        'Content-Disposition: attachment; filename="request.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        pdf.toString('base64').replace(/.{76}/g, '$&\r\n'),
        '--mix--',
        '',
      ].join('\r\n'),
    );
  /** A letter's intake record once its outcome is written (the reply's claim, taken before the reply is sent, comes first). */
  const intakeOf = async (messageId: string) =>
    eventually(async () => {
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: 'privacyRequests', Key: { pk: `INTAKE#${messageId}`, sk: 'INTAKE' } }),
      );
      return Item?.outcome !== undefined ? Item : Promise.reject(new Error(`no intake outcome for ${messageId}`));
    }, 30_000);

  it('an HTML letter from a private address naming the account: the link goes to the registered address, the sender hears only the neutral reply', async () => {
    const token = await signUp('anna');
    const privateAddress = `anna-private-${run}@mail.example`;
    const messageId = await send(
      privateAddress,
      ['Subject: Datenauskunft', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="alt"'],
      [
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Diese Nachricht kann nur im HTML-Format angezeigt werden.',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        `<p>Guten Tag,</p><p>ich schreibe von meiner privaten Adresse. Mein Konto l=C3=A4uft auf ${email('anna')}.</p>`,
        '<p>Bitte senden Sie mir eine Kopie meiner Daten.</p><p>Mit freundlichen Gr=C3=BC=C3=9Fen<br>Anna</p>',
        '--alt--',
        '',
      ].join('\r\n'),
    );
    expect(await intakeOf(messageId)).toMatchObject({ outcome: 'opened', rights: ['access'] });
    // In the letter's language, to the registered address only.
    const confirmation = await mailMatching(local, email('anna'), /privacy\/confirm\?request=/);
    expect(confirmation.subject).toMatch(/Datenschutz|Anfrage|bestätigen/i);
    await queuesSettled(local);
    const toSender = await mailTo(local.dataDir, privateAddress);
    expect(toSender.map((m) => m.text ?? '').join('\n')).not.toMatch(/confirm\?request=/);
    expect(toSender).toHaveLength(1);
    const requests = (await api('GET', '/v1/privacy/requests', { token })).body.requests;
    expect(requests.map((r: { type: string; status: string }) => [r.type, r.status])).toEqual([['access', 'awaiting_confirmation']]);
  }, 180_000);

  it('a newsletter (List-Unsubscribe) from an account address is ticketed, never read as a request nor answered', async () => {
    const token = await signUp('news');
    const messageId = await send(
      email('news'),
      [
        'Subject: Five ways to delete your account anywhere',
        'List-Unsubscribe: <https://news.example.org/u/1>',
        'Content-Type: text/plain',
      ],
      'This week: how to delete your account and why you should object to tracking.',
    );
    await eventually(async () =>
      expect(
        (await dynamo.send(new GetCommand({ TableName: 'tickets', Key: { pk: `TICKET#${ticketIdFor(messageId)}`, sk: 'TICKET' } }))).Item,
      ).toBeDefined(),
    );
    await queuesSettled(local);
    expect(
      (await dynamo.send(new GetCommand({ TableName: 'privacyRequests', Key: { pk: `INTAKE#${messageId}`, sk: 'INTAKE' } }))).Item,
    ).toBeUndefined();
    expect((await api('GET', '/v1/privacy/requests', { token })).body.requests).toEqual([]);
    expect((await mailTo(local.dataDir, email('news'))).filter((m) => /privacy/i.test(m.subject ?? ''))).toEqual([]);
  }, 180_000);

  it('a letter sent as a PDF with a text layer is read through the inbound function’s PDF reader: the erasure opens', async () => {
    await signUp('pdftext');
    const letter = await PDFDocument.create();
    letter.addPage().drawText('Dear Sir or Madam, please delete my account and all my personal data. Regards', {
      x: 40,
      y: 700,
      size: 11,
      font: await letter.embedFont(StandardFonts.Helvetica),
    });
    const messageId = await sendPdf(email('pdftext'), undefined, Buffer.from(await letter.save()));
    expect(await intakeOf(messageId)).toMatchObject({ outcome: 'opened', rights: ['deletion'] });
  }, 180_000);

  it('a letter sent as a PDF with no text layer: the reply says we could not read it and names the file', async () => {
    await signUp('pdf');
    const messageId = await sendPdf(email('pdf'), 'Please see my letter attached.', Buffer.from('%PDF-1.4\n'));
    expect(await intakeOf(messageId)).toMatchObject({ outcome: 'help_sent' });
    const help = await mailMatching(local, email('pdf'), /How to exercise your privacy rights/);
    expect(help.text).toContain('We could not read the attached files (request.pdf)');
  }, 180_000);

  it('a Japanese erasure letter in Shift_JIS: the deletion opens, and the confirmation is written in Japanese', async () => {
    const token = await signUp('kenji');
    const shiftJis = (text: string) => iconv.encode(text, 'shift_jis').toString('base64');
    const messageId = await send(
      email('kenji'),
      [
        `Subject: =?Shift_JIS?B?${shiftJis('アカウント削除のお願い')}?=`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=Shift_JIS',
        'Content-Transfer-Encoding: base64',
      ],
      shiftJis('アカウントと登録している個人情報をすべて削除してください。\r\n田中健二'),
    );
    expect(await intakeOf(messageId)).toMatchObject({ outcome: 'opened', rights: ['deletion'] });
    const confirmation = await mailMatching(local, email('kenji'), /privacy\/confirm\?request=/);
    expect(confirmation.text).toContain('削除請求を受け付けました');
    expect(confirmation.text).not.toMatch(/We answer in English/);
    const requests = (await api('GET', '/v1/privacy/requests', { token })).body.requests;
    expect(requests.map((r: { type: string; status: string }) => [r.type, r.status])).toEqual([['deletion', 'awaiting_confirmation']]);
  }, 180_000);

  it('a Georgian letter we cannot read goes to a person: the reply names Georgian and the date by which a person answers', async () => {
    await signUp('nino');
    const messageId = await send(
      email('nino'),
      ['Subject: =?UTF-8?B?' + Buffer.from('ანგარიშის წაშლა').toString('base64') + '?=', 'Content-Type: text/plain; charset=utf-8'],
      'გამარჯობა, გთხოვთ წაშალოთ ჩემი ანგარიში და ყველა პერსონალური მონაცემი. მადლობა, ნინო',
    );
    expect(await intakeOf(messageId)).toMatchObject({ outcome: 'help_sent', rights: [] });
    const help = await mailMatching(local, email('nino'), /How to exercise your privacy rights/);
    expect(help.text).toContain('You wrote to us in Georgian.');
    expect(help.text).toMatch(
      /A person on our privacy team reads every message we cannot read automatically, in any language, and answers by .+ UTC at the latest\./,
    );
    const unclear = (
      await dynamo.send(new GetCommand({ TableName: 'privacyRequests', Key: { pk: `UNCLEAR#${ticketIdFor(messageId)}`, sk: 'UNCLEAR' } }))
    ).Item;
    expect(unclear).toMatchObject({ status: 'open', language: 'ka' });
  }, 180_000);
});
