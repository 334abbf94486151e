import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chargeRefunded, checkoutCompleted, dispute, newDisputeId, sign } from '../scripts/ops/stripe-fixtures';
import { DEFAULT_PACKS } from '../lambdas/billing/packs';
import { apiCallOfLink } from '../lambdas/shared/console-links';
import { type ClientTarget, LocalClient, PASSWORD } from './local-client';

/**
 * An adversarial run against a running local platform (`npm start`): distributed password guessing,
 * cross-site writes with the session cookie, Stripe events in an unkind order, concurrent refunds,
 * an exhausted sharded account under a burst, and malformed requests. It prints what a defender
 * wants to know, each figure with its bound:
 *
 *   npm start &   then   npm run attack        (OMNAPI_API, OMNAPI_DATA_DIR to point it elsewhere)
 *
 * `test/e2e/attack.test.ts` runs the same against a fresh runtime and asserts every bound.
 */
export interface AttackFigures {
  /** Password checks (401 answers) one email got from 6 addresses × 6 guesses at once; bound ≤ 5. */
  passwordChecksPerEmail: number;
  /** Whether the owner, locked out by the guessing, signed in after following the mailed link. */
  ownerUnlockedByLink: boolean;
  /** Whether the owner signed in ten times in a row from one address (successes never count). */
  ownerSignsInRepeatedly: boolean;
  /** Cookie-authenticated writes from a hostile page that succeeded; bound 0. */
  crossSiteWritesAccepted: number;
  /** Credits left from purchases refunded in full, whatever the order of their events; bound 0. */
  creditsKeptAfterFullRefunds: number;
  /** 5xx answers over the whole run; bound 0. */
  serverErrors: number;
  /** The slowest answer of 200 concurrent calls on an exhausted sharded account, and the slowest 402 among them, in ms. */
  exhaustedBurstSlowestMs: number;
  exhaustedBurstSlowestRefusalMs: number;
  /** Checks on malformed input that answered as they must (405, 400, 415); bound: all. */
  malformedAnsweredRight: { passed: number; of: number };
  requests: number;
}

interface Target extends ClientTarget {
  webhookSecret: string;
  /** The burst on an exhausted sharded account: calls at once and the credits they exhaust (the case: 200 on 100). */
  burst?: { calls: number; credits: number };
}

const starter = DEFAULT_PACKS.starter!;

export class Attack extends LocalClient {
  /** What went differently than a defender expects, for the report. */
  readonly notes: string[] = [];

  constructor(protected override readonly target: Target) {
    super(target, 'attack');
  }

  async passwordGuessing(): Promise<Pick<AttackFigures, 'passwordChecksPerEmail' | 'ownerUnlockedByLink' | 'ownerSignsInRepeatedly'>> {
    const owner = await this.account('guessed');
    const guesses = Array.from({ length: 36 }, (_, i) =>
      this.json('POST', '/v1/auth/login', { email: owner.email, password: `guess number ${i}!` }, {}, `127.0.0.${10 + (i % 6)}`),
    );
    const answers = await Promise.all(guesses);
    const checks = answers.filter((a) => a.status === 401).length;
    const locked = (await this.json('POST', '/v1/auth/login', { email: owner.email, password: PASSWORD }, {}, '127.0.0.30')).status === 429;
    await this.request('GET', apiCallOfLink(await this.linkMailedTo(owner.email, /Was this you/))!);
    const after = await this.json('POST', '/v1/auth/login', { email: owner.email, password: PASSWORD }, {}, '127.0.0.30');
    const repeated = await this.account('regular');
    let ok = 0;
    for (let i = 0; i < 10; i++)
      if ((await this.json('POST', '/v1/auth/login', { email: repeated.email, password: PASSWORD }, {}, '127.0.0.31')).status === 200) ok++;
    if (!locked || after.status !== 200)
      this.notes.push(`owner: locked ${locked}, after the link ${after.status} ${after.body.slice(0, 200)}`);
    return { passwordChecksPerEmail: checks, ownerUnlockedByLink: locked && after.status === 200, ownerSignsInRepeatedly: ok === 10 };
  }

