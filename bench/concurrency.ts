import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PACKS } from '../lambdas/billing/packs';
import { apiCallOfLink } from '../lambdas/shared/console-links';
import { ROUTE_MANIFESTS } from '../lib/routes';
import { checkoutCompleted, sign } from '../scripts/ops/stripe-fixtures';
import { opsRunner } from './attack';
import { type Answer, type ClientTarget, LocalClient, type RequestOptions } from './local-client';

/** The privacy requests each account asks at once, in turn. */
const PRIVACY_TYPES = ['access', 'portability', 'objection'] as const;

/**
 * A concurrency pass over every route of the route manifests against a running local platform
 * (`npm start`): each route hit at once by one account and by many, with what the world sends
 * (unicode, bodies at and over the limits, odd content types, bytes that are not UTF-8, duplicated
 * Stripe event ids), and requests racing a sign-out, a key revocation and a second of their kind. It
 * prints what must all be 0:
 *
 *   npm start &   then   npm run concurrency        (OMNAPI_API, OMNAPI_DATA_DIR to point it elsewhere;
 *                                                   CONCURRENCY_BURST: requests of a kind sent at once, default 8)
 *
 * `test/e2e/concurrency.test.ts` runs it against a fresh runtime and asserts every count.
 */
export interface ConcurrencyFigures {
  /** Answers 500 or above; bound 0. */
  serverErrors: number;
  /** Reads or changes of one account's data through another's session or key; bound 0. */
  crossAccountEffects: number;
  /** Writes answered as done that are not there, or there more often than answered (keys, money, requests, usage); bound 0. */
  lostOrDoubledWrites: number;
  requests: number;
  /** Answers by status, over the whole run. */
  statuses: Record<number, number>;
}

interface Target extends ClientTarget {
  webhookSecret: string;
  /** Requests of each kind sent at once by one account. @default 8 */
  burst?: number;
}

type Account = Awaited<ReturnType<LocalClient['account']>> & { key: string; keyId: string };

/** What the world sends as text: right-to-left overrides, zero-width joiners, astral and combining characters. */
const WORLD_TEXT = 'Ωmega 東京 🦊 e\u0301 \u202eevil\u202c \u200d';
/** A user agent sent as UTF-8 bytes (Node writes a header's characters as Latin-1 bytes, one a byte). */
const UTF8_AGENT = 'Mozilla/5.0 (Ωmega; 東京) 🦊';
const asHeaderBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const starter = DEFAULT_PACKS.starter!;

export class ConcurrencyRun extends LocalClient {
  /** What went wrong, each a line: the counts are their lengths. */
  readonly crossAccount: string[] = [];
  readonly lostOrDoubled: string[] = [];
  private readonly statuses = new Map<number, number>();

  constructor(protected override readonly target: Target) {
    super(target, 'conc');
  }

  override async request(method: string, route: string, options: RequestOptions = {}): Promise<Answer> {
    const answer = await super.request(method, route, options);
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    return answer;
  }

  private get burst(): number {
    return this.target.burst ?? 8;
  }

