import { accountRoutes } from '../../lambdas/accounts/routes';
import { type CallOptions, callApi, eventually, type LocalProcess, startLocalProcess, SETUP_TIMEOUT_MS } from '../helpers/local-process';
import { linkMailedTo, mailTo } from '../helpers/outbox';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a different horse, battery and staple';
/** Longer than any of these tests takes from a sign-in to the change that must end it. */
const INDEX_LAG_MS = 30_000;

/**
 * The account holder's own changes — correcting the account, a new email address, a new password,
 * preferences, ending a session — as a deploy rehearsal: each function runs with its template's grants
 * only (IAM enforced, as `npm start` does), so a binding these rarely used paths need and no other test
 * reaches fails here, not after `cdk deploy`. The tables' indexes lag behind their writes, as
 * DynamoDB's may (`LOCAL_INDEX_LAG_MS`): ending sessions must not rely on an index to find them.
 */
describe('self-service changes against npm start, with IAM enforced', () => {
  let local: LocalProcess;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;
  const call = (method: string, path: string, options?: CallOptions) => callApi(local.api, method, path, options);
  const login = (address: string, password: string) => call('POST', '/v1/auth/login', { body: { email: address, password } });

  beforeAll(async () => {
    local = await startLocalProcess({ env: { LOCAL_INDEX_LAG_MS: String(INDEX_LAG_MS) } });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await local?.stop();
  });

  it('corrects the name, moves the email, changes the password, sets preferences and ends a session: each done, audited, and nothing refused by IAM', async () => {
    expect((await call('POST', '/v1/auth/signup', { body: { name: 'Ann', email: email('ann'), password: PASSWORD } })).status).toBe(201);
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email('ann'))))).status).toBe(200);
    const first = await login(email('ann'), PASSWORD);
    const second = await login(email('ann'), PASSWORD);
    expect([first.status, second.status]).toEqual([200, 200]);
    const token = first.body.token as string;

    const renamed = await call('PATCH', '/v1/account', { token, body: { name: 'Ann Smith' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Ann Smith');

    // A new address is confirmed from that address before it replaces the old one.
    const moved = await call('PATCH', '/v1/account', { token, body: { email: email('ann.smith'), currentPassword: PASSWORD } });
    expect(moved.status).toBe(200);
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email('ann.smith'))))).status).toBe(200);
    await eventually(async () => expect((await call('GET', '/v1/account', { token })).body.email).toBe(email('ann.smith')));

    const preferences = { productUpdates: true, analytics: false, deprecationNotices: false, lowBalanceCredits: '5' };
    const set = await call('PUT', '/v1/account/preferences', { token, body: preferences });
    expect(set.status).toBe(200);
    expect((await call('GET', '/v1/account/preferences', { token })).body).toMatchObject(preferences);

    expect((await call('DELETE', `/v1/account/sessions/${second.body.sessionId}`, { token })).status).toBe(204);
    expect((await call('GET', '/v1/account', { token: second.body.token })).status).toBe(401);

    const third = await login(email('ann.smith'), PASSWORD);
    expect(third.status).toBe(200);
    const changed = await call('POST', '/v1/account/password', { token, body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(changed.status).toBe(204);
    expect((await call('GET', '/v1/account', { token: third.body.token })).status).toBe(401);
    expect((await login(email('ann.smith'), PASSWORD)).status).toBe(401);
    expect((await login(email('ann.smith'), NEW_PASSWORD)).status).toBe(200);
    await eventually(async () => expect((await mailTo(local.dataDir, email('ann.smith'))).length).toBeGreaterThanOrEqual(2));

    const audited = await eventually(async () => {
      const trail = await call('GET', '/v1/account/audit', { token });
      const actions = trail.body.events.map((e: { action: string }) => e.action);
      const expected = [
        accountRoutes.updateAccount,
        accountRoutes.setPreferences,
        accountRoutes.revokeSession,
        accountRoutes.changePassword,
      ];
      expect(actions).toEqual(expect.arrayContaining(expected.map((r) => r.audit!.action)));
      return actions;
    });
    expect(audited.filter((action: string) => action === accountRoutes.updateAccount.audit!.action)).toHaveLength(2);
    const security = await call('GET', '/v1/account/security-events', { token });
    expect(security.status).toBe(200);
    expect(security.body.events.length).toBeGreaterThan(0);

    expect(local.output()).not.toMatch(/iam DENIED/);
  }, 300_000);

  it('a password reset signs out a session opened a moment before it (a thief with the old password); a list, a password change and a sign-out of all others see one just opened', async () => {
    expect((await call('POST', '/v1/auth/signup', { body: { name: 'Bo', email: email('bo'), password: PASSWORD } })).status).toBe(201);
    expect((await fetch(await eventually(() => linkMailedTo(local.dataDir, email('bo'))))).status).toBe(200);
    const owner = await login(email('bo'), PASSWORD);
    expect((await call('POST', '/v1/auth/password-reset', { body: { email: email('bo') } })).status).toBe(202);
    const mail = await eventually(async () => {
      const found = (await mailTo(local.dataDir, email('bo'))).filter((m) => m.subject === 'Reset your OmnAPI password');
      if (!found.length) throw new Error('no reset mail yet');
      return found.at(-1)!;
    });
    const resetToken = new URL(mail.text!.match(/https?:\/\/\S+token=\S+/)![0]).searchParams.get('token')!;

    const thief = await login(email('bo'), PASSWORD);
    expect(thief.status).toBe(200);
    const reset = await call('POST', '/v1/auth/password-reset/confirm', { body: { token: resetToken, password: NEW_PASSWORD } });
    expect(reset).toMatchObject({ status: 200, body: { sessionsRevoked: 2 } });
    expect((await call('GET', '/v1/account', { token: thief.body.token })).status).toBe(401);
    expect((await call('GET', '/v1/account', { token: owner.body.token })).status).toBe(401);

    // A session opened a moment ago is listed, and a password change from another ends it.
    const fresh = await login(email('bo'), NEW_PASSWORD);
    const another = await login(email('bo'), NEW_PASSWORD);
    const listed = await call('GET', '/v1/account/sessions', { token: fresh.body.token });
    expect(listed.body.sessions.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual(
      [fresh.body.sessionId, another.body.sessionId].sort(),
    );
    const changed = await call('POST', '/v1/account/password', {
      token: fresh.body.token,
      body: { currentPassword: NEW_PASSWORD, newPassword: PASSWORD },
    });
    expect(changed.status).toBe(204);
    expect((await call('GET', '/v1/account', { token: another.body.token })).status).toBe(401);
    expect((await call('GET', '/v1/account', { token: fresh.body.token })).status).toBe(200);

    // Signing out every other session, without a password change: one opened a moment before ends, the caller stays.
    const unknown = await login(email('bo'), PASSWORD);
    const others = await call('DELETE', '/v1/account/sessions', { token: fresh.body.token });
    expect(others).toMatchObject({ status: 200, body: { sessionsRevoked: 1 } });
    expect((await call('GET', '/v1/account', { token: unknown.body.token })).status).toBe(401);
    expect((await call('GET', '/v1/account', { token: fresh.body.token })).status).toBe(200);
    expect(local.output()).not.toMatch(/iam DENIED/);
  }, 300_000);
});
