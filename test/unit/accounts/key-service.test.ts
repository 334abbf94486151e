import { KeyService, MAX_KEYS_PER_ACCOUNT, ROLL_GRACE_SECONDS } from '../../../lambdas/accounts/domain/keys';
import { resolveKey } from '../../../lambdas/metering/domain/keys';
import { sha256 } from '../../../lambdas/shared/crypto';
import { FixedClock, MemoryAccounts, MemoryKeys, MemorySecurityLog } from '../../helpers/memory-accounts';

const origin = { ip: '203.0.113.9', userAgent: 'jest' };

function setup() {
  const keys = new MemoryKeys();
  const clock = new FixedClock();
  const securityLog = new MemorySecurityLog();
  const accounts = new MemoryAccounts();
  void accounts.create({
    accountId: 'acc_a',
    email: 'a@example.org',
    name: 'A',
    profile: {},
    preferences: { productUpdates: false, analytics: true },
    passwordHash: 'x',
    emailVerified: true,
    plan: 'free',
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
  });
  const service = new KeyService({ keys, accounts, securityLog, clock });
  // The gateway's resolution (metering) over the keys this service writes: the contract between the two.
  const resolve = (secret: string) => resolveKey(keys, secret, clock.now());
  return { keys, clock, securityLog, service, resolve, accounts };
}

