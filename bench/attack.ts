import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { z } from 'zod';
import { chargeRefunded, checkoutCompleted, dispute, newDisputeId, sign } from '../scripts/ops/stripe-fixtures';
import { DEFAULT_PACKS } from '../lambdas/billing/packs';
import { apiCallOfLink } from '../lambdas/shared/console-links';
import { hasLoneSurrogate } from '../lambdas/shared/plain-text';
import { ROUTE_MANIFESTS } from '../lib/routes';
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
  /** Generated world inputs on every JSON route (see `worldInputs`) answered as they must; bound: all. */
  worldInputsAnsweredRight: { passed: number; of: number };
  /** Small accounts signing up, keying, buying and calling at once (see `manyAccounts`). */
  manyAccounts: ManyAccountsFigures;
  requests: number;
}

export interface ManyAccountsFigures {
  accounts: number;
  calls: number;
  /** Another account's key revoked or rolled, or its keys, logs or ledger seen; bound 0. */
  crossAccountEffects: number;
  /** Calls admitted but not debited, logged or counted exactly once, keys or purchases not there once; bound 0. */
  lostOrDoubled: number;
}

interface Target extends ClientTarget {
  webhookSecret: string;
  /** The burst on an exhausted sharded account: calls at once and the credits they exhaust (the case: 200 on 100). */
  burst?: { calls: number; credits: number };
  /** Accounts signing up and calling at once in `manyAccounts`. @default 200 */
  manyAccounts?: number;
  /** Generated requests of `worldInputs`. @default 400 */
  worldInputs?: number;
}

/** The seed of the generated inputs: a failure replays (`ATTACK_SEED` to try others). */
const SEED = Number(process.env.ATTACK_SEED ?? 20261207);

/** Text as the world types it: any UTF-16 code units (half surrogate pairs included), graphemes, and the usual suspects. */
const worldText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.constantFrom(
    '',
    ' ',
    'a\u0000b',
    'e\u0301\u0301\u0301',
    '\u202eevil\u202c',
    '👨‍👩‍👧',
    'مرحبا',
    '\ud800',
    'x\udfff',
    'ann@example.org',
    'anna@bücher.de',
    'https://example.org/x',
    'DE',
    'starter',
    'correction',
    '1e21',
    '-0',
    '0.30000000000000004',
    '9007199254740993',
  ),
);
const worldNumber = fc.constantFrom(-0, 0, 1e21, 0.1 + 0.2, 2 ** 53 + 1, -1, 1e-7, Number.MAX_VALUE);
const worldLeaf = fc.oneof(worldText, worldNumber, fc.boolean(), fc.constant(null));
const worldValue = fc.oneof(
  { weight: 6, arbitrary: worldLeaf },
  fc.array(worldLeaf, { maxLength: 3 }),
  fc.dictionary(fc.oneof(worldText, fc.constantFrom('company', 'bio', 'country', 'website')), worldLeaf, { maxKeys: 3 }),
);
/** Whether a JSON value has half a surrogate pair in a string or a key, at any depth. */
const holdsLoneSurrogate = (value: unknown): boolean =>
  typeof value === 'string'
    ? hasLoneSurrogate(value)
    : typeof value === 'object' && value !== null && Object.entries(value).some(([k, v]) => hasLoneSurrogate(k) || holdsLoneSurrogate(v));
