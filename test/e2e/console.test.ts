import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type AxeViolation, type BrowserSession, launchChromium, openSession, seriousA11yViolations } from '../helpers/browser';
import { callApi, eventually, type LocalProcess, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { mailTo } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';
/** Set by `npm run screenshots`: where each checked page's picture goes (docs/screenshots). */
const SCREENSHOTS_DIR = process.env.CONSOLE_SCREENSHOTS_DIR ? path.resolve(process.env.CONSOLE_SCREENSHOTS_DIR) : undefined;
/** One customer's whole journey, in one browser, against one `npm start`. */
const JOURNEY_TIMEOUT_MS = 300_000;

/** The link in the newest mail to `to` whose subject matches. */
async function mailedLink(local: LocalProcess, to: string, subject: RegExp, path: RegExp): Promise<string> {
  return eventually(async () => {
    const mails = (await mailTo(local.dataDir, to)).filter((m) => subject.test(m.subject ?? ''));
    const link = mails.at(-1)?.text?.match(new RegExp(`https?://\\S+${path.source}\\S*`))?.[0];
    if (!link) throw new Error(`no mail to ${to} matching ${subject} with a ${path} link yet`);
    return link;
  }, 30_000);
}

describe('the console in Chromium against npm start', () => {
  let local: LocalProcess;
  let browser: Browser;
  let session: BrowserSession;
  let page: Page;
  let failed = false;
  const a11y = new Map<string, AxeViolation[]>();
  const run = Date.now().toString(36);
  const email = `console-${run}@example.org`;

  beforeAll(async () => {
    [local, browser] = await Promise.all([startLocalProcess({ env: { LOCAL_TIME_SCALE: '0.05' } }), launchChromium()]);
    session = await openSession(browser, local.api);
    page = session.page;
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await session?.close('console-journey', failed);
    await browser?.close();
    await local?.stop();
  });

  /** Checks the page a step arrived at with axe; `npm run screenshots` also keeps a picture of it for the README. */
  async function check(name: string): Promise<void> {
    await page.locator('h1').first().waitFor();
    await eventually(async () => expect(await page.locator('[aria-busy="true"]').count()).toBe(0));
    a11y.set(name, await seriousA11yViolations(page));
    if (SCREENSHOTS_DIR) await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`) });
  }

  const heading = () => page.locator('h1').first().textContent();

  it(
    'sign-up → verify from the outbox → sign in → key → calls → usage and logs → buy → export → delete → cancel',
    async () => {
      try {
        // Sign up, in the browser.
        await page.goto('/signup');
        await check('signup');
        await page.getByLabel('Name').fill('Console Customer');
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByText('Open the link in the mail').waitFor();

        // The verification link from the outbox lands on the console's /verify page.
        const verify = await mailedLink(local, email, /.*/, /\/verify\?token=/);
        await page.goto(verify);
        await page.getByText('Your email address is verified').waitFor();
        await check('verify');

        // Sign in.
        await page.getByRole('link', { name: 'Sign in' }).first().click();
        await check('signin');
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'API keys' }).waitFor();
        await check('keys');

        // Create a key: its secret is shown once.
        await page.getByLabel('New key name').fill('browser');
        await page.getByRole('button', { name: 'Create key' }).click();
        const secret = await page.getByLabel('Secret').inputValue();
        expect(secret).toMatch(/^omn_/);
        await page.getByRole('button', { name: 'I have stored it' }).click();
        await expect(page.getByLabel('Secret').count()).resolves.toBe(0);
        expect(await page.getByRole('row', { name: /browser/ }).textContent()).toContain('active');

        // Calls with it: no credit yet, so refused with 402.
        for (let i = 0; i < 3; i++)
          expect((await callApi(local.api, 'GET', `/v1/api/echo/browser-${i}`, { key: secret })).status).toBe(402);

        // The usage chart and the log explorer show them (usage arrives a few seconds after the calls).
        await page.getByRole('link', { name: 'Usage', exact: true }).click();
        await eventually(
          async () => {
            await page.reload();
            await page.getByTestId('total-calls').waitFor();
            expect(await page.getByTestId('total-calls').textContent()).toBe('3');
          },
          30_000,
          1000,
        );
        expect(await page.locator('figure.chart canvas').count()).toBeGreaterThan(0);
        expect(await page.getByRole('table', { name: /Usage per/ }).textContent()).toMatch(/Refused 402/);
        await check('usage');
        await page.getByRole('link', { name: 'Logs' }).click();
        await page.getByRole('table', { name: 'Calls, newest first' }).waitFor();
        expect(await page.locator('table.logs tbody tr').count()).toBe(3);
        await page.getByLabel('Status').selectOption('2xx');
        await page.getByText('No calls match.').waitFor();
        await page.getByLabel('Status').selectOption('402');
        await eventually(async () => expect(await page.locator('table.logs tbody tr').count()).toBe(3));
        await check('logs');

        // Buy a pack through the local test checkout: the real signed-webhook path credits it.
        await page.getByRole('link', { name: 'Credits' }).click();
        await page.getByRole('button', { name: 'Buy Starter' }).click();
        await page.waitForURL(/\/_local\/checkout\//);
        await page.getByRole('button', { name: /Pay/ }).click();
        await page.waitForURL(/\/credits\/checkout\/done\?session_id=/);
        await page.getByText(/Payment received/).waitFor({ timeout: 30_000 });
        await check('checkout-done');
        await page.getByRole('link', { name: 'Back to credits' }).click();
        await eventually(async () => expect(await page.getByTestId('balance').textContent()).toBe('1,000'));
        expect(await page.getByRole('table', { name: 'Ledger' }).textContent()).toContain('Purchase');
        await check('credits');

        // Request an export and download it.
        await page.getByRole('link', { name: 'Privacy' }).first().click();
        await check('privacy');
        await page.getByRole('button', { name: 'Request my data' }).click();
        await eventually(async () => expect(await page.getByRole('link', { name: 'Download your data' }).count()).toBe(1), 60_000, 500);
        const download = await page.getByRole('link', { name: 'Download your data' }).getAttribute('href');
        const archive = await page.request.get(download!);
        expect(archive.status()).toBe(200);
        expect((await archive.body()).subarray(0, 2).toString()).toBe('PK');
        await check('privacy-request');

        // Delete with the password: cooling-off begins, and the mailed cancel link's page cancels it.
        await page.getByRole('link', { name: 'Back to the privacy centre' }).click();
        await page.getByLabel('Your password, to confirm').fill(PASSWORD);
        await page.getByRole('button', { name: 'Delete my account' }).click();
        await page.getByRole('heading', { name: 'Delete my account' }).waitFor();
        const cancel = await mailedLink(local, email, /.*/, /\/privacy\/cancel\?/);
        await page.goto(cancel);
        await check('privacy-cancel');
        await page
          .getByRole('button')
          .filter({ hasText: /cancel/i })
          .first()
          .click();
        await page.locator('.notice.success').waitFor();
        const requests = (
          await callApi(local.api, 'GET', '/v1/privacy/requests', {
            headers: { cookie: (await session.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
          })
        ).body.requests as { type: string; status: string }[];
        expect(requests.find((r) => r.type === 'deletion')?.status).toBe('cancelled');

        // Every other page, for axe; then the sign-out.
        for (const path of ['/settings', '/audit', '/catalogue', '/forgot-password']) {
          await page.goto(path);
          await check(path.slice(1));
        }
        // The API reference, rendered from the API's own OpenAPI document.
        await page.goto('/docs');
        // Swagger UI lays out ~60 operations in the browser: seconds on a quiet machine, more than the default 30 s on one loaded by other suites.
        await page.locator('.swagger .opblock').first().waitFor({ timeout: 120_000 });
        expect(await page.locator('.swagger .opblock').count()).toBeGreaterThan(30);
        await check('docs');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();

        // No serious or critical accessibility finding, no CSP violation, nothing fetched from another origin.
        expect([...a11y.keys()]).toEqual(
          expect.arrayContaining([
            'signup',
            'verify',
            'signin',
            'keys',
            'usage',
            'logs',
            'checkout-done',
            'credits',
            'privacy',
            'privacy-request',
            'privacy-cancel',
            'settings',
            'audit',
            'catalogue',
            'forgot-password',
            'docs',
          ]),
        );
        expect(Object.fromEntries([...a11y].filter(([, v]) => v.length))).toEqual({});
        expect(session.problems.filter((p) => /Content Security Policy|Refused to/.test(p))).toEqual([]);
        expect(session.offOrigin).toEqual([]);
        expect(await heading()).toBe('Sign in');
        // The checker does find what it should: a button without a name is a critical finding.
        await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { body: { append(e: unknown): void }; createElement(t: string): unknown } })
            .document;
          doc.body.append(doc.createElement('button'));
        });
        expect((await seriousA11yViolations(page)).map((v) => v.id)).toContain('button-name');
      } catch (error) {
        failed = true;
        throw error;
      }
    },
    JOURNEY_TIMEOUT_MS,
  );
});