describe('KeyService', () => {
  it('returns a 32-byte secret once and stores only its SHA-256 and a short prefix', async () => {
    const { service, keys } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    expect(secret).toMatch(/^omn_live_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.slice('omn_live_'.length), 'base64url')).toHaveLength(32);
    expect(key.prefix).toBe(secret.slice(0, 13));
    expect(JSON.stringify([...keys.items.values()])).not.toContain(secret);
    expect([...keys.items.values()][0]!.secretHash).toBe(sha256(secret));
    expect(await service.list('acc_a')).toEqual([key]);
    expect(JSON.stringify(await service.list('acc_a'))).not.toMatch(/secretHash|omn_live_[A-Za-z0-9_-]{20}/);
  });

  it('resolves a live secret to its account, key and plan, and nothing else', async () => {
    const { service, resolve } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    await expect(resolve(secret)).resolves.toEqual({ accountId: 'acc_a', keyId: key.keyId, plan: 'free', status: 'active' });
    await expect(resolve(`${secret.slice(0, -1)}x`)).resolves.toBeUndefined();
    await expect(resolve('Bearer nonsense')).resolves.toBeUndefined();
  });

  it("suspends and reinstates the account's live keys, and new keys start suspended while it lasts", async () => {
    const { service, resolve, securityLog } = setup();
    const { secret } = await service.create('acc_a', 'ci', origin);
    await service.setSuspended('acc_a', { reason: 'card testing', by: 'ops' }, origin);
    await expect(resolve(secret)).resolves.toMatchObject({ suspended: true });
    const during = await service.create('acc_a', 'new', origin);
    await expect(resolve(during.secret)).resolves.toMatchObject({ suspended: true });
    await service.setSuspended('acc_a', undefined, origin);
    await expect(resolve(secret)).resolves.not.toHaveProperty('suspended');
    expect(securityLog.events.map((e) => e.type)).toEqual(expect.arrayContaining(['account_suspended', 'account_unsuspended']));
  });

  it('moves the account and its live keys to a new plan', async () => {
    const { service, resolve, accounts } = setup();
    const { secret } = await service.create('acc_a', 'ci', origin);
    const revoked = await service.create('acc_a', 'old', origin);
    await service.revoke('acc_a', revoked.key.keyId, origin);
    await expect(service.setPlan('acc_a', 'pro')).resolves.toEqual({ keys: 1 });
    await expect(resolve(secret)).resolves.toMatchObject({ plan: 'pro' });
    expect(accounts.byId.get('acc_a')!.plan).toBe('pro');
  });

  it('rejects a revoked secret at once', async () => {
    const { service, securityLog, resolve } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    await service.revoke('acc_a', key.keyId, origin);
    await expect(resolve(secret)).resolves.toBeUndefined();
    expect(securityLog.events.map((e) => e.type)).toEqual(['key_created', 'key_revoked']);
  });

  it('keeps a rolled secret working for the grace period only', async () => {
    const { service, clock, resolve } = setup();
    const first = await service.create('acc_a', 'ci', origin);
    const rolled = await service.roll('acc_a', first.key.keyId, origin);
    expect(rolled.key.name).toBe('ci');
    await expect(resolve(rolled.secret)).resolves.toMatchObject({ keyId: rolled.key.keyId, status: 'active' });
    await expect(resolve(first.secret)).resolves.toMatchObject({ keyId: first.key.keyId, status: 'rolling' });
    clock.advance(ROLL_GRACE_SECONDS);
    await expect(resolve(first.secret)).resolves.toBeUndefined();
    await expect(resolve(rolled.secret)).resolves.toBeDefined();
    await expect(service.roll('acc_a', first.key.keyId, origin)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('keeps one old secret per key: a rolled key is rolled again only once its predecessor is revoked or past its grace', async () => {
    const { service, clock, resolve } = setup();
    const first = await service.create('acc_a', 'ci', origin);
    const second = await service.roll('acc_a', first.key.keyId, origin);
    // Rolling the new key at once would leave three secrets working, and a chain of rolls any number.
    await expect(service.roll('acc_a', second.key.keyId, origin)).rejects.toMatchObject({ kind: 'conflict', code: 'roll_pending' });
    await expect(resolve(first.secret)).resolves.toBeDefined();
    await service.revoke('acc_a', first.key.keyId, origin);
    const third = await service.roll('acc_a', second.key.keyId, origin);
    // Past its predecessor's grace, a key rolls with no revocation first.
    clock.advance(ROLL_GRACE_SECONDS);
    await expect(service.roll('acc_a', third.key.keyId, origin)).resolves.toHaveProperty('secret');
  });

  it("never lets one account revoke, roll or list another account's key", async () => {
    const { service, resolve } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    await expect(service.revoke('acc_b', key.keyId, origin)).rejects.toMatchObject({ kind: 'not_found', code: 'not_found' });
    await expect(service.roll('acc_b', key.keyId, origin)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await service.list('acc_b')).toEqual([]);
    await expect(resolve(secret)).resolves.toMatchObject({ accountId: 'acc_a' });
  });

  it('caps live keys per account; revoked keys do not count', async () => {
    const { service } = setup();
    const created = [];
    for (let i = 0; i < MAX_KEYS_PER_ACCOUNT; i++) created.push(await service.create('acc_a', `k${i}`, origin));
    await expect(service.create('acc_a', 'one more', origin)).rejects.toMatchObject({ kind: 'conflict', code: 'key_limit' });
    await service.revoke('acc_a', created[0]!.key.keyId, origin);
    await expect(service.create('acc_a', 'one more', origin)).resolves.toBeDefined();
  });

  it('holds the cap when keys are created concurrently: thirty at once leave twenty live keys', async () => {
    const { service, keys } = setup();
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => service.create('acc_a', `k${i}`, origin)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_KEYS_PER_ACCOUNT);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused.map((e) => e.code)).toEqual(Array(30 - MAX_KEYS_PER_ACCOUNT).fill('key_limit'));
    expect((await keys.listByAccount('acc_a')).filter((k) => k.status === 'active')).toHaveLength(MAX_KEYS_PER_ACCOUNT);
  });

  it('holds the cap with keys that hold no place (stored before places existed, or made by a roll)', async () => {
    const { service, keys, clock } = setup();
    for (let i = 0; i < 12; i++) {
      await keys.put({
        keyId: `key_old${i}`,
        secretHash: `h${i}`,
        prefix: 'omn_live_old',
        accountId: 'acc_a',
        name: 'old',
        plan: 'free',
        status: 'active',
        createdAt: clock.now().toISOString(),
      });
    }
    const first = await service.create('acc_a', 'new', origin);
    await service.roll('acc_a', first.key.keyId, origin);
    // 14 working keys, one of them holding a place: 6 more, however many ask at once.
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => service.create('acc_a', `k${i}`, origin)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
    const now = clock.now().toISOString();
    expect((await keys.listByAccount('acc_a')).filter((k) => k.status === 'active' || (k.graceUntil ?? '') > now)).toHaveLength(
      MAX_KEYS_PER_ACCOUNT,
    );
  });

  it('counts a rolled key against the cap during its grace period only, so rolling regularly never locks key creation', async () => {
    const { service, clock } = setup();
    let { key } = await service.create('acc_a', 'ci', origin);
    // A monthly roll for two years: every old secret stopped working a day after its roll.
    for (let i = 0; i < 2 * MAX_KEYS_PER_ACCOUNT; i++) {
      ({ key } = await service.roll('acc_a', key.keyId, origin));
      clock.advance(30 * 24 * 3600);
    }
    await expect(service.create('acc_a', 'deploy', origin)).resolves.toBeDefined();
    // While a rolled secret still works it is a live key: one short of the cap, a roll reaches it.
    for (let i = 2; i < MAX_KEYS_PER_ACCOUNT - 1; i++) await service.create('acc_a', `k${i}`, origin);
    await service.roll('acc_a', key.keyId, origin);
    await expect(service.create('acc_a', 'one more', origin)).rejects.toMatchObject({ code: 'key_limit' });
    clock.advance(ROLL_GRACE_SECONDS);
    await expect(service.create('acc_a', 'one more', origin)).resolves.toBeDefined();
  });
});
