import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbKeyLookup } from '../../lambdas/metering/adapters/dynamodb-key-lookup';
import { resolveKey } from '../../lambdas/metering/domain/keys';
import { ITEMS } from '../../lambdas/shared/items';
import {
  type CallOptions,
  callApi,
  eventually,
  type LocalProcess,
  localAws,
  SETUP_TIMEOUT_MS,
  SHORT_BATCHING_WINDOW,
  startLocalProcess,
} from '../helpers/local-process';
import { linkMailedTo, mailTo } from '../helpers/outbox';
import { ops } from '../helpers/ops';
import { unrecognisedItems } from '../helpers/item-types';

const PASSWORD = 'correct horse battery staple';

describe('accounts, sessions and keys against npm start', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;

  const call = (method: string, path: string, options?: CallOptions) => callApi(local.api, method, path, options);

  /** Signs up, follows the mailed link and logs in; returns the session token. */
  const onboard = async (who: string) => {
    expect((await call('POST', '/v1/auth/signup', { body: { name: who, email: email(who), password: PASSWORD } })).status).toBe(201);
    const link = await eventually(() => linkMailedTo(local.dataDir, email(who)));
    expect((await fetch(link)).status).toBe(200);
    const login = await call('POST', '/v1/auth/login', { body: { email: email(who), password: PASSWORD } });
    expect(login.status).toBe(200);
    return login.body.token as string;
  };

  beforeAll(async () => {
    // The one e2e file whose runtime hashes passwords at the deployed cost: its sign-ups and sign-ins run at it.
    // It waits for a call's usage (ops accounts show), not for the drain's minute: the drain runs every 3 s.
    local = await startLocalProcess({ deployedPasswordCost: true, env: SHORT_BATCHING_WINDOW });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  it('runs sign up → verify → log in → create key → list → roll → revoke → old secret rejected', async () => {
    const token = await onboard('ann');
    // Hashed at the deployed cost (OWASP's scrypt N = 2¹⁷, r = 8, p = 1), which the sign-in above verified.
    const accountId = (await call('GET', '/v1/account', { token })).body.accountId as string;
    const { Item } = await dynamo.send(new GetCommand({ TableName: 'accounts', Key: ITEMS.account.key({ accountId }) }));
    expect(Item?.passwordHash).toMatch(/^scrypt\$17\$8\$1\$/);

    const created = await call('POST', '/v1/keys', { token, body: { name: 'production' } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^omn_live_/);

    const listed = await call('GET', '/v1/keys', { token });
    expect(listed.body.keys).toEqual([
      expect.objectContaining({ keyId: created.body.keyId, prefix: created.body.secret.slice(0, 13), status: 'active' }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const rolled = await call('POST', `/v1/keys/${created.body.keyId}/roll`, { token });
    expect(rolled.status).toBe(201);
    expect(rolled.body.previous.keyId).toBe(created.body.keyId);

    // The key-resolution function the metered gateway calls, against the same local tables.
    const lookup = new DynamoDbKeyLookup(dynamo, 'apiKeys');
    const keys = { resolve: (secret: string) => resolveKey(lookup, secret, new Date()) };
    await expect(keys.resolve(created.body.secret)).resolves.toMatchObject({ status: 'rolling' });
    await expect(keys.resolve(rolled.body.secret)).resolves.toMatchObject({ keyId: rolled.body.keyId, status: 'active', plan: 'free' });

    expect((await call('DELETE', `/v1/keys/${created.body.keyId}`, { token })).status).toBe(204);
    await expect(keys.resolve(created.body.secret)).resolves.toBeUndefined();
    await expect(keys.resolve(rolled.body.secret)).resolves.toBeDefined();

    const events = await call('GET', '/v1/account/security-events?limit=10', { token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['signup', 'email_verified', 'login_succeeded', 'key_created', 'key_rolled', 'key_revoked']),
    );
  });

  it('sets a session cookie that authenticates on its own, and logout ends it', async () => {
    await onboard('cookie');
    const login = await fetch(`${local.api}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: email('cookie'), password: PASSWORD }),
    });
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^omn_session=omn_sess_[\w-]+; HttpOnly; Secure; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0]!;
    const me = await fetch(`${local.api}/v1/account`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: email('cookie'), emailVerified: true });
    // A cookie-authenticated write sends JSON's content type (a page of another site cannot, without a preflight).
    expect((await fetch(`${local.api}/v1/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(415);
    expect(
      (await fetch(`${local.api}/v1/auth/logout`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' } })).status,
    ).toBe(204);
    expect((await fetch(`${local.api}/v1/account`, { headers: { cookie } })).status).toBe(401);
  });

  it("never lets one account read or change another's keys or sessions", async () => {
    const alice = await onboard('alice');
    const mallory = await onboard('mallory');
    const key = (await call('POST', '/v1/keys', { token: alice, body: { name: 'alice key' } })).body;
    const aliceSession = (await call('GET', '/v1/account/sessions', { token: alice })).body.sessions[0];

    for (const attempt of [
      call('DELETE', `/v1/keys/${key.keyId}`, { token: mallory }),
      call('POST', `/v1/keys/${key.keyId}/roll`, { token: mallory }),
      call('DELETE', `/v1/account/sessions/${aliceSession.sessionId}`, { token: mallory }),
    ]) {
      const response = await attempt;
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    expect((await call('GET', '/v1/keys', { token: mallory })).body.keys).toEqual([]);
    expect((await call('GET', '/v1/account', { token: mallory })).body.email).toBe(email('mallory'));
    expect(
      (await call('GET', '/v1/account/security-events', { token: mallory })).body.events.every(
        (e: { accountId: string }) => e.accountId !== key.accountId,
      ),
    ).toBe(true);
    expect((await call('GET', '/v1/keys', { token: alice })).body.keys[0]).toMatchObject({ keyId: key.keyId, status: 'active' });
    expect((await call('GET', '/v1/account/sessions', { token: alice })).body.sessions).toHaveLength(1);
  });

  it('gives exactly one account to concurrent sign-ups with one email, and reveals nothing', async () => {
    const answers = await Promise.all(
      [0, 1, 2].map((i) => call('POST', '/v1/auth/signup', { body: { name: `Twin ${i}`, email: email('twin'), password: PASSWORD } })),
    );
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [201, 'verification_sent'],
      [201, 'verification_sent'],
      [201, 'verification_sent'],
    ]);
    const mails = await eventually(async () => {
      const found = await mailTo(local.dataDir, email('twin'));
      if (found.length < 3) throw new Error('mail still arriving');
      return found;
    });
    expect(mails.filter((m) => m.subject === 'Confirm your OmnAPI account')).toHaveLength(1);
    // The address's account is unconfirmed: the other two sign-ups mail the link that sets its password instead.
    expect(mails.filter((m) => m.subject === 'Finish signing up to OmnAPI')).toHaveLength(2);
  });

  it('answers malformed and invalid bodies with 4xx JSON errors naming the problem', async () => {
    const malformed = await call('POST', '/v1/auth/signup', { raw: '{"name": "x", ' });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    const invalid = await call('POST', '/v1/auth/signup', { body: { name: 'x', email: 'not-an-email', password: PASSWORD } });
    expect(invalid).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', message: expect.stringMatching(/^body\.email: /) } },
    });
    const weak = await call('POST', '/v1/auth/signup', { body: { name: 'x', email: email('weak'), password: 'short' } });
    expect(weak).toMatchObject({ status: 400, body: { error: { code: 'weak_password' } } });
    const unauthenticated = await call('GET', '/v1/account');
    expect(unauthenticated).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
  });

  it('throttles repeated failed logins with 429 and Retry-After', async () => {
    // Signed up and verified, never signed in: this address is not one the account signs in from (which the email's limit spares).
    expect((await call('POST', '/v1/auth/signup', { body: { name: 'target', email: email('target'), password: PASSWORD } })).status).toBe(
      201,
    );
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email('target'))))).status).toBe(200);
    // The limit counts in fixed 15-minute windows: seven checks (each answered no sooner than 500 ms) must not straddle a turn.
    const window = 15 * 60_000;
    const left = window - (Date.now() % window);
    if (left < 30_000) await new Promise((r) => setTimeout(r, left + 1_000));
    const attempts = [];
    // Five failed checks per email a window; then 429 at once, even for the right password.
    for (let i = 0; i < 6; i++)
      attempts.push(await call('POST', '/v1/auth/login', { body: { email: email('target'), password: 'not the password' } }));
    attempts.push(await call('POST', '/v1/auth/login', { body: { email: email('target'), password: PASSWORD } }));
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(Number(attempts[5]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('keeps an audit trail the holder can read and an operator can verify; an altered event breaks the chain', async () => {
    const token = await onboard('audited');
    const key = await call('POST', '/v1/keys', { token, body: { name: 'audited-key' } });
    expect(key.status).toBe(201);
    expect((await ops(local, 'grant-credits', '--email', email('audited'), '--amount', '3', '--reason', 'e2e audit')).code).toBe(0);
    const trail = await call('GET', '/v1/account/audit', { token });
    expect(trail.status).toBe(200);
    const actions = trail.body.events.map((e: { action: string; actor: { type: string } }) => `${e.actor.type}:${e.action}`);
    // Newest first: the grant, the key, and the verification link the holder followed (seq 1).
    expect(actions).toEqual(['operator:credits.grant', 'account:key.create', 'account:email.verify']);
    expect(trail.body.events[1]).toMatchObject({
      targets: expect.arrayContaining([{ type: 'key', id: key.body.keyId }]),
      context: { ip: expect.any(String), requestId: expect.any(String) },
    });
    const accountId = (await call('GET', '/v1/account', { token })).body.accountId as string;
    expect((await ops(local, 'audit', 'verify', '--stream', `account#${accountId}`)).stdout).toMatch(/Every chain holds: 3 event/);
    const listed = await ops(local, 'audit', 'list', '--email', email('audited'), '--action', 'credits.grant');
    expect(listed.stdout).toMatch(/credits\.grant .*e2e audit/);

    // Support's tools: the account at a glance, a correction that never overdraws.
    const shown = await ops(local, 'accounts', 'show', '--key-prefix', String(key.body.prefix));
    expect(shown.stdout).toMatch(/balance 3 credits/);
    expect(shown.stdout).toMatch(/last 24 h: 0 call\(s\)/);
    expect(shown.stdout).toContain(`key ${key.body.keyId}`);
    expect(
      (await ops(local, 'credits', 'adjust', '--email', email('audited'), '--amount', '-5', '--reason', 'e2e', '--ref', 'tkt-1')).code,
    ).toBe(2);
    expect(
      (await ops(local, 'credits', 'adjust', '--email', email('audited'), '--amount', '-1', '--reason', 'e2e', '--ref', 'tkt-2')).stdout,
    ).toMatch(/Balance: 2 credits/);
    // A metered call a moment ago is in the last 24 hours at once: in a slot, which no rollup counts before its day
    // ends, read from its item as the usage API reads it.
    expect((await call('GET', '/v1/api/echo/at-a-glance', { key: String(key.body.secret) })).status).toBe(200);
    await eventually(async () =>
      expect((await ops(local, 'accounts', 'show', '--email', email('audited'))).stdout).toMatch(/last 24 h: 1 call\(s\)/),
    );

    // Someone with table access rewrites the grant: verify names the event and exits 1.
    await dynamo.send(
      new UpdateCommand({
        TableName: 'auditEvents',
        Key: { pk: `STREAM#account#${accountId}`, sk: 'E#000000000003' },
        UpdateExpression: 'SET reason = :r',
        ExpressionAttributeValues: { ':r': 'nothing to see' },
      }),
    );
    const broken = await ops(local, 'audit', 'verify', '--stream', `account#${accountId}`);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BREAK in account#acc_\w+ at seq 3 .*altered/);
  });

  it('left only items of types declared in lambdas/shared/items.ts, in every table', async () => {
    expect(await unrecognisedItems(dynamo)).toEqual([]);
  });
});
