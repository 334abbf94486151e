import { KeyService, MAX_KEYS_PER_ACCOUNT, ROLL_GRACE_SECONDS } from '../../../lambdas/accounts/domain/keys';
import { sha256 } from '../../../lambdas/accounts/domain/secrets';
import { FixedClock, MemoryAccounts, MemoryKeys, MemorySecurityLog } from '../../helpers/memory-accounts';

const origin = { ip: '203.0.113.9', userAgent: 'jest' };

function setup() {
  const keys = new MemoryKeys();
  const clock = new FixedClock();
  const securityLog = new MemorySecurityLog();
  const service = new KeyService({ keys, accounts: new MemoryAccounts(), securityLog, clock });
  return { keys, clock, securityLog, service };
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
    const { service } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    await expect(service.resolve(secret)).resolves.toEqual({ accountId: 'acc_a', keyId: key.keyId, plan: 'free', status: 'active' });
    await expect(service.resolve(`${secret.slice(0, -1)}x`)).resolves.toBeUndefined();
    await expect(service.resolve('Bearer nonsense')).resolves.toBeUndefined();
  });

  it('rejects a revoked secret at once', async () => {
    const { service, securityLog } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    await service.revoke('acc_a', key.keyId, origin);
    await expect(service.resolve(secret)).resolves.toBeUndefined();
    expect(securityLog.events.map((e) => e.type)).toEqual(['key_created', 'key_revoked']);
  });

  it('keeps a rolled secret working for the grace period only', async () => {
    const { service, clock } = setup();
    const first = await service.create('acc_a', 'ci', origin);
    const rolled = await service.roll('acc_a', first.key.keyId, origin);
    expect(rolled.key.name).toBe('ci');
    await expect(service.resolve(rolled.secret)).resolves.toMatchObject({ keyId: rolled.key.keyId, status: 'active' });
    await expect(service.resolve(first.secret)).resolves.toMatchObject({ keyId: first.key.keyId, status: 'rolling' });
    clock.advance(ROLL_GRACE_SECONDS);
    await expect(service.resolve(first.secret)).resolves.toBeUndefined();
    await expect(service.resolve(rolled.secret)).resolves.toBeDefined();
    await expect(service.roll('acc_a', first.key.keyId, origin)).rejects.toMatchObject({ status: 404 });
  });

  it('never lets one account revoke, roll or list another account\'s key', async () => {
    const { service } = setup();
    const { key, secret } = await service.create('acc_a', 'ci', origin);
    await expect(service.revoke('acc_b', key.keyId, origin)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(service.roll('acc_b', key.keyId, origin)).rejects.toMatchObject({ status: 404 });
    expect(await service.list('acc_b')).toEqual([]);
    await expect(service.resolve(secret)).resolves.toMatchObject({ accountId: 'acc_a' });
  });

  it('caps live keys per account; revoked keys do not count', async () => {
    const { service } = setup();
    const created = [];
    for (let i = 0; i < MAX_KEYS_PER_ACCOUNT; i++) created.push(await service.create('acc_a', `k${i}`, origin));
    await expect(service.create('acc_a', 'one more', origin)).rejects.toMatchObject({ status: 409, code: 'key_limit' });
    await service.revoke('acc_a', created[0]!.key.keyId, origin);
    await expect(service.create('acc_a', 'one more', origin)).resolves.toBeDefined();
  });
});