  private auth(token: string, extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${token}`, ...extra };
  }

  private async withKey(label: string): Promise<Account> {
    const account = await this.account(label);
    const created = (await this.json('POST', '/v1/keys', { name: `${label} key` }, this.auth(account.token))).json();
    return { ...account, key: String(created.secret), keyId: String(created.keyId) };
  }

  private async balanceMicro(token: string): Promise<number> {
    return Number((await this.request('GET', '/v1/billing/balance', { headers: this.auth(token) })).json().balanceMicro);
  }

  /** The session routes at once, `burst` of each, by one account; then what they wrote is checked against what they answered. */
  async sameAccount(account: Account, tag: string, burst = this.burst): Promise<void> {
    const h = this.auth(account.token);
    const times = <T>(make: (i: number) => Promise<T>) => Array.from({ length: burst }, (_, i) => make(i));
    const preferences = (i: number) => ({ productUpdates: i % 2 === 0, analytics: i % 3 !== 0, deprecationNotices: true });
    const [keyAnswers, , , privacyAnswers] = await Promise.all([
      Promise.all(times((i) => this.json('POST', '/v1/keys', { name: `${tag}-${i} ${WORLD_TEXT}` }, h))),
      Promise.all(times((i) => this.json('PUT', '/v1/account/preferences', preferences(i), h))),
      Promise.all(times((i) => this.json('PATCH', '/v1/account', { name: `${WORLD_TEXT} ${i}` }, h))),
      Promise.all(times((i) => this.json('POST', '/v1/privacy/requests', { type: PRIVACY_TYPES[i % PRIVACY_TYPES.length] }, h))),
      Promise.all(
        times(() =>
          Promise.all(
            [
              '/v1/account',
              '/v1/account/preferences',
              '/v1/account/sessions',
              '/v1/account/audit',
              '/v1/account/security-events',
              '/v1/keys',
              '/v1/usage?granularity=hour',
              '/v1/usage/logs?limit=5',
              '/v1/billing/balance',
              '/v1/billing/ledger',
              '/v1/privacy/requests',
            ].map((route) => this.request('GET', route, { headers: h })),
          ),
        ),
      ),
      Promise.all(times(() => this.json('POST', '/v1/billing/checkout', { pack: 'starter' }, h))),
    ]);
    // Keys: each 201 is one key, listed once; the account's 20 places are never exceeded.
    const created = keyAnswers.filter((a) => a.status === 201).map((a) => String(a.json().keyId));
    const listed = ((await this.request('GET', '/v1/keys', { headers: h })).json().keys ?? []) as { keyId: string; name: string }[];
    const ours = listed.filter((k) => k.name.startsWith(`${tag}-`));
    if (ours.length !== created.length || created.some((id) => !ours.some((k) => k.keyId === id)))
      this.lostOrDoubled.push(`${tag}: ${created.length} keys answered 201, ${ours.length} listed`);
    if (listed.length > 20) this.lostOrDoubled.push(`${tag}: ${listed.length} keys, past the 20 places`);
    // Privacy: one open request a type, whoever asked at once; every 201 names that one.
    const requests = ((await this.request('GET', '/v1/privacy/requests', { headers: h })).json().requests ?? []) as {
      requestId: string;
      type: string;
      status: string;
    }[];
    const open = requests.filter((r) => !['completed', 'expired', 'cancelled'].includes(r.status));
    for (const type of new Set(open.map((r) => r.type))) {
      const ofType = open.filter((r) => r.type === type);
      if (ofType.length > 1) this.lostOrDoubled.push(`${tag}: ${ofType.length} open ${type} requests`);
    }
    for (const answer of privacyAnswers.filter((a) => a.status === 201)) {
      if (!requests.some((r) => r.requestId === answer.json().requestId))
        this.lostOrDoubled.push(`${tag}: privacy request ${answer.json().requestId} answered 201 but not listed`);
    }
    // Preferences: the last state is one of the writes, whole — but an objection the account asked (in this
    // phase or an earlier one: the first of the many accounts is the owner) switches analytics off by itself,
    // whenever its workflow applies it.
    const stored = (await this.request('GET', '/v1/account/preferences', { headers: h })).json();
    const written = Array.from({ length: burst }, (_, i) => preferences(i));
    const objected = requests.some((r) => r.type === 'objection');
    const analyticsAsWritten = (p: { analytics: boolean }) => p.analytics === stored.analytics || (objected && stored.analytics === false);
    if (!written.some((p) => p.productUpdates === stored.productUpdates && analyticsAsWritten(p)))
      this.lostOrDoubled.push(`${tag}: preferences ${JSON.stringify(stored)} are none of the writes`);
  }

  /** Metered calls at once with a UTF-8 user agent: the balance moves by exactly the admitted calls' price. */
  async metered(account: Account, calls: number): Promise<{ admitted: number; path: string }> {
    const before = await this.balanceMicro(account.token);
    const path = `conc-${this.run}-${account.accountId.slice(-6)}`;
    const answers = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        this.request(i % 2 ? 'POST' : 'GET', `/v1/api/echo/${path}/${i}?q=${encodeURIComponent(WORLD_TEXT)}`, {
          headers: { authorization: `Bearer ${account.key}`, 'user-agent': asHeaderBytes(UTF8_AGENT), 'content-type': 'application/json' },
          ...(i % 2 ? { body: JSON.stringify({ text: WORLD_TEXT }) } : {}),
        }),
      ),
    );
    const admitted = answers.filter((a) => a.status === 200).length;
    const spent = before - (await this.balanceMicro(account.token));
    const price = 1_000_000;
    if (spent !== admitted * price)
      this.lostOrDoubled.push(`metered ${account.email}: ${admitted} calls admitted, ${spent / price} credits debited`);
    return { admitted, path };
  }

  /** The usage logs hold each admitted call once, with the user agent as sent. */
  async usageLogged(account: Account, expected: { admitted: number; path: string }, timeoutMs = 120_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let logs: { path: string; userAgent?: string }[] = [];
    for (;;) {
      logs = [];
      let cursor: string | undefined;
      do {
        const page = (
          await this.request('GET', `/v1/usage/logs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
            headers: this.auth(account.token),
          })
        ).json();
        logs.push(...((page.logs ?? []) as typeof logs));
        cursor = page.nextCursor;
      } while (cursor);
      logs = logs.filter((l) => l.path.includes(expected.path));
      if (logs.length >= expected.admitted || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    if (logs.length !== expected.admitted)
      this.lostOrDoubled.push(`usage logs of ${account.email}: ${expected.admitted} calls admitted, ${logs.length} logged`);
    const agents = new Set(logs.map((l) => l.userAgent));
    if (logs.length && (agents.size !== 1 || !agents.has(UTF8_AGENT)))
      this.lostOrDoubled.push(
        `usage logs of ${account.email}: user agents ${JSON.stringify([...agents])}, sent ${JSON.stringify(UTF8_AGENT)}`,
      );
  }

  /** Every route of the manifests with what the world sends, all at once: no 5xx, whatever comes. */
  async worldInputs(account: Account): Promise<void> {
    const big = (bytes: number) => JSON.stringify({ name: 'x'.repeat(bytes - 12) });
    const bodies: { body?: string | Buffer; type?: string }[] = [
      { body: JSON.stringify({ name: WORLD_TEXT, details: WORLD_TEXT, type: 'access', pack: WORLD_TEXT }), type: 'application/json' },
      { body: big(64 * 1024), type: 'application/json' },
      { body: big(64 * 1024 + 1), type: 'application/json' },
      { body: JSON.stringify({ name: 'x' }), type: 'text/plain' },
      { body: JSON.stringify({ name: 'x' }), type: 'application/json; charset=latin1' },
      { body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--', type: 'multipart/form-data; boundary=x' },
      { body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), type: 'application/json' },
      { body: '{"__proto__":{"admin":true},"name":"x"}', type: 'application/json' },
      {},
    ];
    const fill = (template: string) =>
      template
        .replace('{id}', account.keyId)
        .replace('{sessionId}', 'cs_test_nothing')
        .replace('{product}', 'echo')
        .replace('{proxy+}', encodeURIComponent(WORLD_TEXT));
    const probes = Object.values(ROUTE_MANIFESTS)
      .flatMap((manifest) => Object.values(manifest))
      // Signing the session out or revoking its key would leave the rest nothing to reach; the races phase does both.
      .filter((route) => !['/v1/auth/logout'].includes(route.path) && !(route.method === 'DELETE' && route.path.startsWith('/v1/keys')))
      .flatMap((route) =>
        bodies.map(({ body, type }) => () => {
          const method = route.method === 'ANY' ? 'POST' : route.method;
          const headers: Record<string, string> = {
            ...(route.auth === 'apiKey' ? { authorization: `Bearer ${account.key}` } : this.auth(account.token)),
            'user-agent': asHeaderBytes(UTF8_AGENT),
            ...(type ? { 'content-type': type } : {}),
          };
          return this.request(method, `${fill(route.path)}?token=${encodeURIComponent(WORLD_TEXT)}&limit=%F0%9F`, {
            headers,
            ...(method === 'GET' || method === 'DELETE' ? {} : { body }),
          });
        }),
      );
    for (let start = 0; start < probes.length; start += 16) await Promise.all(probes.slice(start, start + 16).map((probe) => probe()));
    // Past the HTTP API's payload limit (6 MB), on a few routes at once.
    const huge = Buffer.alloc(6 * 1024 * 1024 + 1, 0x20);
    await Promise.all(
      ['/v1/keys', '/v1/privacy/requests', '/v1/api/echo/huge'].map((route) =>
        this.request('POST', route, { body: huge, headers: { ...this.auth(account.token), 'content-type': 'application/json' } }),
      ),
    );
  }

  /** Requests racing a sign-out, a key revocation, each other's single-use links, a duplicated Stripe event; and one account reaching for another's. */
  async races(owner: Account, other: Account): Promise<void> {
    // A sign-out among the session's own requests: afterwards the session is gone.
    const leaving = await this.account('leaving');
    const h = this.auth(leaving.token);
    await Promise.all([
      ...Array.from({ length: this.burst }, () => this.request('GET', '/v1/account', { headers: h })),
      this.json('POST', '/v1/auth/logout', {}, h),
      ...Array.from({ length: this.burst }, (_, i) => this.json('POST', '/v1/keys', { name: `late ${i}` }, h)),
    ]);
    if ((await this.request('GET', '/v1/account', { headers: h })).status !== 401)
      this.lostOrDoubled.push('a signed-out session still answers');
    // A revocation among the key's own calls, and revoked again at once: one revocation, the key gone from the list.
    const revoked = await this.withKey('revoked');
    const answers = await Promise.all([
      ...Array.from({ length: this.burst }, (_, i) =>
        this.request('GET', `/v1/api/echo/racing-${i}`, { headers: { authorization: `Bearer ${revoked.key}` } }),
      ),
      ...Array.from({ length: 4 }, () => this.request('DELETE', `/v1/keys/${revoked.keyId}`, { headers: this.auth(revoked.token) })),
    ]);
    const revocations = answers.slice(this.burst).filter((a) => a.status < 300).length;
    if (revocations !== 1) this.lostOrDoubled.push(`one key revoked 4 times at once: ${revocations} answered as the revocation`);
    // One e-mail verification link followed many times at once: verified once.
    const late = `conc-late-${this.run}@example.org`;
    await this.json('POST', '/v1/auth/signup', { name: 'Late', email: late, password: 'correct horse battery staple' }, {}, '127.2.0.9');
    const verify = apiCallOfLink(await this.linkMailedTo(late, /Confirm/))!;
    const verified = (await Promise.all(Array.from({ length: this.burst }, () => this.request('GET', verify)))).filter(
      (a) => a.status === 200,
    );
    if (verified.length !== 1)
      this.lostOrDoubled.push(`one verification link followed ${this.burst} times: ${verified.length} verifications`);
    // One Stripe event delivered many times at once: credited once.
    const before = await this.balanceMicro(other.token);
    const event = checkoutCompleted({ ...other, name: 'Other' }, 'starter', starter);
    const payload = JSON.stringify(event);
    await Promise.all(
      Array.from({ length: this.burst }, () =>
        this.request('POST', '/v1/webhooks/stripe', {
          body: payload,
          headers: { 'content-type': 'application/json', 'stripe-signature': sign(payload, this.target.webhookSecret) },
        }),
      ),
    );
    const credited = (await this.balanceMicro(other.token)) - before;
    if (credited !== starter.credits * 1_000_000)
      this.lostOrDoubled.push(
        `one checkout delivered ${this.burst} times: ${credited / 1_000_000} credits, the pack is ${starter.credits}`,
      );
    // Another account's ids, through one's own session: as if they did not exist, and nothing of theirs changes.
    const privacy = (await this.request('GET', '/v1/privacy/requests', { headers: this.auth(owner.token) })).json().requests as {
      requestId: string;
    }[];
    const sessions = (await this.request('GET', '/v1/account/sessions', { headers: this.auth(owner.token) })).json().sessions as {
      sessionId: string;
    }[];
    const foreign = [
      ['DELETE', `/v1/keys/${owner.keyId}`],
      ['POST', `/v1/keys/${owner.keyId}/roll`],
      ...(privacy?.[0] ? [['GET', `/v1/privacy/requests/${privacy[0].requestId}`]] : []),
      ...(sessions?.[0] ? [['DELETE', `/v1/account/sessions/${sessions[0].sessionId}`]] : []),
    ] as [string, string][];
    const reached = await Promise.all(
      foreign.flatMap(([method, route]) =>
        Array.from({ length: 3 }, () => this.json(method, route, {}, this.auth(other.token)).then((a) => ({ method, route, a }))),
      ),
    );
    for (const { method, route, a } of reached)
      if (a.status < 400 || a.status === 403) this.crossAccount.push(`${method} ${route} with another account's session: ${a.status}`);
    const stillThere = ((await this.request('GET', '/v1/keys', { headers: this.auth(owner.token) })).json().keys ?? []) as {
      keyId: string;
    }[];
    if (!stillThere.some((k) => k.keyId === owner.keyId)) this.crossAccount.push("another account's session revoked or rolled a key");
    const call = await this.request('GET', '/v1/api/echo/still-mine', { headers: { authorization: `Bearer ${owner.key}` } });
    if (call.status !== 200) this.crossAccount.push(`the owner's key answers ${call.status} after another account reached for it`);
    if ((await this.request('GET', '/v1/account', { headers: this.auth(owner.token) })).status !== 200)
      this.crossAccount.push("another account's session ended the owner's");
  }

  async all(ops: (...args: string[]) => Promise<void>, accounts = 4): Promise<ConcurrencyFigures> {
    const many: Account[] = [];
    for (let i = 0; i < accounts; i += 2) many.push(...(await Promise.all([this.withKey(`a${i}`), this.withKey(`a${i + 1}`)])));
    await Promise.all(
      many.slice(0, 2).map((a) => ops('grant-credits', '--email', a.email, '--amount', '100', '--reason', 'concurrency run')),
    );
    const [owner, other] = many as [Account, Account];
    await this.sameAccount(owner, 'same');
    await Promise.all(many.map((a, i) => this.sameAccount(a, `many${i}`, Math.max(2, Math.floor(this.burst / 2)))));
    const meteredCalls = await Promise.all([this.metered(owner, this.burst * 4), this.metered(other, this.burst * 4)]);
    await this.races(owner, other);
    await this.worldInputs(many.at(-1)!);
    await Promise.all([this.usageLogged(owner, meteredCalls[0]), this.usageLogged(other, meteredCalls[1])]);
    return {
      serverErrors: this.serverErrors.length,
      crossAccountEffects: this.crossAccount.length,
      lostOrDoubledWrites: this.lostOrDoubled.length,
      requests: this.requests,
      statuses: Object.fromEntries([...this.statuses].sort(([a], [b]) => a - b)),
    };
  }
}

