import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSessionStore } from '../../../lambdas/accounts/adapters/dynamodb-stores';
import { AccountService } from '../../../lambdas/accounts/domain/accounts';
import { DynamoDbSubjectData } from '../../../lambdas/privacy/adapters/dynamodb-subject-data';
import type { ExportedTable } from '../../../lambdas/privacy/export-schema';
import { sha256 } from '../../../lambdas/shared/crypto';
import { ITEMS } from '../../../lambdas/shared/items';
import { TABLE_SPECS } from '../../../lambdas/shared/tables';
import type { UsageLogStore } from '../../../lambdas/shared/usage-logs';
import { eraserOn } from '../../helpers/eraser';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { FixedClock, MemoryAccounts, MemoryMailer, MemorySecurityLog, MemoryTokens, PlainHasher } from '../../helpers/memory-accounts';

const origin = { ip: '203.0.113.9', userAgent: 'jest' };
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';

/** The account service over real session items in local DynamoDB; every other port in memory. */
function serviceOn(dynamo: LocalDynamo) {
  const deps = {
    accounts: new MemoryAccounts(),
    sessions: new DynamoDbSessionStore(dynamo.client, 'sessions'),
    tokens: new MemoryTokens(),
    securityLog: new MemorySecurityLog(),
    hasher: new PlainHasher(),
    mailer: new MemoryMailer(),
    clock: new FixedClock(new Date()),
    pacing: { now: () => 0, sleep: async () => undefined },
    publicUrl: 'https://api.omnapi.test',
  };
  const service = new AccountService({ ...deps, failures: deps.securityLog });
  /** A verified account signed in once: its principal (and its token, as `token`). */
  const owner = async (email: string) => {
    await service.signup({ name: 'Owner', email, password: PASSWORD }, origin);
    await service.confirmEmailToken(deps.mailer.tokenFor(email), origin);
    const { token } = await service.login({ email, password: PASSWORD }, origin);
    return { ...(await service.authenticate(token)), token };
  };
  /** A sign-in from elsewhere with the same password (a thief's): its token. */
  const signIn = async (email: string) => (await service.login({ email, password: PASSWORD }, { ...origin, ip: '198.51.100.7' })).token;
  return { ...deps, service, owner, signIn };
}

/**
 * DynamoDB's global secondary indexes are eventually consistent: a session opened a moment before a
 * sign-out of every session may not be in `gsi1` yet. Here the index lags a minute behind every write
 * (the local proxy's `indexLagMs`), so anything that finds an account's sessions through it misses the
 * newest one.
 */
describe('ending every session while the index lags behind', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ indexLagMs: 60_000 });
  });
  afterAll(() => dynamo.stop());

  it('lists a session opened a moment ago', async () => {
    const { service, owner, signIn } = serviceOn(dynamo);
    const ann = await owner('list@example.org');
    const other = await service.authenticate(await signIn('list@example.org'));
    expect((await service.listSessions(ann)).map((s) => s.sessionId).sort()).toEqual([ann.sessionId, other.sessionId].sort());
  });

  it('a password change signs out a session opened a moment before it, and keeps the one that changed it', async () => {
    const { service, owner, signIn } = serviceOn(dynamo);
    const ann = await owner('change@example.org');
    const thief = await signIn('change@example.org');

    await service.changePassword(ann, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, origin);

    await expect(service.authenticate(thief)).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(service.authenticate(ann.token)).resolves.toMatchObject({ sessionId: ann.sessionId });
    expect((await service.listSessions(ann)).map((s) => s.sessionId)).toEqual([ann.sessionId]);
  });

  it('signing out every other session ends one opened a moment before, keeps the caller, and records each', async () => {
    const { service, owner, signIn, securityLog } = serviceOn(dynamo);
    const ann = await owner('others@example.org');
    const [laptop, thief] = [await signIn('others@example.org'), await signIn('others@example.org')];
    const [laptopId, thiefId] = [(await service.authenticate(laptop)).sessionId, (await service.authenticate(thief)).sessionId];

    await expect(service.revokeOtherSessions(ann, origin)).resolves.toBe(2);

    await expect(service.authenticate(thief)).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(service.authenticate(laptop)).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(service.authenticate(ann.token)).resolves.toMatchObject({ sessionId: ann.sessionId });
    expect((await service.listSessions(ann)).map((s) => s.sessionId)).toEqual([ann.sessionId]);
    const revoked = securityLog.events.filter((e) => e.accountId === ann.accountId && e.type === 'session_revoked');
    expect(revoked.map((e) => e.detail?.sessionId).sort()).toEqual([laptopId, thiefId].sort());
    // Nothing left to sign out: none, and the caller is still in.
    await expect(service.revokeOtherSessions(ann, origin)).resolves.toBe(0);
  });

  it('a password reset signs out every session, one opened a moment before it included', async () => {
    const { service, owner, signIn, mailer } = serviceOn(dynamo);
    const ann = await owner('reset@example.org');
    const thief = await signIn('reset@example.org');
    await service.requestPasswordReset({ email: 'reset@example.org' }, origin);

    await expect(service.resetPassword({ token: mailer.tokenFor('reset@example.org'), password: NEW_PASSWORD }, origin)).resolves.toEqual({
      accountId: ann.accountId,
      sessionsRevoked: 2,
    });

    await expect(service.authenticate(thief)).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(service.authenticate(ann.token)).rejects.toMatchObject({ kind: 'unauthenticated' });
    expect(await new DynamoDbSessionStore(dynamo.client, 'sessions').listByAccount(ann.accountId)).toEqual([]);
  });

  it("the eraser's stop of access ends a session opened a moment before it, and the export lists it", async () => {
    const { service, owner, signIn } = serviceOn(dynamo);
    const ann = await owner('erase@example.org');
    const thief = await signIn('erase@example.org');
    const subject = { accountId: ann.accountId, email: 'erase@example.org', emailSince: new Date(0).toISOString() };

    const exported: Record<string, unknown>[] = [];
    const data = new DynamoDbSubjectData(dynamo.client, tablesByName(), {} as UsageLogStore);
    for await (const item of data.items('sessions', subject)) exported.push(item);
    expect(exported).toHaveLength(2);
    expect(exported.every((s) => s.accountId === ann.accountId && !('tokenHash' in s) && !('pk' in s))).toBe(true);

    await expect(eraserOn(dynamo).stopAccess(subject)).resolves.toEqual({ keys: 0, sessions: 2 });
    await expect(service.authenticate(thief)).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(eraserOn(dynamo).erasePage('sessions', subject, 10)).resolves.toEqual({ erased: 0, remaining: false });
    const left = (await dynamo.scanAll()).sessions.filter((item) => JSON.stringify(item).includes(ann.accountId));
    expect(left).toEqual([]);
  });
});