  async crossSiteWrites(): Promise<number> {
    const victim = await this.account('csrf');
    const cookie = `omn_session=${victim.token}`;
    const hostile = { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    const writes: [string, string, unknown][] = [
      ['POST', '/v1/keys', { name: 'planted' }],
      ['PATCH', '/v1/account', { email: `attacker-${this.run}@evil.example` }],
      ['PATCH', '/v1/account', { name: 'Pwned' }],
      ['PUT', '/v1/account/preferences', { analytics: true, productUpdates: true }],
      ['POST', '/v1/privacy/requests', { type: 'access' }],
      ['POST', '/v1/billing/checkout', { pack: 'starter' }],
      ['POST', '/v1/auth/logout', {}],
    ];
    let accepted = 0;
    for (const [method, route, body] of writes) {
      // A form or no-cors fetch from the attacker's page: text/plain, or no Content-Type at all.
      const variants = [
        this.request(method, route, { body: JSON.stringify(body), headers: { ...hostile, 'content-type': 'text/plain' } }),
        this.request(method, route, { body: JSON.stringify(body), headers: hostile }),
        this.request(method, route, { body: JSON.stringify(body), headers: { cookie } }),
        this.request(method, route, { body: JSON.stringify(body), headers: { ...hostile, 'content-type': 'application/json' } }),
      ];
      for (const answer of await Promise.all(variants)) if (answer.status < 300) accepted++;
    }
    return accepted;
  }

  private webhook(event: object, timestamp?: number) {
    const payload = JSON.stringify(event);
    return this.request('POST', '/v1/webhooks/stripe', {
      body: payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': sign(payload, this.target.webhookSecret, timestamp) },
    });
  }

  private async credits(token: string): Promise<number> {
    return Number((await this.request('GET', '/v1/billing/balance', { headers: { authorization: `Bearer ${token}` } })).json().credits);
  }

  /** Purchases refunded in full inside disputes that end won or warning_closed, in several delivery orders. */
  async refundsInsideDisputes(): Promise<{ kept: number; futureRefused: boolean }> {
    const orders = [
      ['checkout', 'dispute', 'refund', 'won'],
      ['checkout', 'dispute', 'refund', 'warning_closed'],
      ['dispute', 'refund', 'checkout', 'won'],
      ['won', 'refund', 'dispute', 'checkout'],
    ];
    let kept = 0;
    for (const [i, order] of orders.entries()) {
      const buyer = await this.account(`refund${i}`);
      const purchase = checkoutCompleted({ ...buyer, name: 'Buyer' }, 'starter', starter);
      const payment = {
        paymentIntentId: String(purchase.data.object.payment_intent),
        amountMinor: starter.priceMinor,
        currency: starter.currency,
      };
      const id = newDisputeId();
      for (const step of order) {
        if (step === 'checkout') await this.webhook(purchase);
        if (step === 'dispute') await this.webhook(dispute('charge.dispute.created', payment, id, 'needs_response'));
        if (step === 'refund') await this.webhook(chargeRefunded({ ...buyer, name: 'Buyer' }, payment, starter.priceMinor));
        if (step === 'won' || step === 'warning_closed') await this.webhook(dispute('charge.dispute.closed', payment, id, step as 'won'));
      }
      kept += Math.max(0, await this.credits(buyer.token));
    }
    // Ten cumulative refunds of one payment at once: 200 or 409 (Stripe retries), never 5xx.
    const buyer = await this.account('concurrent');
    const purchase = checkoutCompleted({ ...buyer, name: 'Buyer' }, 'starter', starter);
    await this.webhook(purchase);
    const payment = {
      paymentIntentId: String(purchase.data.object.payment_intent),
      amountMinor: starter.priceMinor,
      currency: starter.currency,
    };
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => this.webhook(chargeRefunded({ ...buyer, name: 'Buyer' }, payment, (i + 1) * 100))),
    );
    const future = await this.webhook(
      checkoutCompleted({ ...buyer, name: 'Buyer' }, 'starter', starter),
      Math.floor(Date.now() / 1000) + 3600,
    );
    return { kept, futureRefused: future.status === 400 };
  }

  /** 200 calls at once on a `scale` (sharded) account with 100 credits. */
  async exhaustedBurst(
    ops: (...args: string[]) => Promise<void>,
    { calls, credits } = this.target.burst ?? { calls: 200, credits: 100 },
  ): Promise<{ slowestMs: number; slowestRefusalMs: number; admitted: number }> {
    const poor = await this.account('sharded');
    const key = (await this.json('POST', '/v1/keys', { name: 'burst' }, { authorization: `Bearer ${poor.token}` })).json().secret as string;
    await ops('set-plan', '--email', poor.email, '--plan', 'scale', '--settle-seconds', '0');
    await ops('grant-credits', '--email', poor.email, '--amount', String(credits), '--reason', 'attack: exhausted burst');
    const answers = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        this.request('GET', `/v1/api/echo/burst-${i}`, { headers: { authorization: `Bearer ${key}` } }),
      ),
    );
    const refusals = answers.filter((a) => a.status === 402);
    return {
      slowestMs: Math.max(...answers.map((a) => a.ms)),
      slowestRefusalMs: Math.max(0, ...refusals.map((a) => a.ms)),
      admitted: answers.filter((a) => a.status === 200).length,
    };
  }

  async malformed(): Promise<{ passed: number; of: number }> {
    const caller = await this.account('malformed');
    const key = (await this.json('POST', '/v1/keys', { name: 'trace' }, { authorization: `Bearer ${caller.token}` })).json()
      .secret as string;
    const auth = { authorization: `Bearer ${caller.token}` };
    const checks = [
      (await this.request('TRACE', '/v1/api/echo/x', { headers: { authorization: `Bearer ${key}` } })).status === 405,
      (
        await this.request('PATCH', '/v1/account', {
          body: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
          headers: { ...auth, 'content-type': 'application/json' },
        })
      ).status === 400,
      (
        await this.request('PATCH', '/v1/account', {
          body: JSON.stringify({ name: 'x' }),
          headers: { ...auth, 'content-type': 'application/json; charset=utf-16' },
        })
      ).status === 415,
      (await this.request('PATCH', '/v1/account', { body: JSON.stringify({ name: 'x' }), headers: auth })).status === 415,
    ];
    return { passed: checks.filter(Boolean).length, of: checks.length };
  }

  async all(ops: (...args: string[]) => Promise<void>): Promise<AttackFigures> {
    const guessing = await this.passwordGuessing();
    const crossSiteWritesAccepted = await this.crossSiteWrites();
    const money = await this.refundsInsideDisputes();
    const burst = await this.exhaustedBurst(ops);
    const malformed = await this.malformed();
    return {
      ...guessing,
      crossSiteWritesAccepted,
      creditsKeptAfterFullRefunds: money.kept,
      serverErrors: this.serverErrors.length,
      exhaustedBurstSlowestMs: burst.slowestMs,
      exhaustedBurstSlowestRefusalMs: burst.slowestRefusalMs,
      malformedAnsweredRight: { passed: malformed.passed + (money.futureRefused ? 1 : 0), of: malformed.of + 1 },
      requests: this.requests,
    };
  }
}

