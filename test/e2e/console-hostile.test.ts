import type { Browser, Page } from 'playwright-core';
import { type BrowserSession, launchChromium, openSession, seriousA11yViolations } from '../helpers/browser';
import {
  callApi,
  eventually,
  type LocalProcess,
  SETUP_TIMEOUT_MS,
  SHORT_BATCHING_WINDOW,
  startLocalProcess,
} from '../helpers/local-process';
import { ops } from '../helpers/ops';
import { linkMailedTo } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';
/** Key names and request paths an account's clients (or whoever holds a leaked key) choose: markup, bidi overrides, zero-width and astral characters, one long unbroken word. */
const HOSTILE_NAMES = ['<img src=x onerror=alert(1)>', '\u202Egnp.exe', 'zero\u200Bwidth\u200Djoiner', '😀🧪 4-byte', 'x'.repeat(100)];
const HOSTILE_PATHS = ['/<script>alert(1)</script>', '/\u202Egnp.exe', `/${'a'.repeat(3000)}`];

/** The console fed text and links it did not write: nothing runs, nothing widens the page, a bad link still leaves a working page. */
describe('the console with hostile text and links, and used from two tabs, in Chromium against npm start', () => {
  let local: LocalProcess;
  let browser: Browser;
  let session: BrowserSession;
  let page: Page;
  const dialogs: string[] = [];
  /** Whether confirmation dialogs are accepted (a test that acts) or dismissed (one that only reads them). */
  let acceptDialogs = false;
  let failed = false;
  const email = `hostile-${Date.now().toString(36)}@example.org`;

  beforeAll(async () => {
    [local, browser] = await Promise.all([startLocalProcess({ env: SHORT_BATCHING_WINDOW }), launchChromium()]);
    await callApi(local.api, 'POST', '/v1/auth/signup', { body: { name: 'Hostile Input', email, password: PASSWORD } });
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email)))).status).toBe(200);
    const token = (await callApi(local.api, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
    for (const name of HOSTILE_NAMES)
      expect((await callApi(local.api, 'POST', '/v1/keys', { token, body: { name } })).body.name).toBe(name);
    const key = (await callApi(local.api, 'POST', '/v1/keys', { token, body: { name: 'caller' } })).body.secret as string;
    expect((await ops(local, 'grant-credits', '--email', email, '--amount', '10', '--reason', 'hostile paths')).code).toBe(0);
    for (const path of HOSTILE_PATHS) expect((await callApi(local.api, 'GET', `/v1/api/echo${encodeURI(path)}`, { key })).status).toBe(200);
    // The call logs are written a few seconds after the calls.
    await eventually(
      async () => expect((await callApi(local.api, 'GET', '/v1/usage/logs', { token })).body.logs).toHaveLength(HOSTILE_PATHS.length),
      60_000,
      1000,
    );

    session = await openSession(browser, local.api);
    page = session.page;
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void (acceptDialogs ? dialog.accept() : dialog.dismiss());
    });
    await signIn('/signin');
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
  }, SETUP_TIMEOUT_MS + 120_000);
  afterAll(async () => {
    await session?.close('console-hostile', failed);
    await browser?.close();
    await local?.stop();
  });
  /** A test body whose failure keeps the session's trace and a screenshot. */
  const traced =
    <A extends unknown[]>(body: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await body(...args);
      } catch (error) {
        failed = true;
        throw error;
      }
    };

  async function signIn(from: string): Promise<void> {
    await page.goto(from);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The page has settled: a heading, nothing loading. */
  async function settled(): Promise<void> {
    await page.locator('h1').first().waitFor();
    await eventually(async () => expect(await page.locator('[aria-busy="true"]').count()).toBe(0));
  }

  /** How far the page reaches past the window's right edge, in CSS pixels (0 when nothing sticks out). */
  const overflow = () =>
    page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return document.documentElement.scrollWidth - innerWidth;
    });

  it(
    'shows hostile key names and request paths as the exact text, runs none of it, and keeps the page within the window',
    traced(async () => {
      await page.goto('/keys');
      await settled();
      const shown = await page.locator('tbody th[scope="row"]').allTextContents();
      expect(shown).toEqual(expect.arrayContaining(HOSTILE_NAMES));
      expect(await page.locator('main img').count()).toBe(0);
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.goto('/logs');
      await page.getByRole('table', { name: 'Calls, newest first' }).waitFor();
      const requests = await page.locator('table.logs tbody td:nth-child(3)').allTextContents();
      // The call log keeps a path's first 1,024 characters.
      expect(requests.map((r) => r.replace(/^GET /, '')).sort()).toEqual(HOSTILE_PATHS.map((p) => p.slice(0, 1024)).sort());
      expect(await page.locator('main script, main img').count()).toBe(0);
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(dialogs).toEqual([]);
    }),
    120_000,
  );

  it(
    "keeps a key name's right-to-left override inside the name in the revoke confirmation",
    traced(async () => {
      await page.goto('/keys');
      await settled();
      await page.getByRole('button', { name: `Revoke ${HOSTILE_NAMES[1]}` }).click();
      await eventually(() => expect(dialogs).toHaveLength(1));
      // First-strong isolates around the name: the override ends where the name does, so the warning after it reads as written.
      expect(dialogs[0]).toBe(
        `Revoke "\u2068${HOSTILE_NAMES[1]}\u2069"? Calls with it are refused within about a minute. This cannot be undone.`,
      );
      dialogs.length = 0;
    }),
    60_000,
  );

  it.each([
    ['/logs?from=not-a-date', 'Request logs'],
    ['/logs?to=2026-13-45T99:99', 'Request logs'],
    ['/usage?range=constructor', 'Usage'],
    ['/usage?range=bogus&granularity=hour', 'Usage'],
  ])(
    'a console link with a malformed filter (%s) still opens a working page',
    traced(async (url: string, title: string) => {
      const errorsBefore = session.problems.length;
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
      await settled();
      expect(session.problems.slice(errorsBefore)).toEqual([]);
      expect(await seriousA11yViolations(page)).toEqual([]);
    }),
    60_000,
  );

  it(
    'shows the API refusing a filter, and an empty result, each in an accessible state',
    traced(async () => {
      await page.goto('/logs?status=999');
      await page.getByRole('alert').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.goto('/logs?path=/v1/nothing-here/');
      await page.getByText('No calls match.').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
    }),
    60_000,
  );

  it(
    'rolls and revokes a key and signs another session out from the console: its writes without a body reach the API',
    traced(async () => {
      acceptDialogs = true;
      const other = await callApi(local.api, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
      expect(other.status).toBe(200);
      await page.goto('/keys');
      await settled();
      await page.getByRole('button', { name: `Roll ${HOSTILE_NAMES[2]}` }).click();
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await page.getByRole('button', { name: `Revoke ${HOSTILE_NAMES[3]}` }).click();
      await eventually(async () =>
        expect(await page.locator('tbody tr', { hasText: HOSTILE_NAMES[3]! }).textContent()).toContain('revoked'),
      );
      expect(await page.getByRole('alert').count()).toBe(0);

      await page.goto('/settings');
      const sessions = page.getByRole('table', { name: 'Where you are signed in' }).locator('tbody tr');
      // The setup's session, the one just opened, and this browser's.
      await eventually(async () => expect(await sessions.count()).toBe(3));
      for (const left of [2, 1]) {
        await sessions
          .getByRole('button', { name: /Sign out the session/ })
          .first()
          .click();
        await eventually(async () => expect(await sessions.count()).toBe(left));
      }
      expect((await callApi(local.api, 'GET', '/v1/account', { token: other.body.token as string })).status).toBe(401);
      acceptDialogs = false;
    }),
    60_000,
  );

  it(
    'signing out in one tab ends the session in every tab: the other tab is sent to sign in, and back after',
    traced(async () => {
      const other = await session.context.newPage();
      await other.goto('/settings');
      await other.getByRole('heading', { name: 'Settings' }).waitFor();
      await page.goto('/keys');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // Signed out for the API, not only on the page: the cookie no longer opens the account.
      expect((await page.request.get('/v1/account')).status()).toBe(401);

      await other.getByLabel('Name').fill('Changed in a signed-out tab');
      await other.getByRole('button', { name: 'Save profile' }).click();
      await other.waitForURL(/\/signin\?next=%2Fsettings$/);
      await other.getByLabel('Email').fill(email);
      await other.getByLabel('Password').fill(PASSWORD);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('heading', { name: 'Settings' }).waitFor();
      expect(await other.getByLabel('Name').inputValue()).toBe('Hostile Input');
      await other.close();
      await page.goto('/keys');
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
    }),
    90_000,
  );

  it(
    'after signing in, follows only a path on the console, whatever the next parameter holds',
    traced(async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signIn('/signin?next=/%5Cexample.org/%2e%2e');
      await page.getByRole('heading', { name: 'API keys' }).waitFor({ timeout: 15_000 });
      expect(new URL(page.url()).origin).toBe(local.api);
      expect(await page.getByRole('alert').count()).toBe(0);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn('/signin?next=/credits%3Ffrom%3Dmail');
      await page.waitForURL(/\/credits\?from=mail$/);
    }),
    60_000,
  );

  it('reported no Content-Security-Policy violation and sent no request to another origin', () => {
    expect(session.problems.filter((p) => /Content Security Policy|Refused to/.test(p))).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  });
});
