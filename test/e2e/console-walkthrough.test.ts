import type { Browser, Page } from 'playwright-core';
import { type BrowserSession, failureTracer, launchChromium, openSession } from '../helpers/browser';
import { callApi, eventually, type LocalProcess, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { linkMailedTo } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';

/**
 * Where a newcomer walking through the console tripped: money in currencies Stripe counts unlike ISO
 * or the browser, a profile typed as people type it, and the keyboard's focus after a button that
 * goes away or waits for the API.
 */
describe('the console as a newcomer uses it, in Chromium against npm start', () => {
  let local: LocalProcess;
  let browser: Browser;
  let session: BrowserSession;
  let page: Page;
  const state = { failed: false };
  const email = `walker-${Date.now().toString(36)}@example.org`;
  // Packs in the currencies Stripe treats specially: ISK and HUF two-decimal in its API though ISO or CLDR give
  // them none (whole units only), KWD three-decimal, JPY zero-decimal.
  const creditPacks = {
    krona: { name: 'Króna pack', credits: 1_000, priceMinor: 150_000, currency: 'isk' },
    forint: { name: 'Forint pack', credits: 1_000, priceMinor: 400_000, currency: 'huf' },
    dinar: { name: 'Dinar pack', credits: 1_000, priceMinor: 3_120, currency: 'kwd' },
    yen: { name: 'Yen pack', credits: 1_000, priceMinor: 1_500, currency: 'jpy' },
  };

  beforeAll(async () => {
    [local, browser] = await Promise.all([
      startLocalProcess({ env: { OMNAPI_CONTEXT: JSON.stringify({ creditPacks }) } }),
      launchChromium(),
    ]);
    expect((await callApi(local.api, 'POST', '/v1/auth/signup', { body: { name: 'Walker', email, password: PASSWORD } })).status).toBe(201);
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email), 30_000))).status).toBe(200);
    session = await openSession(browser, local.api);
    page = session.page;
    await page.goto('/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
  }, SETUP_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await session?.close('console-walkthrough', state.failed);
    await browser?.close();
    await local?.stop();
  });
  const traced = failureTracer(state);

  /** What has the keyboard's focus: its id, or its accessible text ("body" when nothing has it). */
  const focused = () =>
    page.evaluate(`(() => {
      const active = document.activeElement;
      if (!active || active === document.body) return 'body';
      return active.id || active.getAttribute('aria-label') || (active.textContent || '').trim();
    })()`);

  it(
    "shows each pack's price and a purchase's payment as Stripe counts the currency",
    traced(async () => {
      await page.goto('/credits');
      const packs = page.locator('ul.packs');
      await packs.waitFor();
      const text = (await packs.textContent())?.replace(/\u00a0/g, ' ');
      expect(text).toContain('1,000 credits for ISK 1,500');
      expect(text).toMatch(/1,000 credits for HUF 4,000(\.00)?Buy/);
      expect(text).toContain('1,000 credits for KWD 3.120');
      expect(text).toContain('1,000 credits for JP¥1,500');

      // Bought through the local test checkout: the done page and the ledger show what was paid.
      await page.getByRole('button', { name: 'Buy Króna pack' }).click();
      await page.waitForURL(/\/_local\/checkout\//);
      expect(await page.getByRole('button', { name: /Pay/ }).textContent()).toBe('Pay 1500.00 ISK');
      await page.getByRole('button', { name: /Pay/ }).click();
      await page.waitForURL(/\/credits\/checkout\/done/);
      await page.getByText('credits were added').waitFor({ timeout: 30_000 });
      expect((await page.locator('main').textContent())?.replace(/\u00a0/g, ' ')).toContain('(ISK 1,500)');
      await page.goto('/credits');
      const ledger = page.getByRole('table', { name: 'Ledger' });
      await ledger.waitFor();
      expect((await ledger.textContent())?.replace(/\u00a0/g, ' ')).toContain('ISK 1,500');

      // The local test checkout asks for what Stripe would charge: 1500 yen, not 15.00.
      await page.getByRole('button', { name: 'Buy Yen pack' }).click();
      await page.waitForURL(/\/_local\/checkout\//);
      expect(await page.getByRole('button', { name: /Pay/ }).textContent()).toBe('Pay 1500 JPY');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/credits\/checkout\/cancelled/);
    }),
  );

  it(
    'saves a profile typed as people type it: a country in small letters, a website without https://, a field emptied',
    traced(async () => {
      await page.goto('/settings');
      // Two letters that name no country are refused, whatever their case.
      await page.getByLabel('Country').fill('xx');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.locator('section[aria-labelledby="profile-title"]').getByRole('alert').waitFor();
      expect(await page.locator('section[aria-labelledby="profile-title"]').getByRole('alert').textContent()).toContain(
        'Country: Must be an ISO 3166-1 alpha-2 country code',
      );
      await page.getByLabel('Country').fill('is');
      await page.getByLabel('Website').fill('walker.example');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByText('Saved.').waitFor();
      await page.reload();
      await eventually(async () => expect(await page.getByLabel('Country').inputValue()).toBe('IS'));
      expect(await page.getByLabel('Website').inputValue()).toBe('https://walker.example');

      // Emptied, a field is removed: the form does not say "Saved." over a value that stays.
      await page.getByLabel('Website').fill('');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByText('Saved.').waitFor();
      await page.reload();
      await eventually(async () => expect(await page.getByLabel('Country').inputValue()).toBe('IS'));
      expect(await page.getByLabel('Website').inputValue()).toBe('');
    }),
  );

  it(
    'keeps the focus on a button that waits for the API, instead of dropping it to the start of the page',
    traced(async () => {
      await page.goto('/settings');
      const save = page.getByRole('button', { name: 'Save profile' });
      await save.focus();
      await page.keyboard.press('Enter');
      await page.getByText('Saved.').waitFor();
      // Still on it once it is no longer busy (it said "Saving…" meanwhile).
      await eventually(async () => expect(await focused()).toBe('Save profile'));
    }),
  );

  it(
    'moves the focus to the secret when a key is created, and to the keys when the secret or a revoked key’s buttons go away',
    traced(async () => {
      await page.goto('/keys');
      for (const name of ['prod', 'scratch']) {
        await page.getByLabel('New key name').fill(name);
        await page.getByRole('button', { name: 'Create key' }).click();
        await eventually(async () => expect(await focused()).toBe('new-secret'));
        await page.getByRole('button', { name: 'I have stored it' }).click();
        await eventually(async () => expect(await focused()).toBe('keys-table'));
      }
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Revoke scratch' }).click();
      await eventually(async () => expect(await page.getByRole('row', { name: /scratch/ }).textContent()).toContain('revoked'));
      expect(await focused()).toBe('keys-table');
    }),
  );

  it(
    'moves the focus to the sessions when signing out the others takes their button away',
    traced(async () => {
      // Another browser signed in as the same holder.
      expect((await callApi(local.api, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } })).status).toBe(200);
      await page.goto('/settings');
      const others = page.getByRole('button', { name: 'Sign out all other sessions' });
      await others.focus();
      await page.keyboard.press('Enter');
      await page.getByText('One other session signed out.').waitFor();
      expect(await others.count()).toBe(0);
      expect(await focused()).toBe('sessions-table');
    }),
  );

  it(
    'says in words that a mailed link was cut or changed, and never offers a download the link cannot give',
    traced(async () => {
      const guest = await browser.newContext({ baseURL: local.api, locale: 'en-GB' });
      try {
        const tab = await guest.newPage();
        const main = async (path: string) => {
          await tab.goto(path);
          await tab.locator('h1').first().waitFor();
          await eventually(async () => expect(await tab.locator('[aria-busy="true"]').count()).toBe(0));
          return (await tab.locator('main').textContent()) ?? '';
        };
        // A confirmation link cut short by a mail program: no field to correct, no field names.
        const confirm = await main('/privacy/confirm?request=prq_0123&token=short');
        expect(confirm).toContain('This link is incomplete or was changed');
        expect(confirm).not.toMatch(/Please correct|Too small|Request:/);
        // An unsubscribe link with a part missing: not the API's `query.account: …`.
        const unsubscribe = await main('/notices/unsubscribe?account=acc_x&topic=product&exp=1&sig=zz');
        expect(unsubscribe).toContain('This link is incomplete or was changed');
        expect(unsubscribe).not.toContain('query.');
        // A download link whose token is wrong: the page says so rather than "Your data is ready" and a JSON file.
        const download = await main('/privacy/requests/prq_000000000000000000000000?token=not-the-token-we-mailed-you');
        expect(download).not.toContain('Your data is ready');
        expect(download).toContain('This link is not valid');
        expect(await tab.getByRole('link', { name: 'Download your data' }).count()).toBe(0);
        // An unlock link that does not work offers no verification mail: it is not about verification.
        const unlock = await main('/unlock?token=not-a-token-we-ever-mailed-anyone');
        expect(unlock).toContain('This link was already used');
        expect(unlock).not.toContain('verification mail');
        expect(unlock).toContain('paused for at most 15 minutes');
      } finally {
        await guest.close();
      }
    }),
  );

  it(
    "shows the times in a privacy request's history in the reader's words, not as ISO strings",
    traced(async () => {
      await page.goto('/privacy');
      await page.getByLabel('Your password, to confirm').fill(PASSWORD);
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await page.waitForURL(/\/privacy\/requests\/prq_/);
      await eventually(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'History' }).waitFor();
          expect(await page.locator('main').textContent()).toContain('cooling-off until');
        },
        30_000,
        1000,
      );
      const history = (await page.locator('main').textContent()) ?? '';
      expect(history).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      expect(history).toMatch(/cooling-off until \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/);
      // Each status once: the cooling-off is a step of "In progress", not a second "In progress".
      const statuses = await page.locator('ol.history > li > strong').allTextContents();
      expect(statuses.filter((status) => status === 'In progress')).toHaveLength(1);
      expect(new Set(statuses).size).toBe(statuses.length);
    }),
  );
});
