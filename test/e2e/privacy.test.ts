import type { ParsedMail } from 'mailparser';
import {
  type CallOptions,
  callApi,
  eventually,
  type LocalProcess,
  SETUP_TIMEOUT_MS,
  SHORT_BATCHING_WINDOW,
  startLocalProcess,
  queuesSettled,
} from '../helpers/local-process';
import { sendMail } from '../helpers/mail';
import { ops } from '../helpers/ops';
import { apiUrlOfLink, linkMailedTo, mailTo, mailMatching } from '../helpers/outbox';
import { unzip } from '../helpers/zip';

const PASSWORD = 'correct horse battery staple';

describe('privacy requests against npm start', () => {
  let local: LocalProcess;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;

  beforeAll(async () => {
    local = await startLocalProcess({ env: { ...SHORT_BATCHING_WINDOW, LOCAL_SCHEDULE_MS: '1000' } });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await local?.stop();
  });

  const api = (method: string, route: string, options?: CallOptions) => callApi(local.api, method, route, options);
  const signUp = async (who: string, name: string) => {
    await api('POST', '/v1/auth/signup', { body: { name, email: email(who), password: PASSWORD } });
    await fetch(await eventually(() => linkMailedTo(local.dataDir, email(who))));
    const token = (await api('POST', '/v1/auth/login', { body: { email: email(who), password: PASSWORD } })).body.token as string;
    const key = (await api('POST', '/v1/keys', { token, body: { name: `${who}-key` } })).body.secret as string;
    return { token, key };
  };
  const linkIn = (mail: ParsedMail, path: string) => mail.text!.match(new RegExp(`https?://\\S+${path.replace('/', '\\/')}\\S*`))![0];

  it('mail "send me a copy of my data" → link to the registered address → GET then POST → archive link → a complete ZIP', async () => {
    const ann = await signUp('ann', 'Ann Example');
    await signUp('twin', 'Ann Example');
    expect((await ops(local, 'grant-credits', '--email', email('ann'), '--amount', '10', '--reason', 'e2e')).code).toBe(0);
    expect((await ops(local, 'grant-credits', '--email', email('twin'), '--amount', '10', '--reason', 'e2e')).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await api('GET', `/v1/api/echo/ann-call-${i}`, { key: ann.key })).status).toBe(200);
    expect((await api('GET', '/v1/api/echo/twin-call', { key: (await signUp('twin2', 'Ann Example')).key })).status).toBe(402);
    // The worker gathers usage for up to its batching window (shortened here): the export is asked for once the calls are logged.
    await eventually(async () => expect((await api('GET', '/v1/usage/logs', { token: ann.token })).body.logs).toHaveLength(3), 60_000);

    await sendMail(local, {
      from: email('ann'),
      to: 'privacy@omnapi.com',
      subject: 'My data',
      text: 'Hello, please send me a copy of my data. Thanks, Ann',
    });
    const neutral = await mailMatching(local, email('ann'), /We received your privacy request/);
    expect(neutral.text).not.toMatch(/prq_|confirm\?/);
    const confirmation = await mailMatching(local, email('ann'), /Confirm your privacy request/);
    const link = apiUrlOfLink(linkIn(confirmation, '/privacy/confirm'));
    const requestId = new URL(link).searchParams.get('request')!;

    // A GET shows what will happen and confirms nothing (mail scanners prefetch links).
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<form method="post" action="/v1/privacy/confirm">');
    expect((await api('GET', `/v1/privacy/requests/${requestId}`, { token: ann.token })).body.status).toBe('awaiting_confirmation');

    const form = new URL(link).searchParams;
    const confirmed = await fetch(`${local.api}/v1/privacy/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Request confirmed');

    const ready = await mailMatching(local, email('ann'), /Your OmnAPI data is ready/);
    const download = await fetch(apiUrlOfLink(linkIn(ready, '/privacy/requests/')));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="omnapi-data-\d{4}-\d{2}-\d{2}\.zip"$/);
    const files = await unzip(Buffer.from(await download.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'data.json', 'docs/export-format.md', 'ledger.csv', 'usage-logs.csv']);
    const data = JSON.parse(files['data.json']!.toString('utf8'));
    expect(data.account).toEqual({ accountId: expect.stringMatching(/^acc_/), email: email('ann') });
    expect(data.categories.accounts.items[0]).toMatchObject({ name: 'Ann Example', email: email('ann') });
    expect(data.categories.accounts.items[0].passwordHash).toBeUndefined();
    expect(data.categories.apiKeys.items.map((k: { name: string }) => k.name)).toEqual(['ann-key']);
    expect(JSON.stringify(data)).not.toMatch(/secretHash|tokenHash|omn_live_[A-Za-z0-9_-]{43}/);
    expect(data.categories.usageLogs.count).toBe(3);
    expect(data.categories.ledger.items.filter((e: { kind: string }) => e.kind === 'entry').map((e: { type: string }) => e.type)).toEqual([
      'grant',
    ]);
    expect(data.categories.privacyRequests.items.map((r: { requestId: string }) => r.requestId)).toContain(requestId);
    // Nothing of the other account with the same name.
    expect(JSON.stringify(data)).not.toContain(email('twin'));
    expect(files['usage-logs.csv']!.toString('utf8').trim().split('\r\n')).toHaveLength(4);

    const done = (await api('GET', `/v1/privacy/requests/${requestId}`, { token: ann.token })).body;
    expect(done.status).toBe('completed');
    expect(done.history.map((h: { status: string }) => h.status)).toEqual([
      'received',
      'awaiting_confirmation',
      'confirmed',
      'in_progress',
      'completed',
    ]);
    expect(done.download).toMatch(/^http/);

    // The link is single-use; another account cannot see the request.
    const reused = await fetch(`${local.api}/v1/privacy/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(reused.status).toBe(410);
    const twin = await api('POST', '/v1/auth/login', { body: { email: email('twin'), password: PASSWORD } });
    expect((await api('GET', `/v1/privacy/requests/${requestId}`, { token: twin.body.token })).status).toBe(404);
  }, 300_000);

  it('a spoofed mail (From the account, Reply-To an attacker) sends nothing to the attacker and starts nothing without the click', async () => {
    const bob = await signUp('bob', 'Bob');
    const attacker = `attacker-${run}@evil.example`;
    await sendMail(local, {
      from: email('bob'),
      replyTo: attacker,
      to: 'privacy@omnapi.com',
      subject: 'GDPR',
      text: 'Export my data and send it to me.',
    });
    const confirmation = await mailMatching(local, email('bob'), /Confirm your privacy request/);
    expect(confirmation.text).toMatch(/\/privacy\/confirm\?request=/);
    expect(confirmation.text).not.toContain('/v1/');
    // Whatever the letter's handling would send or start is done once the mail queue's consumer finished it.
    await queuesSettled(local);
    expect(await mailTo(local.dataDir, attacker)).toEqual([]);
    const requests = (await api('GET', '/v1/privacy/requests', { token: bob.token })).body.requests;
    expect(requests.map((r: { status: string }) => r.status)).toEqual(['awaiting_confirmation']);
  }, 300_000);

  it('a letter asking for two rights: one mail with one link, whose page names both; one click confirms both, a second nothing; each runs its own workflow', async () => {
    const gus = await signUp('gus', 'Gus Example');
    const letter =
      'Hello,\n\nI request access to my personal data under Article 15 GDPR.\nPlease also correct my name to Gustav Example.\n\nRegards,\nGus';
    await sendMail(local, { from: email('gus'), to: 'privacy@omnapi.com', subject: 'Access and rectification', text: letter });
    const confirmation = await mailMatching(local, email('gus'), /Confirm your privacy request/);
    expect(confirmation.text).toMatch(/a letter asking for access and correction/);
    const firstLink = apiUrlOfLink(linkIn(confirmation, '/privacy/confirm'));
    const requests = (await api('GET', '/v1/privacy/requests', { token: gus.token })).body.requests as {
      requestId: string;
      type: string;
      status: string;
      letter?: { requestIds: string[] };
    }[];
    expect(requests.map((r) => r.type).sort()).toEqual(['access', 'correction']);
    const ids = requests.find((r) => r.type === 'access')!.letter!.requestIds;
    expect(requests.map((r) => r.letter)).toEqual([{ requestIds: ids }, { requestIds: ids }]);
    await eventually(async () => {
      const statuses = (await api('GET', '/v1/privacy/requests', { token: gus.token })).body.requests.map(
        (r: { status: string }) => r.status,
      );
      expect(statuses).toEqual(['awaiting_confirmation', 'awaiting_confirmation']);
    }, 30_000);
    // The same letter sent again joins the open requests: nothing new opens, and as its acknowledgement says, the link
    // is mailed again — a fresh one, as a reminder's is, so only the newest link works.
    await sendMail(local, { from: email('gus'), to: 'privacy@omnapi.com', subject: 'Access and rectification', text: letter });
    await eventually(
      async () =>
        expect(
          (await mailTo(local.dataDir, email('gus'))).filter((m) => /We received your privacy request/.test(m.subject ?? '')),
        ).toHaveLength(2),
      30_000,
    );
    expect((await api('GET', '/v1/privacy/requests', { token: gus.token })).body.requests).toHaveLength(2);
    const links = await eventually(async () => {
      const mailed = (await mailTo(local.dataDir, email('gus'))).filter((m) => (m.text ?? '').includes('/privacy/confirm'));
      expect(mailed).toHaveLength(2);
      return mailed.map((m) => apiUrlOfLink(linkIn(m, '/privacy/confirm')));
    }, 30_000);
    expect(links[0]).toBe(firstLink);
    const link = links[1]!;
    expect(await (await fetch(firstLink)).text()).toContain('Use the newest link we mailed you');

    const page = await (await fetch(link)).text();
    expect(page).toContain('Confirm your privacy requests');
    expect(page).toContain('name = &quot;Gustav Example&quot;');
    expect(page).toMatch(/access: We will gather/);
    const form = new URL(link).searchParams.toString();
    const post = () =>
      fetch(`${local.api}/v1/privacy/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status, second.status].sort()).toEqual([200, 410]);
    expect(await (first.status === 200 ? first : second).text()).toMatch(
      /Your requests prq_\w+ and prq_\w+ \(access and correction\) are confirmed/,
    );

    await mailMatching(local, email('gus'), /Your OmnAPI data is ready/);
    await mailMatching(local, email('gus'), /correction .* is applied/);
    expect((await api('GET', '/v1/account', { token: gus.token })).body.name).toBe('Gustav Example');
    for (const id of ids) {
      const done = (await api('GET', `/v1/privacy/requests/${id}`, { token: gus.token })).body;
      expect(done.status).toBe('completed');
      expect(done.history.filter((h: { status: string }) => h.status === 'confirmed')).toHaveLength(1);
    }
    expect((await mailTo(local.dataDir, email('gus'))).filter((m) => /Confirm your privacy request/.test(m.subject ?? ''))).toHaveLength(1);
  }, 300_000);

  it('answers unknown senders with the same neutral reply, opens each right a letter asks for, and lists the rights when it names none', async () => {
    const stranger = `nobody-${run}@example.net`;
    await sendMail(local, { from: stranger, to: 'privacy@omnapi.com', subject: 'Request', text: 'Please delete my account.' });
    const neutral = await mailMatching(local, stranger, /We received your privacy request/);
    const known = await mailMatching(local, email('bob'), /We received your privacy request/);
    expect(neutral.text).toBe(known.text!.replace(/tkt_[0-9a-f]{24}/, neutral.text!.match(/tkt_[0-9a-f]{24}/)![0]));
    // Two rights in one letter are two requests (confirmed by one link to the registered address): the stranger gets the neutral reply again.
    await sendMail(local, {
      from: stranger,
      to: 'privacy@omnapi.com',
      subject: 'Two things',
      text: 'Delete my account and send me a copy of my data.',
    });
    await eventually(
      async () =>
        expect(
          (await mailTo(local.dataDir, stranger)).filter((m) => /We received your privacy request/.test(m.subject ?? '')),
        ).toHaveLength(2),
      30_000,
    );
    await sendMail(local, { from: stranger, to: 'privacy@omnapi.com', subject: 'Hello', text: 'What is this about? Regards' });
    expect((await mailMatching(local, stranger, /How to exercise your privacy rights/)).text).toMatch(/access/i);
  }, 300_000);

  it('opens a request through the API for the signed-in holder, and joins a second one of the same type', async () => {
    const cat = await signUp('cat', 'Cat');
    const first = await api('POST', '/v1/privacy/requests', {
      token: cat.token,
      body: { type: 'objection', details: 'No analytics please' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ type: 'objection', channel: 'api', joined: false });
    await eventually(
      async () =>
        expect((await api('GET', `/v1/privacy/requests/${first.body.requestId}`, { token: cat.token })).body.status).toBe('completed'),
      30_000,
    );
    // "No analytics please": analytics stop, product mail stays as it was.
    expect((await api('GET', '/v1/account/preferences', { token: cat.token })).body).toMatchObject({
      analytics: false,
      productUpdates: false,
    });
    expect((await mailTo(local.dataDir, email('cat'))).some((m) => /objection .* is applied/.test(m.subject ?? ''))).toBe(true);
    expect((await api('POST', '/v1/privacy/requests', { token: cat.token, body: { type: 'nonsense' } })).status).toBe(400);
    // A deletion waits for the mailed link, so it is surely still open when the second one comes: it is joined.
    // (An objection may already be done by then, which is why the join is not tried on one.)
    const deletion = await api('POST', '/v1/privacy/requests', { token: cat.token, body: { type: 'deletion' } });
    expect(deletion.body).toMatchObject({ type: 'deletion', joined: false });
    const again = await api('POST', '/v1/privacy/requests', { token: cat.token, body: { type: 'deletion' } });
    expect(again.body).toMatchObject({ requestId: deletion.body.requestId, joined: true });
    // The account's password confirms it at once (a wrong one changes nothing); then the cooling-off begins.
    const wrong = await api('POST', '/v1/privacy/requests', { token: cat.token, body: { type: 'deletion', password: 'not the password' } });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'password_incorrect' } } });
    expect((await api('POST', '/v1/privacy/requests', { token: cat.token, body: { type: 'access', password: PASSWORD } })).status).toBe(
      400,
    );
    const withPassword = await api('POST', '/v1/privacy/requests', { token: cat.token, body: { type: 'deletion', password: PASSWORD } });
    expect(withPassword.body).toMatchObject({ requestId: deletion.body.requestId, joined: true });
    expect((await mailMatching(local, email('cat'), /will be deleted on/)).text).toMatch(/cancel/);
  }, 300_000);

  it('applies an unambiguous correction and mails what changed; hands anything else to a person', async () => {
    const dee = await signUp('dee', 'Dee');
    const fixed = await api('POST', '/v1/privacy/requests', {
      token: dee.token,
      body: { type: 'correction', details: 'Please correct my name to Dee Example.\ncountry: fr' },
    });
    expect(fixed.status).toBe(201);
    await eventually(
      async () =>
        expect((await api('GET', `/v1/privacy/requests/${fixed.body.requestId}`, { token: dee.token })).body.status).toBe('completed'),
      30_000,
    );
    expect((await api('GET', '/v1/account', { token: dee.token })).body).toMatchObject({ name: 'Dee Example', profile: { country: 'FR' } });
    expect((await mailMatching(local, email('dee'), /correction .* is applied/)).text).toContain('"Dee" → "Dee Example"');

    const vague = await api('POST', '/v1/privacy/requests', {
      token: dee.token,
      body: { type: 'correction', details: 'My billing address is wrong' },
    });
    await eventually(
      async () =>
        expect((await api('GET', `/v1/privacy/requests/${vague.body.requestId}`, { token: dee.token })).body.status).toBe(
          'needs_manual_action',
        ),
      30_000,
    );
    // While that one waits for a person, a correction in other words is its own request and is applied, not folded into it.
    const company = await api('POST', '/v1/privacy/requests', {
      token: dee.token,
      body: { type: 'correction', details: 'company: Dee Ltd' },
    });
    expect(company.body).toMatchObject({ joined: false, details: 'company: Dee Ltd' });
    await eventually(
      async () => expect((await api('GET', '/v1/account', { token: dee.token })).body.profile).toMatchObject({ company: 'Dee Ltd' }),
      30_000,
    );

    // A new address gets the email-change link, as PATCH /v1/account sends it; nothing changes until it is opened.
    const cat = await signUp('cat2', 'Cat');
    const moved = email('cat2-new');
    const change = await api('POST', '/v1/privacy/requests', {
      token: cat.token,
      body: { type: 'correction', details: `Change my email to ${moved}` },
    });
    await eventually(
      async () =>
        expect((await api('GET', `/v1/privacy/requests/${change.body.requestId}`, { token: cat.token })).body.status).toBe('completed'),
      30_000,
    );
    expect((await api('GET', '/v1/account', { token: cat.token })).body.email).toBe(email('cat2'));
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, moved)))).status).toBe(200);
    expect((await api('GET', '/v1/account', { token: cat.token })).body.email).toBe(moved);
  }, 300_000);

  it("never lets a session confirm a mailed correction's words: only its link does, whose page shows them", async () => {
    // A forged mail in Fay's name asks for a correction; Fay's own correction through the API in its words joins it.
    const fay = await signUp('fay', 'Fay');
    await sendMail(local, {
      from: email('fay'),
      to: 'privacy@omnapi.com',
      subject: 'Correction',
      text: 'Please change my website to https://evil.example/phish',
    });
    const link = await eventually(async () => {
      const found = (await mailTo(local.dataDir, email('fay')))
        .map((m) => (m.text ?? '').match(/http\S+privacy\/confirm\S+/)?.[0])
        .filter(Boolean)
        .pop();
      if (!found) throw new Error('no link yet');
      return apiUrlOfLink(found);
    }, 30_000);
    // In other words it is a request of its own (joined, its words would reach nothing), confirmed by her session.
    const own = await api('POST', '/v1/privacy/requests', { token: fay.token, body: { type: 'correction', details: 'company: Acme' } });
    expect(own.body).toMatchObject({ joined: false, channel: 'api' });
    const joined = await api('POST', '/v1/privacy/requests', {
      token: fay.token,
      body: { type: 'correction', details: 'please change my website to  https://evil.example/phish' },
    });
    expect(joined.body).toMatchObject({ joined: true, status: 'awaiting_confirmation', channel: 'mail' });
    expect(await (await fetch(link)).text()).toContain('website = &quot;https://evil.example/phish&quot;');
    expect((await api('GET', '/v1/account', { token: fay.token })).body.profile?.website).toBeUndefined();
  }, 300_000);

  it('answers a German access letter in German: the acknowledgement, the confirmation mail and its page, the export mail', async () => {
    await signUp('hans', 'Hans Beispiel');
    const letter = [
      'Sehr geehrte Damen und Herren,',
      '',
      'gemäß Art. 15 DSGVO verlange ich Auskunft über die zu meiner Person bei Ihnen gespeicherten Daten.',
      'Bitte stellen Sie mir eine Kopie dieser Daten zur Verfügung.',
      '',
      'Mit freundlichen Grüßen',
      'Hans Beispiel',
    ].join('\n');
    await sendMail(local, { from: email('hans'), to: 'privacy@omnapi.com', subject: 'Auskunftsersuchen nach Art. 15 DSGVO', text: letter });
    await mailMatching(local, email('hans'), /Wir haben Ihre Datenschutzanfrage erhalten/);
    const confirmation = await mailMatching(local, email('hans'), /Bitte bestätigen Sie Ihre Datenschutzanfrage/);
    const link = apiUrlOfLink(linkIn(confirmation, '/privacy/confirm'));
    const page = await fetch(link);
    const html = await page.text();
    expect(html).toMatch(/<html lang="de"/);
    expect(html).toContain('Meine Anfrage bestätigen');
    const form = new URL(link).searchParams;
    const confirmed = await fetch(`${local.api}/v1/privacy/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(await confirmed.text()).toContain('Anfrage bestätigt');
    const ready = await mailMatching(local, email('hans'), /Ihre OmnAPI-Daten sind bereit/);
    // The archive speaks German too: its README and the art. 15(1) section of data.json.
    const files = await unzip(Buffer.from(await (await fetch(apiUrlOfLink(linkIn(ready, '/privacy/requests/')))).arrayBuffer()));
    const readme = files['README.txt']!.toString('utf8');
    expect(readme.split('\r\n')[0]).toBe('Ihre Daten bei OmnAPI');
    expect(readme).toContain('Wie lange wir sie aufbewahren: 90 Tage (TTL).');
    const { processing } = JSON.parse(files['data.json']!.toString('utf8'));
    expect(processing).toMatchObject({ language: 'de', recipients: { stripe: { location: 'Vereinigte Staaten und Irland' } } });
  }, 300_000);
});
