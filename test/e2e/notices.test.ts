import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ParsedMail } from 'mailparser';
import { unsubscribeLinks } from '../../lambdas/notices/domain/links';
import { apiCallOfLink } from '../../lambdas/shared/console-links';
import { parsePseudonymKeys } from '../../lambdas/shared/pseudonyms';
import { suppressionKeyOf } from '../../lambdas/shared/suppressions';
import { eventually, type LocalProcess, localAws, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { sendMail } from '../helpers/mail';
import { ops } from '../helpers/ops';
import { mailTo } from '../helpers/outbox';

/** Technical notices, one-click unsubscribe, the suppression list and tickets, against npm start. */
describe('notices and tickets against npm start', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;
  const env = { OMNAPI_CONTEXT: JSON.stringify({ notices: { sendsPerSecond: 100 } }) };

  const accountId = () => `acc_${randomBytes(12).toString('hex')}`;
  /** Writes accounts straight into the accounts table (what sign-up and verification leave behind). */
  const seed = async (accounts: { email: string; verified?: boolean; plan?: string; preferences?: Record<string, unknown> }[]) => {
    const items = accounts.map((a) => {
      const id = accountId();
      return {
        pk: `ACCOUNT#${id}`,
        sk: 'PROFILE',
        accountId: id,
        email: a.email,
        name: a.email.split('@')[0],
        profile: {},
        emailVerified: a.verified ?? true,
        plan: a.plan ?? 'free',
        preferences: { productUpdates: false, analytics: true, ...a.preferences },
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      };
    });
    for (let i = 0; i < items.length; i += 25) {
      await dynamo.send(
        new BatchWriteCommand({ RequestItems: { accounts: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
      );
    }
    return items.map((i) => i.accountId);
  };
  const bodyFile = (text: string) => {
    const file = path.join(local.dataDir, `notice-${randomBytes(4).toString('hex')}.txt`);
    fs.writeFileSync(file, text);
    return file;
  };
  const noticeIdIn = (stdout: string) => /Notice (ntc_[0-9a-f]{24})/.exec(stdout)?.[1] ?? '';
  const sendNotice = async (...args: string[]) => {
    const sent = await ops(local, 'notice', 'send', ...args);
    expect(sent).toMatchObject({ code: 0 });
    const noticeId = noticeIdIn(sent.stdout);
    const status = await ops(local, 'notice', 'status', noticeId, '--wait');
    expect(status.code).toBe(0);
    return { noticeId, sent, status };
  };
  /** A header as sent (mailparser folds the List-* headers into one structure; the raw line is what clients read). */
  const header = (mail: ParsedMail, name: string) => {
    const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
    return line
      ?.slice(line.indexOf(':') + 1)
      .replace(/\r?\n\s+/g, ' ')
      .trim();
  };

  const preference = async (id: string) =>
    (await dynamo.send(new GetCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${id}`, sk: 'PROFILE' } }))).Item?.preferences
      ?.productUpdates;
  const auditOf = async (id: string) =>
    (
      await dynamo.send(
        new QueryCommand({
          TableName: 'auditEvents',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `STREAM#account#${id}` },
        }),
      )
    ).Items ?? [];

  beforeAll(async () => {
    local = await startLocalProcess({ env });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  it('an optional notice reaches only those who allow it, with one-click unsubscribe headers; a dry run says why the others are left out', async () => {
    const [, optedOut] = await seed([
      { email: email('wants-product'), preferences: { productUpdates: true } },
      { email: email('no-product') },
      { email: email('unverified'), verified: false, preferences: { productUpdates: true } },
    ]);
    expect(optedOut).toBeDefined();
    const file = bodyFile('Our new region is open.');
    const dry = await ops(
      local,
      'notice',
      'send',
      '--topic',
      'product',
      '--subject',
      `New region ${run}`,
      '--body-file',
      file,
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1 account(s) would receive it');
    expect(dry.stdout).toContain('1 not: their productUpdates preference is off');
    expect(dry.stdout).toContain('1 not: the address was never verified');
    expect(await mailTo(local.dataDir, email('wants-product'))).toHaveLength(0);

    const { status } = await sendNotice('--topic', 'product', '--subject', `New region ${run}`, '--body-file', file);
    expect(status.stdout).toContain('1 recipient(s): 1 sent');
    const [mail] = await mailTo(local.dataDir, email('wants-product'));
    expect(mail?.subject).toBe(`New region ${run}`);
    expect(mail?.from?.value[0]?.address).toBe('notices@omnapi.com');
    expect(header(mail!, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(mail!, 'list-id')).toContain('product.notices.omnapi.com');
    expect(header(mail!, 'list-unsubscribe')).toMatch(
      /\/v1\/notices\/unsubscribe\?account=acc_[0-9a-f]{24}&topic=product&exp=\d{10}&sig=v1\.[0-9a-f]{64}/,
    );
    // The text a person reads links to the console's page, never to an API route.
    expect(mail?.text).toMatch(/open http:\/\/[^/\s]+\/notices\/unsubscribe\?account=acc_[0-9a-f]{24}&topic=product&exp=\d{10}&sig=v1\./);
    expect(mail?.text).not.toContain('/v1/');
    expect(await mailTo(local.dataDir, email('no-product'))).toHaveLength(0);
    expect(await mailTo(local.dataDir, email('unverified'))).toHaveLength(0);

    // The same notice again is the same job: nobody is mailed twice.
    const again = await ops(local, 'notice', 'send', '--topic', 'product', '--subject', `New region ${run}`, '--body-file', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('notice resume');
    expect(await mailTo(local.dataDir, email('wants-product'))).toHaveLength(1);
  }, 300_000);

  it('the one-click POST unsubscribes with no session or cookie; the GET shows a button and changes nothing', async () => {
    const [id] = await seed([{ email: email('clicker'), preferences: { productUpdates: true } }]);
    await sendNotice('--topic', 'product', '--subject', `Click ${run}`, '--body-file', bodyFile('News.'));
    const [mail] = await mailTo(local.dataDir, email('clicker'));
    const url = header(mail!, 'list-unsubscribe')!
      .replace(/^<|>$/g, '')
      .replace(/^https?:\/\/[^/]+/, local.api);
    const oneClick = (target: string, accept?: string) =>
      fetch(target, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
      });

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post"[^>]*>.*<button/s);
    expect(await preference(id!)).toBe(true);
    // The console's page (the link in the text) reads the same as JSON: what stops, what continues, until when.
    const pageLink = /open (\S+\/notices\/unsubscribe\?\S+) /.exec(mail!.text ?? '')![1]!;
    const view = await fetch(`${local.api}${apiCallOfLink(pageLink)}`, { headers: { accept: 'application/json' } });
    expect(await view.json()).toMatchObject({
      topic: 'product',
      name: 'Product updates',
      subscribed: true,
      continues: [{ topic: 'security' }, { topic: 'billing' }, { topic: 'service' }],
    });

    const forged = await oneClick(url.replace(/sig=v1\.[0-9a-f]{4}/, 'sig=v1.0000'));
    expect(forged.status).toBe(404);
    expect(await forged.text()).toMatch(/This link does not work.*Nothing was changed/s);
    const forgedJson = await oneClick(url.replace(/sig=v1\.[0-9a-f]{4}/, 'sig=v1.0000'), 'application/json');
    expect(await forgedJson.json()).toMatchObject({ error: { code: 'link_invalid' } });
    expect(await preference(id!)).toBe(true);

    const posted = await oneClick(url);
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('<h1>Unsubscribed</h1>');
    expect(await preference(id!)).toBe(false);
    // A second click (a mail client retrying, a replayed link) changes nothing, so it records nothing.
    const again = await oneClick(url, 'application/json');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ subscribed: false, changed: false });
    expect((await auditOf(id!)).map((e) => [e.action, e.actor])).toEqual([
      ['notice.unsubscribe', { type: 'account', id, via: 'link:unsubscribe' }],
    ]);

    // Honoured at once: the next product notice passes the account by.
    await sendNotice('--topic', 'product', '--subject', `After ${run}`, '--body-file', bodyFile('More news.'));
    expect((await mailTo(local.dataDir, email('clicker'))).map((m) => m.subject)).toEqual([`Click ${run}`]);
  }, 300_000);

  it('an expired link, or one whose expiry was pushed out, changes nothing and says what to do instead', async () => {
    const [id] = await seed([{ email: email('late'), preferences: { productUpdates: true } }]);
    const keys = parsePseudonymKeys(fs.readFileSync(path.join(local.dataDir, 'notice-link-keys.json'), 'utf8'));
    // A notice sent 91 days ago: its links ran out a day ago.
    const links = unsubscribeLinks(local.api, keys, id!, 'product', new Date(Date.now() - 91 * 86_400_000));
    const expired = await fetch(links.oneClick, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(expired.status).toBe(410);
    const text = await expired.text();
    expect(text).toContain('<h1>This link has expired</h1>');
    expect(text).toMatch(/links work for 90 days.*Settings → Mail preferences/s);
    expect(text).not.toMatch(/at \S+\.(ts|js):\d+/);
    const asJson = await fetch(`${local.api}${apiCallOfLink(links.page)}`, { headers: { accept: 'application/json' } });
    expect(asJson.status).toBe(410);
    expect(await asJson.json()).toMatchObject({ error: { code: 'link_expired' } });
    // The same link with a later expiry written in: the signature covers it.
    const pushed = links.oneClick.replace(/exp=\d+/, `exp=${Math.floor(Date.now() / 1000) + 86_400}`);
    expect((await fetch(pushed, { headers: { accept: 'application/json' } })).status).toBe(404);
    expect(await preference(id!)).toBe(true);
    expect(await auditOf(id!)).toEqual([]);
  }, 120_000);

  it('a mandatory notice reaches an account that opted out of everything, and says why it cannot be turned off', async () => {
    await seed([{ email: email('opted-out'), preferences: { productUpdates: false, deprecationNotices: false, analytics: false } }]);
    await sendNotice('--topic', 'security', '--subject', `Incident ${run}`, '--body-file', bodyFile('We rotated a certificate.'));
    const [mail] = await mailTo(local.dataDir, email('opted-out'));
    expect(mail?.from?.value[0]?.address).toBe('no-reply@omnapi.com');
    expect(header(mail!, 'list-unsubscribe')).toBeUndefined();
    expect(mail?.text).toMatch(/cannot be turned off/);
  }, 300_000);

  it('a bounced address is put on the suppression list and never mailed again, by notices or any other mail', async () => {
    const bouncing = `bounce+${run}@simulator.amazonses.com`;
    await seed([{ email: bouncing }]);
    await sendNotice('--topic', 'billing', '--subject', `Prices ${run}`, '--body-file', bodyFile('Prices change next month.'));
    expect(await mailTo(local.dataDir, bouncing)).toHaveLength(1);
    await eventually(async () => {
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: 'suppressions', Key: { pk: `ADDRESS#${suppressionKeyOf(bouncing)}`, sk: 'SUPPRESSION' } }),
      );
      expect(Item).toMatchObject({ reason: 'bounce', detail: 'Permanent/General' });
    }, 20_000);

    const dry = await ops(
      local,
      'notice',
      'send',
      '--topic',
      'billing',
      '--subject',
      `Prices again ${run}`,
      '--body-file',
      bodyFile('Reminder.'),
      '--dry-run',
    );
    expect(dry.stdout).toContain('not: the address bounced or complained (suppression list)');
    await sendNotice('--topic', 'billing', '--subject', `Prices again ${run}`, '--body-file', bodyFile('Reminder.'));
    // Mail to support@ from the address is acknowledged by the shared mailer: not to a suppressed address.
    const suppressedSends = () => local.output().split('Mail not sent: the address is on the suppression list').length - 1;
    const before = suppressedSends();
    await sendMail(local, { from: bouncing, to: 'support@omnapi.com', subject: 'Help', text: 'Hello' });
    await eventually(() => expect(suppressedSends()).toBe(before + 1));
    expect(await mailTo(local.dataDir, bouncing)).toHaveLength(1);
  }, 300_000);

  /** Mails support@ from `sender` and waits for its ticket: the `tickets list` that found it, and its id. */
  async function ticketFrom(sender: string, mail: { subject: string; text: string; messageId?: string }) {
    await sendMail(local, { from: sender, to: 'support@omnapi.com', ...mail });
    const listed = await eventually(async () => {
      const out = await ops(local, 'tickets', 'list', '--from', sender);
      expect(out.stdout).toContain('1 ticket(s)');
      return out;
    }, 20_000);
    return { listed, ticketId: /(tkt_[0-9a-f]{24})/.exec(listed.stdout)![1]! };
  }

  it('tickets: a mail that carries terminal control sequences is shown to the operator with them made visible', async () => {
    const sender = email('escapes');
    // Encoded words let anyone put ESC and CSI into a subject: clear the screen, retitle the window; a line of the
    // text moves the cursor up and overwrites what the operator sees; U+202E reverses a file name.
    const { listed, ticketId } = await ticketFrom(sender, {
      subject: 'Invoice \u001b[2J\u001b]0;owned\u0007 \u009b31mred',
      text: 'Hello\n\u001b[1A\u001b[2KFrom: ceo@omnapi.com\nthe \u202Efdp.exe file',
    });
    const shown = (await ops(local, 'tickets', 'show', ticketId)).stdout;
    for (const out of [listed.stdout, shown]) expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(shown).toContain('Subject: Invoice \\u{1b}[2J\\u{1b}]0;owned\\u{7} \\u{9b}31mred');
    expect(shown).toContain('\\u{1b}[1A\\u{1b}[2KFrom: ceo@omnapi.com\nthe \\u{202e}fdp.exe file');
  }, 300_000);

  it('tickets: list, show, reply in the thread from the mailbox it came to, close; each change is audited', async () => {
    const sender = email('asker');
    const { ticketId } = await ticketFrom(sender, {
      subject: 'Invoice question',
      text: 'Where is my invoice?',
      messageId: `<q-${run}@example.org>`,
    });
    expect((await ops(local, 'tickets', 'show', ticketId)).stdout).toContain('Where is my invoice?');

    const replied = await ops(local, 'tickets', 'reply', ticketId, '--text', 'It is in the console under Billing.', '--close');
    expect(replied).toMatchObject({ code: 0 });
    const answer = (await mailTo(local.dataDir, sender)).find((m) => m.subject?.startsWith('Re:'));
    expect(answer?.subject).toBe(`Re: Invoice question [${ticketId}]`);
    expect(answer?.from?.value[0]?.address).toBe('support@omnapi.com');
    expect(answer?.inReplyTo).toBe(`<q-${run}@example.org>`);
    expect([answer?.references].flat()).toEqual([`<q-${run}@example.org>`]);
    expect(answer?.text).toContain('It is in the console under Billing.');
    expect((await ops(local, 'tickets', 'list', '--from', sender)).stdout).toContain('0 ticket(s)');
    expect((await ops(local, 'tickets', 'list', '--from', sender, '--status', 'closed')).stdout).toContain('1 reply');
    expect((await ops(local, 'tickets', 'close', ticketId)).stdout).toContain('already closed');

    const audit = await ops(local, 'audit', 'list', '--action', 'ticket.reply');
    expect(audit.stdout).toContain(`ticket:${ticketId}`);
    expect((await ops(local, 'audit', 'list', '--action', 'ticket.close')).stdout).toContain(`ticket:${ticketId}`);
  }, 300_000);
});