/** Prints the counts, each beside its bound, and what made any of them move; false when one is broken. */
export function report(figures: ConcurrencyFigures, run: ConcurrencyRun): boolean {
  const rows: [string, number][] = [
    ['5xx answers', figures.serverErrors],
    ['cross-account reads or changes', figures.crossAccountEffects],
    ['lost or doubled writes', figures.lostOrDoubledWrites],
  ];
  for (const [what, count] of rows) console.log(`${count === 0 ? 'ok  ' : 'FAIL'}  ${what.padEnd(34)} ${count} (0)`);
  console.log(`      ${figures.requests} requests; answers by status: ${JSON.stringify(figures.statuses)}`);
  for (const line of [...run.errors(), ...run.crossAccount, ...run.lostOrDoubled].slice(0, 20)) console.log(`      ${line}`);
  return rows.every(([, count]) => count === 0);
}

if (require.main === module) {
  const dataDir = path.resolve(process.env.OMNAPI_DATA_DIR ?? '.omnapi');
  const resources = JSON.parse(fs.readFileSync(path.join(dataDir, 'resources.json'), 'utf8')) as {
    endpoints: { api: string };
    stripeWebhookSecret: string;
  };
  const run = new ConcurrencyRun({
    api: process.env.OMNAPI_API ?? resources.endpoints.api,
    dataDir,
    webhookSecret: resources.stripeWebhookSecret,
    ...(process.env.CONCURRENCY_BURST ? { burst: Number(process.env.CONCURRENCY_BURST) } : {}),
  });
  run
    .all(opsRunner(dataDir))
    .then((figures) => process.exit(report(figures, run) ? 0 : 1))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
