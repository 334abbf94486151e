import type { Browser, Page, Route } from 'playwright-core';
import { type BrowserSession, failureTracer, launchChromium, openSession, seriousA11yViolations } from '../helpers/browser';
import { callApi, eventually, type LocalProcess, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { ops } from '../helpers/ops';
import { linkMailedTo, mailMatching } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';

/** A German reader with an internationalised address, and the forms that wait for scrypt, in Chromium against npm start. */
describe('the console in the reader’s locale, with an internationalised address and busy forms', () => {
  let local: LocalProcess;
  let browser: Browser;
  let session: BrowserSession;
  let page: Page;
  const state = { failed: false };
  const run = Date.now().toString(36);
  /** As its owner types it, and as the API keeps and mails it. */
  const unicode = `anna-${run}@bücher.de`;
  const ascii = `anna-${run}@xn--bcher-kva.de`;

  beforeAll(async () => {
    [local, browser] = await Promise.all([startLocalProcess(), launchChromium()]);
    expect(
      (await callApi(local.api, 'POST', '/v1/auth/signup', { body: { name: 'Anna', email: unicode, password: PASSWORD } })).status,
    ).toBe(201);
    // The verification link goes to the ASCII form of the address: the one SES can deliver to.
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, ascii), 30_000))).status).toBe(200);
    // The operators' CLI finds the account under either spelling.
    expect((await ops(local, 'grant-credits', '--email', unicode, '--amount', '1234.5', '--reason', 'locale test')).code).toBe(0);
    session = await openSession(browser, local.api);
    page = session.page;
  }, SETUP_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await session?.close('console-locale', state.failed);
    await browser?.close();
    await local?.stop();
  });
  const traced = failureTracer(state);

  /** A tab in a browser of its own (its own cookies and locale), closed after `body`. */
  async function inOwnBrowser(locale: string, body: (tab: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ baseURL: local.api, locale, timezoneId: 'UTC' });
    try {
      await body(await context.newPage());
    } finally {
      await context.close();
    }
  }

  /** Holds every request to `path` until `release` is called, counting them. */
  async function hold(on: Page, path: string): Promise<{ count: () => number; release: () => void }> {
    let count = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await on.route(`**${path}`, async (route: Route) => {
      count += 1;
      await held;
      await route.continue();
    });
    return { count: () => count, release };
  }

  /** Submits the form twice more in one task (as a double Enter or a script would, before the page re-renders), and presses Enter on its button. */
  async function submitAgain(on: Page, form: string): Promise<void> {
    await on.locator(`form[aria-label="${form}"]`).evaluate((element) => {
      const f = element as unknown as { requestSubmit(): void };
      f.requestSubmit();
      f.requestSubmit();
    });
    await on.keyboard.press('Enter');
  }

  it(
    'shows numbers and money with a German reader’s separators, credits with their exact decimals',
    traced(async () => {
      await inOwnBrowser('de-DE', async (german) => {
        await german.goto('/signin');
        await german.getByLabel('Email').fill(unicode);
        await german.getByLabel('Password').fill(PASSWORD);
        await german.getByRole('button', { name: 'Sign in' }).click();
        await german.getByRole('heading', { name: 'API keys' }).waitFor();

        await german.goto('/credits');
        await eventually(async () => expect(await german.getByTestId('balance').textContent()).toBe('1.234,5'));
        expect(await german.getByRole('table', { name: 'Ledger' }).textContent()).toContain('1.234,5');
        // Packs: 1,000 credits for $10, in German (a no-break space before the currency sign).
        expect(await german.locator('ul.packs').textContent()).toContain('1.000 credits for 10,00\u00a0$');

        await german.goto('/catalogue');
        const plans = german.getByRole('table', { name: 'Plans and their rate limits' });
        await plans.waitFor();
        expect(await plans.getByRole('row', { name: /scale/ }).textContent()).toBe('scale960.00016.000');
        expect(await german.locator('ul.packs').textContent()).toContain('150.000 credits for 1.000,00\u00a0$');

        // A threshold typed as a German writes it (2,5) is the API's 2.5, and shows as 2,5 again.
        await german.goto('/settings');
        await german.getByLabel('Mail me when my balance runs low').check();
        await german.getByLabel('Low-balance threshold (credits)').fill('2,5');
        await german.getByRole('button', { name: 'Save preferences' }).click();
        await german.getByText('Preferences saved.').waitFor();
        const token = (await callApi(local.api, 'POST', '/v1/auth/login', { body: { email: ascii, password: PASSWORD } })).body
          .token as string;
        expect((await callApi(local.api, 'GET', '/v1/account/preferences', { token })).body.lowBalanceCredits).toBe('2.5');
        await german.reload();
        expect(await german.getByLabel('Low-balance threshold (credits)').inputValue()).toBe('2,5');
      });
    }),
  );

  it(
    'shows the address with its domain in Unicode, as its owner wrote it, though the API keeps it as punycode',
    traced(async () => {
      await page.goto('/signin');
      // Signed in with the ASCII spelling: one account either way.
      await page.getByLabel('Email').fill(ascii);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
      expect(await page.locator('header .email').textContent()).toBe(unicode);
      await page.goto('/settings');
      await page.getByText('Signed in as').waitFor();
      expect(await page.getByText('Signed in as').textContent()).toBe(`Signed in as ${unicode}.`);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    }),
  );

  it(
    'says sign-in is under way (button text, aria-busy, a live region) and sends one request however often it is submitted',
    traced(async () => {
      await inOwnBrowser('en-GB', async (tab) => {
        const login = await hold(tab, '/v1/auth/login');
        await tab.goto('/signin');
        await tab.getByLabel('Email').fill(unicode);
        await tab.getByLabel('Password').fill(PASSWORD);
        await tab.getByRole('button', { name: 'Sign in' }).click();
        const button = tab.locator('form button[type="submit"]');
        await eventually(async () => expect(await button.textContent()).toBe('Signing in…'));
        expect(await button.getAttribute('aria-busy')).toBe('true');
        expect(await button.getAttribute('aria-disabled')).toBe('true');
        expect(await tab.locator('form [role="status"]').textContent()).toBe('Signing in…');
        expect(await seriousA11yViolations(tab)).toEqual([]);
        await submitAgain(tab, 'Sign in');
        login.release();
        await tab.getByRole('heading', { name: 'API keys' }).waitFor();
        expect(login.count()).toBe(1);
      });
    }),
  );

  it(
    'says the account is being created, and creates it with one request however often the form is submitted',
    traced(async () => {
      await inOwnBrowser('en-GB', async (tab) => {
        const signup = await hold(tab, '/v1/auth/signup');
        await tab.goto('/signup');
        await tab.getByLabel('Name').fill('Busy Bee');
        await tab.getByLabel('Email').fill(`busy-${run}@example.org`);
        await tab.getByLabel('Password').fill(PASSWORD);
        await tab.getByRole('button', { name: 'Create account' }).click();
        const button = tab.locator('form button[type="submit"]');
        await eventually(async () => expect(await button.textContent()).toBe('Creating your account…'));
        expect(await button.getAttribute('aria-busy')).toBe('true');
        expect(await tab.locator('form [role="status"]').textContent()).toBe('Creating your account…');
        await submitAgain(tab, 'Create an account');
        signup.release();
        await tab.getByText('Open the link in the mail').waitFor();
        expect(signup.count()).toBe(1);
      });
    }),
  );

  it(
    "shows a privacy link's page in the request's language: every label, and its dates as that language writes them",
    traced(async () => {
      const token = (await callApi(local.api, 'POST', '/v1/auth/login', { body: { email: ascii, password: PASSWORD } })).body
        .token as string;
      const preferences = (await callApi(local.api, 'GET', '/v1/account/preferences', { token })).body;
      expect((await callApi(local.api, 'PUT', '/v1/account/preferences', { token, body: { ...preferences, locale: 'de' } })).status).toBe(
        200,
      );
      // A deletion asked without the password waits for the link mailed to the registered address, in German.
      expect((await callApi(local.api, 'POST', '/v1/privacy/requests', { token, body: { type: 'deletion' } })).status).toBe(201);
      const mail = await mailMatching(local, ascii, /\/privacy\/confirm\?/);
      const link = mail.text!.match(/https?:\/\/\S+\/privacy\/confirm\?\S+/)![0];
      await inOwnBrowser('en-GB', async (tab) => {
        await tab.goto(link);
        await tab.getByRole('button', { name: 'Meine Anfrage bestätigen' }).waitFor();
        const main = tab.locator('main');
        expect(await main.locator('dl.facts dt').allTextContents()).toEqual(['Fällig bis']);
        // Nothing on the page claims to be English, and its date is written as German writes it.
        expect(await main.locator('[lang="en"]').count()).toBe(0);
        expect(await tab.getByTestId('due').textContent()).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
      });
    }),
  );

  it('reported no Content-Security-Policy violation and sent no request to another origin', () => {
    // A signed-out page's session check answers 401, which Chromium logs: only policy violations count.
    expect(session.problems.filter((p) => /Content Security Policy|Refused to/.test(p))).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  });
});