/** `npm run ops -- …` against the runtime whose data folder is `dataDir`. */
export function opsRunner(dataDir: string): (...args: string[]) => Promise<void> {
  const root = path.resolve(__dirname, '..');
  return (...args) =>
    new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/ops/index.ts', ...args],
        { cwd: root, env: { ...process.env, OMNAPI_DATA_DIR: dataDir }, timeout: 120_000 },
        (error, _out, stderr) => (error ? reject(new Error(`ops ${args.join(' ')}: ${stderr}`)) : resolve()),
      ),
    );
}

/** Prints the figures, each beside its bound; exits 1 when one is broken. */
export function report(figures: AttackFigures, errors: string[]): boolean {
  const rows: [string, string, boolean][] = [
    [
      'password checks on one email from 6 addresses × 6 guesses',
      `${figures.passwordChecksPerEmail} (≤ 5)`,
      figures.passwordChecksPerEmail <= 5,
    ],
    ['owner locked out, then signed in after the mailed link', String(figures.ownerUnlockedByLink), figures.ownerUnlockedByLink],
    ['owner signs in 10 times in a row from one address', String(figures.ownerSignsInRepeatedly), figures.ownerSignsInRepeatedly],
    ['cross-site writes accepted with the session cookie', `${figures.crossSiteWritesAccepted} (0)`, figures.crossSiteWritesAccepted === 0],
    [
      'credits kept after purchases refunded in full',
      `${figures.creditsKeptAfterFullRefunds} (0)`,
      figures.creditsKeptAfterFullRefunds === 0,
    ],
    ['5xx answers', `${figures.serverErrors} of ${figures.requests} requests (0)`, figures.serverErrors === 0],
    [
      'slowest call of a burst on an exhausted sharded account',
      `${figures.exhaustedBurstSlowestMs} ms (slowest 402: ${figures.exhaustedBurstSlowestRefusalMs} ms)`,
      true,
    ],
    [
      'malformed requests answered 405/400/415 as they must',
      `${figures.malformedAnsweredRight.passed} of ${figures.malformedAnsweredRight.of}`,
      figures.malformedAnsweredRight.passed === figures.malformedAnsweredRight.of,
    ],
  ];
  for (const [what, value, ok] of rows) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what.padEnd(58)} ${value}`);
  for (const error of errors.slice(0, 10)) console.log(`      ${error}`);
  return rows.every(([, , ok]) => ok);
}

if (require.main === module) {
  const dataDir = path.resolve(process.env.OMNAPI_DATA_DIR ?? '.omnapi');
  const resources = JSON.parse(fs.readFileSync(path.join(dataDir, 'resources.json'), 'utf8')) as {
    endpoints: { api: string };
    stripeWebhookSecret: string;
  };
  const attack = new Attack({
    api: process.env.OMNAPI_API ?? resources.endpoints.api,
    dataDir,
    webhookSecret: resources.stripeWebhookSecret,
  });
  attack
    .all(opsRunner(dataDir))
    .then((figures) => process.exit(report(figures, attack.errors()) ? 0 : 1))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
