import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { unsubscribeLinks } from '../../lambdas/notices/domain/links';
import { DynamoDbAuditTrail } from '../../lambdas/shared/adapters/dynamodb-audit';
import { parsePseudonymKeys } from '../../lambdas/shared/pseudonyms';
import { type BrowserSession, launchChromium, openSession, seriousA11yViolations, failureTracer } from '../helpers/browser';
import { callApi, eventually, type LocalProcess, localAws, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { ops } from '../helpers/ops';
import { linkMailedTo, mailMatching } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';
/** A reason and a user agent an operator's tool or a client chose: markup, a bidi override, one long unbroken word. */
const HOSTILE_REASON = `<img src=x onerror=alert(1)> \u202Eevil.exe ${'w'.repeat(400)}`;
const HOSTILE_AGENT = `Mozilla/5.0 \u202Egnp.exe <script>alert(1)</script> ${'u'.repeat(300)}`;
const SECRET = 'sk_live_must_never_show_0123456789';

/** The console's audit trail page and the notices' unsubscribe page, in Chromium against npm start. */
describe('the audit trail and unsubscribe pages in Chromium against npm start', () => {
  let local: LocalProcess;
  let browser: Browser;
  let session: BrowserSession;
  let page: Page;
  let dynamo: DynamoDBDocumentClient;
  let accountId: string;
  let otherAccountId: string;
  const state = { failed: false };
  const run = Date.now().toString(36);
  const email = `audit-${run}@example.org`;
  const otherEmail = `audit-other-${run}@example.org`;

  const signUp = async (address: string) => {
    await callApi(local.api, 'POST', '/v1/auth/signup', { body: { name: 'Audit Reader', email: address, password: PASSWORD } });
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, address)))).status).toBe(200);
    const login = await callApi(local.api, 'POST', '/v1/auth/login', { body: { email: address, password: PASSWORD } });
    const me = await callApi(local.api, 'GET', '/v1/account', { token: login.body.token as string });
    return { token: login.body.token as string, accountId: me.body.accountId as string };
  };

  beforeAll(async () => {
    [local, browser] = await Promise.all([startLocalProcess(), launchChromium()]);
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const me = await signUp(email);
    accountId = me.accountId;
    otherAccountId = (await signUp(otherEmail)).accountId;
    // The holder's own actions, through the API.
    await callApi(local.api, 'POST', '/v1/keys', { token: me.token, body: { name: '\u202Eyek-lacol' } });
    for (let i = 0; i < 26; i++)
      expect(
        (
          await callApi(local.api, 'PUT', '/v1/account/preferences', {
            token: me.token,
            body: { productUpdates: i % 2 === 0, analytics: true },
          })
        ).status,
      ).toBe(200);
    // An operator's, through the ops tool.
    expect((await ops(local, 'grant-credits', '--email', email, '--amount', '5', '--reason', HOSTILE_REASON)).code).toBe(0);
    // Events shaped as no writer of ours shapes them today: a secret in a change, a huge change, a hostile user agent.
    const trail = new DynamoDbAuditTrail(dynamo, 'auditEvents');
    await trail.record({
      actor: { type: 'system', id: 'some-future-writer' },
      action: 'account.update',
      targets: [{ type: 'account', id: accountId }],
      context: { ip: '198.51.100.23', userAgent: HOSTILE_AGENT, requestId: 'req-odd' },
      change: {
        before: { secret: SECRET, plan: 'free' },
        after: { secret: SECRET, plan: 'pro', ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'z'.repeat(5000)])) },
      },
      at: new Date().toISOString(),
    });

    session = await openSession(browser, local.api);
    page = session.page;
    page.on('dialog', (dialog) => void dialog.dismiss());
    await page.goto('/signin?next=/audit');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
  }, SETUP_TIMEOUT_MS + 180_000);
  afterAll(async () => {
    await session?.close('console-audit', state.failed);
    await browser?.close();
    dynamo?.destroy();
    await local?.stop();
  });
  /** A test body whose failure keeps the session's trace and a screenshot. */
  const traced = failureTracer(state);
  const table = () => page.getByRole('table', { name: /Audit events, newest first/ });
  const rows = () => table().locator('tbody tr');
  const settled = async () => {
    await page.locator('h1').first().waitFor();
    await eventually(async () => expect(await page.locator('[aria-busy="true"]').count()).toBe(0));
  };
  const overflow = () =>
    page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return document.documentElement.scrollWidth - innerWidth;
    });

  it(
    'shows the newest events first, in words: who acted, when, from where and what changed — never a secret, never markup run',
    traced(async () => {
      await rows().first().waitFor();
      const first = rows().first();
      // The odd event was written last: newest first.
      expect(await first.locator('td').nth(0).textContent()).toContain('Profile changed');
      expect(await first.locator('td').nth(1).textContent()).toBe('OmnAPI, automatically');
      expect(await first.locator('td').nth(2).textContent()).toContain('198.51.100.23');
      expect(await first.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).not.toContain(SECRET);
      expect(text).toContain('secret: before: (hidden) → after: (hidden)');
      expect(text).toContain('and 30 more field(s)');
      expect(text).toContain('(5,000 characters)');
      // Screen readers hear before and after, not an arrow.
      expect(await first.locator('del').nth(1).textContent()).toBe('before: free');
      expect(await first.locator('ins').nth(1).textContent()).toBe('after: pro');

      const grant = rows().filter({ hasText: 'Credits granted' });
      expect(await grant.locator('td').nth(1).textContent()).toBe('OmnAPI staff');
      expect(await grant.textContent()).toContain(HOSTILE_REASON);
      // The operator's internal identity stays with the operators.
      expect(await grant.textContent()).not.toMatch(/local:|arn:aws/);
      expect(await page.locator('main img, main script').count()).toBe(0);
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await seriousA11yViolations(page)).toEqual([]);
    }),
    120_000,
  );

  it(
    'pages back and forth with the keyboard through every event once, with the API cursors',
    traced(async () => {
      const seen: string[] = [];
      const readPage = async () => {
        await rows().first().waitFor();
        await settled();
        seen.push(
          ...(await rows()
            .locator('time')
            .evaluateAll((times) => times.map((t) => t.getAttribute('datetime') ?? ''))),
        );
      };
      await page.goto('/audit');
      await readPage();
      const first = await rows().count();
      expect(first).toBe(25);
      const older = page.getByRole('navigation', { name: 'Audit pages' }).getByRole('button', { name: 'Older' });
      await older.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('table', { name: /page 2/ }).waitFor();
      await readPage();
      const total = seen.length;
      // email.verify, key.create, 26 preferences, the grant and the odd event: 30.
      expect(total).toBe(30);
      expect(await older.isDisabled()).toBe(true);
      // The last page reached from the keyboard: the button pressed keeps the focus, not the start of the page.
      expect(await older.evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);
      const newer = page.getByRole('navigation', { name: 'Audit pages' }).getByRole('button', { name: 'Newer' });
      await newer.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('table', { name: 'Audit events, newest first. Times are in your time zone.' }).waitFor();
      expect(await rows().count()).toBe(25);
      const times = seen.map((t) => Date.parse(t));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }),
    120_000,
  );

  it(
    'filters in the API by kind and by who acted, keeps the filters in the address, and says when nothing matches',
    traced(async () => {
      // Reached from the settings' security events.
      await page.goto('/settings');
      await page.getByRole('link', { name: 'audit trail' }).click();
      await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
      await rows().first().waitFor();
      await page.getByLabel('What').selectOption('key');
      await page.waitForURL(/action=key/);
      await eventually(async () => expect(await rows().count()).toBe(1));
      expect(await rows().first().textContent()).toContain('API key created');
      // The key's name is the holder's text: its override stays inside it.
      expect(await rows().first().locator('bdi').count()).toBeGreaterThan(0);

      await page.getByLabel('What').selectOption('');
      await page.getByLabel('Who').selectOption('operator');
      await eventually(async () => expect(await rows().count()).toBe(1));
      expect(await rows().first().textContent()).toContain('Credits granted');

      await page.getByLabel('What').selectOption('legal_hold');
      await page.getByText('No events match these filters.').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
    }),
    90_000,
  );

  it.each([
    ['an unknown kind and markup as who', '/audit?action=constructor&actor=%3Cscript%3E'],
    ['dates that are no dates', '/audit?from=not-a-date&to=2026-13-45T99:99'],
    ['a 5,000-character kind', `/audit?action=${'k'.repeat(5000)}`],
  ])(
    'an address hand-edited with %s still opens a working page that filters nothing it does not understand',
    traced(async (_what: string, url: string) => {
      const errorsBefore = session.problems.length;
      await page.goto(url);
      await rows().first().waitFor();
      expect(await rows().count()).toBe(25);
      expect(session.problems.slice(errorsBefore)).toEqual([]);
    }),
    60_000,
  );

  it(
    'shows an error it can recover from when the API fails, with a button to try again',
    traced(async () => {
      await page.route('**/v1/account/audit**', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'The audit trail is unavailable right now.' } }),
        }),
      );
      await page.goto('/audit');
      await page.getByRole('alert').getByText('The audit trail is unavailable right now.').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.unroute('**/v1/account/audit**');
      await page.getByRole('button', { name: 'Try again' }).click();
      await rows().first().waitFor();
    }),
    60_000,
  );

  it(
    "never shows another account's events, whatever cursor or filter the address or a hand-made call carries",
    traced(async () => {
      const cookieCall = (query: string) => page.request.get(`/v1/account/audit?${query}`, { headers: { accept: 'application/json' } });
      const mine = await (await cookieCall('limit=100')).json();
      expect(mine.events.every((e: { stream: string }) => e.stream === `account#${accountId}`)).toBe(true);
      for (const cursor of [
        `STREAM#account#${otherAccountId}`,
        'E#000000000001',
        'E#999999999999',
        `E#000000000001","pk":"STREAM#account#${otherAccountId}`,
        '__proto__',
        '',
      ]) {
        const answer = await cookieCall(`limit=100&cursor=${encodeURIComponent(cursor)}`);
        expect([200, 400]).toContain(answer.status());
        const body = await answer.json();
        if (answer.status() === 400) expect(body.error.code).toBe('validation_failed');
        else expect(JSON.stringify(body)).not.toContain(otherAccountId);
      }
      for (const query of [
        'action=keys',
        'action=key.',
        'actor=admin',
        'from=yesterday',
        'limit=101',
        'limit=-1',
        'from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
      ]) {
        const answer = await cookieCall(query);
        expect(answer.status()).toBe(400);
        expect((await answer.json()).error).toMatchObject({ code: 'validation_failed' });
      }
    }),
    60_000,
  );

  it(
    "an optional notice's link lands on the console page, which says what stops and unsubscribes with one keyboard press, once",
    traced(async () => {
      await callApi(local.api, 'PUT', '/v1/account/preferences', {
        token: (await callApi(local.api, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string,
        body: { productUpdates: true, analytics: true },
      });
      const body = path.join(local.dataDir, `notice-${run}.txt`);
      fs.writeFileSync(body, 'A new region.');
      expect((await ops(local, 'notice', 'send', '--topic', 'product', '--subject', `Region ${run}`, '--body-file', body)).code).toBe(0);
      const mail = await mailMatching(local, email, new RegExp(`Region ${run}`), 120_000);
      const link = /open (\S+\/notices\/unsubscribe\?\S+) /.exec(mail.text ?? '')![1]!;
      const onConsole = `${new URL(link).pathname}${new URL(link).search}`;

      await page.goto(onConsole);
      await page.getByRole('heading', { level: 1, name: 'Stop product updates?' }).waitFor();
      expect(await page.locator('main').textContent()).toMatch(/Security notices, Billing notices, Service changes/);
      expect(await page.locator('main').textContent()).toMatch(/This link works until/);
      expect(await seriousA11yViolations(page)).toEqual([]);
      const button = page.getByRole('button', { name: 'Unsubscribe from product updates' });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Unsubscribed' }).waitFor();
      await page.getByRole('status').getByText('You will no longer receive OmnAPI product updates.').waitFor();

      // Opened again: already done, no button, and nothing more recorded.
      await page.goto(onConsole);
      await page.getByRole('heading', { level: 1, name: 'Already unsubscribed' }).waitFor();
      expect(await page.getByRole('button', { name: /Unsubscribe/ }).count()).toBe(0);

      await page.goto('/audit?action=notice');
      await eventually(async () => expect(await rows().count()).toBe(1));
      expect(await rows().first().textContent()).toMatch(/Unsubscribed from a notice topic.*productUpdates: before: true → after: false/);
      expect(await rows().first().locator('td').nth(1).textContent()).toBe('You, through a link we mailed');
    }),
    240_000,
  );

  it.each([
    ['an altered signature', (url: URL) => url.searchParams.set('sig', `v1.${'0'.repeat(64)}`), 'This unsubscribe link does not work'],
    [
      'an expiry pushed out',
      (url: URL) => url.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 86_400)),
      'This unsubscribe link does not work',
    ],
    ['a part cut off', (url: URL) => url.searchParams.delete('sig'), 'This unsubscribe link is incomplete or was changed'],
    ['another account', (url: URL) => url.searchParams.set('account', `acc_${'0'.repeat(24)}`), 'This unsubscribe link does not work'],
  ])(
    'a link with %s is refused with a clear page that changes nothing',
    traced(async (_what: string, alter: (url: URL) => void, title: string) => {
      const keys = parsePseudonymKeys(fs.readFileSync(path.join(local.dataDir, 'notice-link-keys.json'), 'utf8'));
      const url = new URL(unsubscribeLinks(local.api, keys, otherAccountId, 'deprecation', new Date()).page);
      alter(url);
      await page.goto(`${url.pathname}${url.search}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.getByText('Nothing was changed.').first().waitFor();
      expect(await page.getByRole('button', { name: /Unsubscribe/ }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Settings → Mail preferences' }).count()).toBe(1);
      expect(await seriousA11yViolations(page)).toEqual([]);
    }),
    60_000,
  );

  it(
    'an expired link says when it expired and what to do instead',
    traced(async () => {
      const keys = parsePseudonymKeys(fs.readFileSync(path.join(local.dataDir, 'notice-link-keys.json'), 'utf8'));
      const links = unsubscribeLinks(local.api, keys, otherAccountId, 'deprecation', new Date(Date.now() - 100 * 86_400_000));
      const url = new URL(links.page);
      await page.goto(`${url.pathname}${url.search}`);
      await page.getByRole('heading', { level: 1, name: 'This unsubscribe link has expired' }).waitFor();
      expect(await page.getByRole('alert').textContent()).toContain(`expired on ${links.expiresAt.toISOString().slice(0, 10)}`);
      expect(await page.getByRole('alert').textContent()).toContain('links work for 90 days');
      expect(await seriousA11yViolations(page)).toEqual([]);
      const other = await callApi(local.api, 'POST', '/v1/auth/login', { body: { email: otherEmail, password: PASSWORD } });
      const prefs = await callApi(local.api, 'GET', '/v1/account/preferences', { token: other.body.token as string });
      expect(prefs.body.deprecationNotices ?? true).toBe(true);
    }),
    60_000,
  );

  it(
    'five clicks of one link at once switch the topic off once and leave one audit event',
    traced(async () => {
      const keys = parsePseudonymKeys(fs.readFileSync(path.join(local.dataDir, 'notice-link-keys.json'), 'utf8'));
      const { oneClick } = unsubscribeLinks(local.api, keys, otherAccountId, 'deprecation', new Date());
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          fetch(oneClick, {
            method: 'POST',
            body: 'List-Unsubscribe=One-Click',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as { changed?: boolean } })),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.filter((a) => a.body.changed).length).toBe(1);
      const other = await callApi(local.api, 'POST', '/v1/auth/login', { body: { email: otherEmail, password: PASSWORD } });
      const trail = await callApi(local.api, 'GET', '/v1/account/audit?action=notice', { token: other.body.token as string });
      expect(trail.body.events).toHaveLength(1);
    }),
    60_000,
  );

  it('reported no Content-Security-Policy violation and sent no request to another origin', () => {
    expect(session.problems.filter((p) => /Content Security Policy|Refused to/.test(p))).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  });
});