describe('sessions opened before the account-side items existed', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  /** A session as the store wrote it before: the lookup item alone, listed through gsi1. */
  const legacySession = async (accountId: string, token: string) => {
    const now = Math.floor(Date.now() / 1000);
    const session = {
      sessionId: `ses_${sha256(token).slice(0, 24)}`,
      tokenHash: sha256(token),
      accountId,
      ip: '192.0.2.1',
      userAgent: 'old',
      createdAt: new Date(Date.now() - 3600_000).toISOString(),
      expiresAt: now + 3600,
    };
    await dynamo.client.send(
      new PutCommand({
        TableName: 'sessions',
        Item: {
          ...ITEMS.session.key({ tokenHash: session.tokenHash }),
          gsi1pk: ITEMS.session.gsi1pk({ accountId }),
          gsi1sk: session.createdAt,
          ...session,
        },
      }),
    );
    return session;
  };

  it('still work, are listed, and end with a password change', async () => {
    const { service, owner } = serviceOn(dynamo);
    const ann = await owner('legacy@example.org');
    const old = await legacySession(ann.accountId, 'omn_sess_legacy-one');
    await expect(service.authenticate('omn_sess_legacy-one')).resolves.toMatchObject({ sessionId: old.sessionId });
    expect((await service.listSessions(ann)).map((s) => s.sessionId).sort()).toEqual([ann.sessionId, old.sessionId].sort());

    await service.changePassword(ann, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, origin);

    await expect(service.authenticate('omn_sess_legacy-one')).rejects.toMatchObject({ kind: 'unauthenticated' });
    expect((await service.listSessions(ann)).map((s) => s.sessionId)).toEqual([ann.sessionId]);
  });

  it('end one at a time, and are erased with the rest', async () => {
    const { service, owner } = serviceOn(dynamo);
    const ann = await owner('legacy-erase@example.org');
    const first = await legacySession(ann.accountId, 'omn_sess_legacy-two');
    await legacySession(ann.accountId, 'omn_sess_legacy-three');

    await service.revokeSession(ann, first.sessionId, origin);
    await expect(service.authenticate('omn_sess_legacy-two')).rejects.toMatchObject({ kind: 'unauthenticated' });

    const subject = { accountId: ann.accountId, email: 'legacy-erase@example.org', emailSince: new Date(0).toISOString() };
    await expect(eraserOn(dynamo).erasePage('sessions', subject, 1)).resolves.toEqual({ erased: 1, remaining: true });
    await expect(eraserOn(dynamo).erasePage('sessions', subject, 1)).resolves.toEqual({ erased: 1, remaining: false });
    const left = (await dynamo.scanAll()).sessions.filter((item) => JSON.stringify(item).includes(ann.accountId));
    expect(left).toEqual([]);
  });
});

function tablesByName(): Record<ExportedTable, string> {
  return Object.fromEntries(Object.keys(TABLE_SPECS).map((t) => [t, t])) as Record<ExportedTable, string>;
}
