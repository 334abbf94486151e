import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');
/** Screenshots and traces of failed browser tests (gitignored). */
export const ARTIFACTS_DIR = path.join(ROOT, '.browser-artifacts');
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

/**
 * Debian's Chromium: CHROMIUM_PATH, or the package's binary — installed with apt-get when missing
 * (these machines cannot download Playwright's own browser builds).
 */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  const found = () => CANDIDATES.find((candidate) => fs.existsSync(candidate));
  if (found()) return found()!;
  const install = spawnSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], {
    stdio: 'inherit',
  });
  if (install.status !== 0 || !found())
    throw new Error('Chromium is missing and apt-get could not install it: apt-get install -y chromium, or set CHROMIUM_PATH');
  return found()!;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and other console errors the pages reported. */
  problems: string[];
  /** Every request that left the console's origin. */
  offOrigin: string[];
  /** Stops tracing; keeps the trace (and a screenshot) under ARTIFACTS_DIR when `failed`. */
  close(name: string, failed: boolean): Promise<void>;
}

/** A fresh context on `origin`, traced, watching for CSP violations and requests to other origins. */
export async function openSession(browser: Browser, origin: string): Promise<BrowserSession> {
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  const problems: string[] = [];
  const offOrigin: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin) offOrigin.push(request.url());
  });
  return {
    context,
    page,
    problems,
    offOrigin,
    async close(name, failed) {
      const base = path.join(ARTIFACTS_DIR, `${name}-${Date.now()}`);
      if (failed) {
        fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
        await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => undefined);
        await context.tracing.stop({ path: `${base}-trace.zip` });
      } else {
        await context.tracing.stop();
      }
      await context.close();
    },
  };
}

/**
 * Wraps a test body so that its failure is recorded in `state.failed` (pass that to `close`, which
 * then keeps the session's trace and a screenshot) before it is thrown on.
 */
export function failureTracer(state: { failed: boolean }) {
  return <A extends unknown[]>(body: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await body(...args);
      } catch (error) {
        state.failed = true;
        throw error;
      }
    };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP, which
 * forbids injected scripts, stays as it is) and answers the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
