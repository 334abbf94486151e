import {
  type CallOptions,
  callApi,
  eventually,
  type LocalProcess,
  SETUP_TIMEOUT_MS,
  SHORT_BATCHING_WINDOW,
  startLocalProcess,
} from '../helpers/local-process';
import { sendMail } from '../helpers/mail';
import { apiUrlOfLink, consoleLinkMailedTo, linkMailedTo, mailMatching } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';

/** The API the console's pages call, against `npm start` with no Stripe key (its local test checkout). */
describe('the API behind the console, against npm start', () => {
  let local: LocalProcess;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;

  beforeAll(async () => {
    local = await startLocalProcess({ env: SHORT_BATCHING_WINDOW });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await local?.stop();
  });

  const api = (method: string, route: string, options?: CallOptions) => callApi(local.api, method, route, options);

  async function signUp(who: string): Promise<{ token: string; key: string; keyId: string; accountId: string }> {
    await api('POST', '/v1/auth/signup', { body: { name: who, email: email(who), password: PASSWORD } });
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email(who))))).status).toBe(200);
    const token = (await api('POST', '/v1/auth/login', { body: { email: email(who), password: PASSWORD } })).body.token as string;
    const key = (await api('POST', '/v1/keys', { token, body: { name: `${who} key` } })).body;
    const accountId = (await api('GET', '/v1/account', { token })).body.accountId as string;
    return { token, key: key.secret, keyId: key.keyId, accountId };
  }

  it('resets a forgotten password through the console link: the same answer for every address, once, every session signed out, audited', async () => {
    const ann = await signUp('reset-ann');
    const second = (await api('POST', '/v1/auth/login', { body: { email: email('reset-ann'), password: PASSWORD } })).body.token as string;

    const known = await api('POST', '/v1/auth/password-reset', { body: { email: email('reset-ann') } });
    const unknown = await api('POST', '/v1/auth/password-reset', { body: { email: email('reset-nobody') } });
    expect(known.status).toBe(202);
    expect(unknown).toMatchObject({ status: known.status, body: known.body });
    const mail = await mailMatching(local, email('reset-ann'), /Reset your OmnAPI password/);
    const link = mail.text!.match(/https?:\/\/\S+/)![0];
    expect(new URL(link).pathname).toBe('/reset-password');
    expect(mail.text).not.toContain('/v1/');
    const token = new URL(link).searchParams.get('token')!;

    // The verify link's route does not take a reset token (nor burn it).
    expect((await api('GET', `/v1/auth/verify?token=${encodeURIComponent(token)}`)).body.error.code).toBe('invalid_token');
    expect((await api('POST', '/v1/auth/password-reset/confirm', { body: { token, password: 'short' } })).body.error.code).toBe(
      'weak_password',
    );
    const reset = await api('POST', '/v1/auth/password-reset/confirm', { body: { token, password: NEW_PASSWORD } });
    expect(reset).toMatchObject({ status: 200, body: { status: 'password_reset', sessionsRevoked: 2 } });
    expect((await api('GET', '/v1/account', { token: ann.token })).status).toBe(401);
    expect((await api('GET', '/v1/account', { token: second })).status).toBe(401);
    expect(
      (await api('POST', '/v1/auth/password-reset/confirm', { body: { token, password: 'yet another passphrase' } })).body.error.code,
    ).toBe('invalid_token');
    expect((await api('POST', '/v1/auth/login', { body: { email: email('reset-ann'), password: PASSWORD } })).status).toBe(401);
    const fresh = (await api('POST', '/v1/auth/login', { body: { email: email('reset-ann'), password: NEW_PASSWORD } })).body
      .token as string;
    await mailMatching(local, email('reset-ann'), /Your OmnAPI password was reset/);
    const audit = await api('GET', '/v1/account/audit', { token: fresh });
    expect(audit.body.events).toContainEqual(
      expect.objectContaining({ action: 'password.reset', actor: { type: 'account', id: ann.accountId, via: 'link:password_reset' } }),
    );
  }, 300_000);

  it('resends the verification mail to an unverified address, with the same answer for any address', async () => {
    await api('POST', '/v1/auth/signup', { body: { name: 'Late', email: email('late'), password: PASSWORD } });
    const first = await eventually(() => consoleLinkMailedTo(local.dataDir, email('late')));
    expect(new URL(first).pathname).toBe('/verify');
    const resent = await api('POST', '/v1/auth/verify/resend', { body: { email: email('late') } });
    expect(resent.status).toBe(202);
    expect(await api('POST', '/v1/auth/verify/resend', { body: { email: email('late-nobody') } })).toMatchObject({
      status: 202,
      body: resent.body,
    });
    const second = await eventually(async () => {
      const link = await consoleLinkMailedTo(local.dataDir, email('late'));
      if (link === first) throw new Error('not resent yet');
      return link;
    });
    expect((await fetch(apiUrlOfLink(second))).status).toBe(200);
    expect((await api('POST', '/v1/auth/login', { body: { email: email('late'), password: PASSWORD } })).status).toBe(200);
  }, 60_000);

  it('publishes the catalogue without a session', async () => {
    const catalogue = await api('GET', '/v1/catalogue');
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.products).toContainEqual({ id: 'echo', pricePerCall: '1', priceMicroCredits: 1_000_000 });
    expect(catalogue.body.plans).toContainEqual({ id: 'free', requestsPerMinute: 600 });
    expect(catalogue.body.packs.map((p: { id: string }) => p.id)).toEqual(['starter', 'growth', 'scale']);
  });

  it('buys a pack through the local test checkout (the signed webhook credits it), tells the real outcome to its buyer only, then usage, logs and keys show the calls', async () => {
    const bea = await signUp('bea');
    const eve = await signUp('eve');

    // Pay: the local page posts a signed checkout.session.completed to the webhook, then returns to the console.
    const checkout = await api('POST', '/v1/billing/checkout', { token: bea.token, body: { pack: 'starter' } });
    expect(checkout.status).toBe(201);
    expect(checkout.body.url).toBe(`${local.api}/_local/checkout/${checkout.body.id}`);
    expect((await api('GET', `/v1/billing/checkout/${checkout.body.id}`, { token: bea.token })).body).toMatchObject({
      status: 'pending',
      pack: 'starter',
      credited: false,
    });
    const page = await fetch(checkout.body.url);
    expect(await page.text()).toContain('Pay 10.00 USD');
    const paid = await fetch(`${checkout.body.url}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`${local.api}/credits/checkout/done?session_id=${checkout.body.id}`);
    expect((await api('GET', `/v1/billing/checkout/${checkout.body.id}`, { token: bea.token })).body).toMatchObject({
      status: 'paid',
      credited: true,
      credits: '1000',
    });
    expect((await api('GET', `/v1/billing/checkout/${checkout.body.id}`, { token: eve.token })).status).toBe(404);
    expect((await api('GET', '/v1/billing/balance', { token: bea.token })).body.credits).toBe('1000');
    expect((await fetch(`${checkout.body.url}/pay`, { method: 'POST', redirect: 'manual' })).status).toBe(409);
    expect((await api('GET', '/v1/account/preferences', { token: bea.token })).body.lowBalanceCredits).toBe('100');
    const receipt = await mailMatching(local, email('bea'), /^Receipt/);
    expect(receipt.text).toContain(`${local.api}/credits`);
    expect(receipt.text).not.toContain('/v1/');

    // Cancel: nothing is charged, and the checkout can no longer be paid.
    const second = await api('POST', '/v1/billing/checkout', { token: bea.token, body: { pack: 'growth' } });
    const cancelled = await fetch(`${second.body.url}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(cancelled.headers.get('location')).toBe(`${local.api}/credits/checkout/cancelled?session_id=${second.body.id}`);
    expect((await api('GET', `/v1/billing/checkout/${second.body.id}`, { token: bea.token })).body).toMatchObject({
      status: 'cancelled',
      credited: false,
    });
    expect((await fetch(`${second.body.url}/pay`, { method: 'POST', redirect: 'manual' })).status).toBe(409);
    // The console's cancelled page ends a checkout the buyer walked away from, for its buyer only.
    const third = await api('POST', '/v1/billing/checkout', { token: bea.token, body: { pack: 'starter' } });
    expect((await api('POST', `/v1/billing/checkout/${third.body.id}/cancel`, { token: eve.token })).status).toBe(404);
    expect((await api('POST', `/v1/billing/checkout/${third.body.id}/cancel`, { token: bea.token })).body).toMatchObject({
      status: 'cancelled',
    });
    expect((await fetch(`${third.body.url}/pay`, { method: 'POST', redirect: 'manual' })).status).toBe(409);
    expect((await api('GET', '/v1/billing/balance', { token: bea.token })).body.credits).toBe('1000');

    // Calls: bea's succeed, eve's (no credits) are refused with 402.
    for (const path of ['/hello/1', '/hello/2', '/other/3'])
      expect((await api('GET', `/v1/api/echo${path}`, { key: bea.key })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await api('GET', `/v1/api/echo/broke/${i}`, { key: eve.key })).status).toBe(402);
    // The worker gathers usage for up to its batching window (shortened here).
    await eventually(async () => expect((await api('GET', '/v1/usage/logs', { token: bea.token })).body.logs).toHaveLength(3), 90_000, 500);
    await eventually(async () => expect((await api('GET', '/v1/usage/logs', { token: eve.token })).body.logs).toHaveLength(2), 90_000, 500);

    // Usage without `from`: the last 30 days.
    const usage = await api('GET', '/v1/usage', { token: bea.token });
    expect(usage.status).toBe(200);
    expect(Date.parse(usage.body.to) - Date.parse(usage.body.from)).toBe(30 * 86_400_000);
    expect(usage.body.buckets.reduce((sum: number, b: { calls: number }) => sum + b.calls, 0)).toBe(3);
    // Per product (the aggregates) and per key (the logs) split refusals alike.
    expect((await api('GET', '/v1/usage?granularity=hour', { token: eve.token })).body.buckets).toEqual([
      expect.objectContaining({ product: 'echo', calls: 2, rejected: 2, rejectedNoCredit: 2, rejectedRateLimited: 0 }),
    ]);
    const perKey = await api('GET', '/v1/usage?groupBy=key&granularity=hour', { token: eve.token });
    expect(perKey.body.buckets).toEqual([
      expect.objectContaining({
        keyId: eve.keyId,
        product: 'echo',
        calls: 2,
        rejected: 2,
        rejectedNoCredit: 2,
        rejectedRateLimited: 0,
        charged: '0',
      }),
    ]);
    expect((await api('GET', `/v1/usage?key=${bea.keyId}`, { token: bea.token })).body.buckets).toEqual([
      expect.objectContaining({ keyId: bea.keyId, calls: 3, charged: '3' }),
    ]);
    expect((await api('GET', `/v1/usage?key=${bea.keyId}`, { token: eve.token })).body.buckets).toEqual([]);

    // The log explorer filters in the API, pages with cursors bound to the account and the query.
    const other = await api('GET', '/v1/usage/logs?pathPrefix=/other', { token: bea.token });
    expect(other.body.logs.map((l: { path: string }) => l.path)).toEqual(['/other/3']);
    expect((await api('GET', '/v1/usage/logs?status=402', { token: eve.token })).body.logs).toHaveLength(2);
    expect((await api('GET', '/v1/usage/logs?status=2xx', { token: eve.token })).body.logs).toHaveLength(0);
    expect((await api('GET', `/v1/usage/logs?key=${bea.keyId}&product=echo&status=2xx`, { token: bea.token })).body.logs).toHaveLength(3);
    const first = await api('GET', '/v1/usage/logs?limit=2&status=2xx', { token: bea.token });
    expect(first.body.logs).toHaveLength(2);
    const rest = await api('GET', `/v1/usage/logs?limit=2&status=2xx&cursor=${first.body.nextCursor}`, { token: bea.token });
    expect(rest.body.logs).toHaveLength(1);
    expect(rest.body.nextCursor).toBeUndefined();
    expect(new Set([...first.body.logs, ...rest.body.logs].map((l: { requestId: string }) => l.requestId)).size).toBe(3);
    expect(
      (await api('GET', `/v1/usage/logs?limit=2&status=2xx&cursor=${first.body.nextCursor}`, { token: eve.token })).body.error.code,
    ).toBe('invalid_cursor');
    expect(
      (await api('GET', `/v1/usage/logs?limit=2&status=4xx&cursor=${first.body.nextCursor}`, { token: bea.token })).body.error.code,
    ).toBe('invalid_cursor');
    expect((await api('GET', '/v1/usage/logs?status=3xx', { token: bea.token })).status).toBe(400);

    // Keys show their last use.
    const keys = (await api('GET', '/v1/keys', { token: bea.token })).body.keys;
    expect(keys).toEqual([expect.objectContaining({ keyId: bea.keyId, lastUsedAt: expect.any(String), lastUsedIp: expect.any(String) })]);
  }, 240_000);

  it("a deletion's confirmation tells the paid credits it loses and the cooling-off, in mail and in the JSON the console reads; cancelling is confirmed by mail", async () => {
    const dan = await signUp('dan');
    const checkout = await api('POST', '/v1/billing/checkout', { token: dan.token, body: { pack: 'starter' } });
    expect((await fetch(`${checkout.body.url}/pay`, { method: 'POST', redirect: 'manual' })).status).toBe(303);

    await sendMail(local, {
      from: email('dan'),
      to: 'privacy@omnapi.com',
      subject: 'Konto löschen',
      text: 'Bitte löschen Sie mein Konto und alle meine Daten.',
    });
    const confirmation = await mailMatching(local, email('dan'), /Bitte bestätigen Sie Ihre Datenschutzanfrage/, 60_000);
    expect(confirmation.text).toContain('Auf dem Konto sind noch 1000 bezahlte Credits');
    expect(confirmation.text).toContain('24 Stunden');
    const link = confirmation.text!.match(/https?:\/\/\S+\/privacy\/confirm\S+/)![0];
    const json = await fetch(apiUrlOfLink(link), { headers: { accept: 'application/json' } });
    expect(json.status).toBe(200);
    const view = (await json.json()) as { texts: { paragraphs: string[] } };
    expect(view).toMatchObject({
      request: { type: 'deletion', status: 'awaiting_confirmation', dueAt: expect.any(String) },
      locale: 'de',
      texts: { title: expect.stringContaining('Löschung'), button: expect.any(String) },
      deletion: { paidCredits: '1000', coolingOffHours: 24 },
    });
    expect(view.texts.paragraphs.join('\n')).toContain('1000 bezahlte Credits');
    // The browser following the same link gets the page.
    expect(await (await fetch(apiUrlOfLink(link))).text()).toMatch(/<html lang="de"/);

    const { request, token } = Object.fromEntries(new URL(link).searchParams);
    const confirmed = await fetch(`${local.api}/v1/privacy/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ request, token }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ request: { requestId: request, status: 'confirmed' }, locale: 'de' });
    const again = await fetch(`${local.api}/v1/privacy/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ request, token }),
    });
    expect(again.status).toBe(410);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('link_used');

    const cooling = await mailMatching(local, email('dan'), /Konto wird am/, 60_000);
    const cancelLink = cooling.text!.match(/https?:\/\/\S+\/privacy\/cancel\S+/)![0];
    const cancelView = await (await fetch(apiUrlOfLink(cancelLink), { headers: { accept: 'application/json' } })).json();
    expect(cancelView).toMatchObject({
      request: { requestId: request, erasureStartsAt: expect.any(String) },
      locale: 'de',
      texts: { button: expect.any(String) },
    });
    const cancel = Object.fromEntries(new URL(cancelLink).searchParams);
    const cancelled = await fetch(`${local.api}/v1/privacy/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(cancel),
    });
    expect(await cancelled.json()).toMatchObject({ request: { requestId: request, status: 'cancelled' } });
    const notice = await mailMatching(local, email('dan'), /Löschung abgebrochen/);
    expect(notice.text).toContain(`${local.api}/privacy`);
    expect((await api('GET', '/v1/account', { token: dan.token })).status).toBe(200);
    // The mailed links act for the account: their holder sees both in the audit trail, the used link's second click nowhere.
    const audit = (await api('GET', '/v1/account/audit', { token: dan.token })).body.events as {
      action: string;
      actor: unknown;
      targets: unknown[];
    }[];
    expect(audit.filter((e) => e.action.startsWith('privacy.'))).toEqual([
      expect.objectContaining({
        action: 'privacy.cancel',
        actor: { type: 'account', id: dan.accountId, via: 'link:privacy_cancel' },
        targets: expect.arrayContaining([{ type: 'privacy_request', id: request }]),
      }),
      expect.objectContaining({
        action: 'privacy.confirm',
        actor: { type: 'account', id: dan.accountId, via: 'link:privacy_confirm' },
        targets: expect.arrayContaining([{ type: 'privacy_request', id: request }]),
      }),
    ]);
  }, 240_000);
});