/** The top-level fields a route's body schema names (the generator fills them, and one more). */
const fieldsOf = (schema: z.ZodType) =>
  Object.keys((z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: object }).properties ?? {});

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

  /**
   * Generated bodies (fast-check, a fixed seed) on every route with a JSON body, as a signed-in account:
   * the schema's fields and one more, filled with world text and numbers, arrays and objects where
   * strings go, sent plain, past 64 KiB, or gzipped. What each must answer: a string or key with half a
   * surrogate pair 400 `invalid_encoding`, past the limit 413, gzipped 415, anything else below 500, and
   * every refusal the JSON error shape.
   */
  async worldInputs(runs = this.target.worldInputs ?? 400): Promise<{ passed: number; of: number }> {
    const caller = await this.account('world');
    const routes = Object.values(ROUTE_MANIFESTS)
      .flatMap((manifest) => Object.values(manifest))
      .filter((route) => route.body && route.auth !== 'stripeSignature' && route.path !== '/v1/auth/logout');
    const probe = fc.record({
      route: fc.constantFrom(...routes),
      form: fc.constantFrom('plain', 'plain', 'plain', 'plain', 'oversize', 'gzip'),
    });
    const cases = fc.sample(
      probe.chain(({ route, form }) =>
        fc
          .dictionary(fc.constantFrom(...fieldsOf(route.body!), 'extra'), worldValue, { maxKeys: 4 })
          .map((body) => ({ route, form, body })),
      ),
      { numRuns: runs, seed: SEED },
    );
    let passed = 0;
    for (let start = 0; start < cases.length; start += 8) {
      const answers = await Promise.all(
        cases.slice(start, start + 8).map(async ({ route, form, body }) => {
          const text = JSON.stringify(form === 'oversize' ? { ...body, padding: 'x'.repeat(64 * 1024) } : body);
          const path = route.path.replace('{id}', 'key_000000000000000000000000').replace('{sessionId}', 'cs_test_none');
          const answer = await this.request(route.method === 'ANY' ? 'POST' : route.method, path, {
            body: form === 'gzip' ? gzipSync(text) : text,
            headers: {
              authorization: `Bearer ${caller.token}`,
              'content-type': 'application/json',
              ...(form === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
            },
          });
          let error: { code?: unknown; message?: unknown } | undefined;
          try {
            error = answer.status >= 400 ? (JSON.parse(answer.body) as { error?: typeof error }).error : undefined;
          } catch {}
          const shaped = answer.status < 400 || (typeof error?.code === 'string' && typeof error.message === 'string');
          const expected = form === 'oversize' ? 413 : form === 'gzip' ? 415 : holdsLoneSurrogate(body) ? 400 : undefined;
          const right =
            shaped &&
            (expected ? answer.status === expected : answer.status < 500) &&
            (expected !== 400 || error?.code === 'invalid_encoding');
          if (!right)
            this.notes.push(
              `world input ${route.method} ${path} (${form}) ${text.slice(0, 120)} → ${answer.status} ${answer.body.slice(0, 160)}`,
            );
          return right;
        }),
      );
      passed += answers.filter(Boolean).length;
    }
    return { passed, of: cases.length };
  }

  /**
   * Many small accounts at once: each signs up, confirms, signs in, makes a key, buys a pack (a signed
   * Stripe event) and calls the echo product, all accounts together; then each tries to revoke and roll
   * its neighbour's key, and each one's balance, keys, logs, usage and ledger are read back: its own, each
   * call once.
   */
  async manyAccounts(count = this.target.manyAccounts ?? 200, callsEach = 3): Promise<ManyAccountsFigures> {
    const crossAccount: string[] = [];
    const lostOrDoubled: string[] = [];
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const accounts = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const account = await this.account(`many${i}`);
        const key = (await this.json('POST', '/v1/keys', { name: `many ${i}` }, auth(account.token))).json();
        await this.webhook(checkoutCompleted({ ...account, name: 'Many' }, 'starter', starter));
        return { ...account, key: key.secret as string, keyId: key.keyId as string };
      }),
    );
    const calls = await Promise.all(
      accounts.flatMap((account, i) =>
        Array.from({ length: callsEach }, (_, c) =>
          this.request('GET', `/v1/api/echo/many-${this.run}/${i}/${c}`, { headers: auth(account.key) }).then((a) => ({
            i,
            status: a.status,
          })),
        ),
      ),
    );
    await Promise.all(
      accounts.map(async (account, i) => {
        const neighbour = accounts[(i + 1) % count]!;
        const headers = { ...auth(account.token), 'content-type': 'application/json' };
        for (const [method, route] of [
          ['POST', `/v1/keys/${neighbour.keyId}/roll`],
          ['DELETE', `/v1/keys/${neighbour.keyId}`],
        ] as const) {
          const answer = await this.request(method, route, { headers, ...(method === 'POST' ? { body: '{}' } : {}) });
          if (answer.status !== 404) crossAccount.push(`${account.email}: ${method} ${route} of ${neighbour.email} → ${answer.status}`);
        }
      }),
    );
    const price = 1_000_000;
    await Promise.all(
      accounts.map(async (account, i) => {
        const admitted = calls.filter((c) => c.i === i && c.status === 200).length;
        const read = async (route: string) => (await this.request('GET', route, { headers: auth(account.token) })).json();
        const balance = await read('/v1/billing/balance');
        if (balance.balanceMicro !== starter.credits * price - admitted * price)
          lostOrDoubled.push(`${account.email}: balance ${balance.balanceMicro} µ after a pack and ${admitted} calls`);
        const keys = (await read('/v1/keys')).keys as { keyId: string }[];
        if (keys.length !== 1 || keys[0]!.keyId !== account.keyId) crossAccount.push(`${account.email}: keys ${JSON.stringify(keys)}`);
        const ledger = (await read('/v1/billing/ledger')).entries as { type: string }[];
        if (ledger.length !== 1 || ledger[0]!.type !== 'purchase') lostOrDoubled.push(`${account.email}: ledger ${JSON.stringify(ledger)}`);
        let logs: { keyId: string; path: string }[] = [];
        for (const end = Date.now() + 120_000; Date.now() < end; await new Promise((r) => setTimeout(r, 1_000))) {
          logs = (await read('/v1/usage/logs?limit=100')).logs;
          if (logs.length >= admitted) break;
        }
        if (logs.some((l) => l.keyId !== account.keyId || !l.path.startsWith(`/many-${this.run}/${i}/`)))
          crossAccount.push(
            `${account.email}: a log not its own: ${JSON.stringify(logs.find((l) => l.keyId !== account.keyId) ?? logs[0])}`,
          );
        if (logs.length !== admitted) lostOrDoubled.push(`${account.email}: ${admitted} calls admitted, ${logs.length} logged`);
        const counted = ((await read('/v1/usage?granularity=day')).buckets as { admitted: number }[]).reduce((n, b) => n + b.admitted, 0);
        if (counted !== admitted) {
          // What a mismatch needs to be told apart from a moment's lag: the calls' times, the hours counted, and a second read.
          const hours = ((await read('/v1/usage?granularity=hour')).buckets as { bucket: string; admitted: number }[]).map(
            (b) => `${b.bucket} ${b.admitted}`,
          );
          const again = ((await read('/v1/usage?granularity=day')).buckets as { admitted: number }[]).reduce((n, b) => n + b.admitted, 0);
          lostOrDoubled.push(
            `${account.email}: ${admitted} calls admitted, ${counted} counted in usage (${again} read again at ${new Date().toISOString()}; ` +
              `calls at ${(logs as unknown as { at: string }[]).map((l) => l.at).join(', ')}; hours ${hours.join(', ')})`,
          );
        }
      }),
    );
    if (calls.some((c) => c.status !== 200))
      this.notes.push(`many accounts: calls answered ${[...new Set(calls.map((c) => c.status))].join(', ')}`);
    this.notes.push(...crossAccount.slice(0, 5), ...lostOrDoubled.slice(0, 5));
    return { accounts: count, calls: calls.length, crossAccountEffects: crossAccount.length, lostOrDoubled: lostOrDoubled.length };
  }

  async all(ops: (...args: string[]) => Promise<void>): Promise<AttackFigures> {
    const guessing = await this.passwordGuessing();
    const crossSiteWritesAccepted = await this.crossSiteWrites();
    const money = await this.refundsInsideDisputes();
    const burst = await this.exhaustedBurst(ops);
    const malformed = await this.malformed();
    const worldInputsAnsweredRight = await this.worldInputs();
    const manyAccounts = await this.manyAccounts();
    return {
      ...guessing,
      crossSiteWritesAccepted,
      creditsKeptAfterFullRefunds: money.kept,
      serverErrors: this.serverErrors.length,
      exhaustedBurstSlowestMs: burst.slowestMs,
      exhaustedBurstSlowestRefusalMs: burst.slowestRefusalMs,
      malformedAnsweredRight: { passed: malformed.passed + (money.futureRefused ? 1 : 0), of: malformed.of + 1 },
      worldInputsAnsweredRight,
      manyAccounts,
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
    [
      'generated world inputs answered 400/413/415 or below 500',
      `${figures.worldInputsAnsweredRight.passed} of ${figures.worldInputsAnsweredRight.of}`,
      figures.worldInputsAnsweredRight.passed === figures.worldInputsAnsweredRight.of,
    ],
    [
      `${figures.manyAccounts.accounts} accounts at once: cross-account effects`,
      `${figures.manyAccounts.crossAccountEffects} (0)`,
      figures.manyAccounts.crossAccountEffects === 0,
    ],
    [
      `${figures.manyAccounts.calls} calls of those accounts lost or doubled`,
      `${figures.manyAccounts.lostOrDoubled} (0)`,
      figures.manyAccounts.lostOrDoubled === 0,
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
