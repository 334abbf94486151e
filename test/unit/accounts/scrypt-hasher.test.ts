import { OWASP_SCRYPT, ScryptHasher, scryptCostOf } from '../../../lambdas/shared/adapters/scrypt-hasher';

describe('ScryptHasher', () => {
  // A low cost keeps the test fast; production uses OWASP_SCRYPT (logN 17).
  const hasher = new ScryptHasher({ logN: 10, r: 8, p: 1 });

  it('salts every hash and records its cost', async () => {
    const a = await hasher.hash('correct horse battery staple');
    const b = await hasher.hash('correct horse battery staple');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(a).not.toContain('horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    await expect(hasher.verify('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', stored)).resolves.toBe(false);
  });

  it('verifies hashes made at another cost, so the cost can be raised later', async () => {
    const old = await new ScryptHasher({ logN: 11, r: 8, p: 1 }).hash('passphrase of old');
    await expect(hasher.verify('passphrase of old', old)).resolves.toBe(true);
  });

  it('answers false without a stored hash, after doing the same work', async () => {
    await expect(hasher.verify('anything at all', undefined)).resolves.toBe(false);
    await expect(hasher.verify('anything', 'garbage')).resolves.toBe(false);
  });

  it('uses the OWASP cost by default', async () => {
    expect(await new ScryptHasher().hash('x')).toMatch(/^scrypt\$17\$8\$1\$/);
  });
});

describe('ScryptHasher at cold start', () => {
  it('runs no KDF until a decoy is first needed', async () => {
    const crypto = require('node:crypto');
    const spy = jest.spyOn(crypto, 'scrypt');
    const hasher = new ScryptHasher({ logN: 10, r: 8, p: 1 });
    expect(spy).not.toHaveBeenCalled();
    await expect(hasher.verify('anything at all', undefined)).resolves.toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});

describe('the cost a function hashes at', () => {
  it('is the deployed (OWASP) cost when no local runtime lowers it', () => {
    expect(scryptCostOf({})).toEqual(OWASP_SCRYPT);
    expect(scryptCostOf({ LOCAL_SCRYPT_LOG_N: '' })).toEqual(OWASP_SCRYPT);
  });

  it("is the local runtime's lower N for tests, r and p unchanged", async () => {
    const cost = scryptCostOf({ LOCAL_SCRYPT_LOG_N: '12' });
    expect(cost).toEqual({ logN: 12, r: 8, p: 1 });
    expect(await new ScryptHasher(cost).hash('x')).toMatch(/^scrypt\$12\$8\$1\$/);
  });

  it('refuses a cost below 2^10 or above the deployed one, naming the variable', () => {
    expect(() => scryptCostOf({ LOCAL_SCRYPT_LOG_N: '9' })).toThrow(/LOCAL_SCRYPT_LOG_N/);
    expect(() => scryptCostOf({ LOCAL_SCRYPT_LOG_N: '18' })).toThrow(/LOCAL_SCRYPT_LOG_N/);
    expect(() => scryptCostOf({ LOCAL_SCRYPT_LOG_N: 'cheap' })).toThrow(/LOCAL_SCRYPT_LOG_N/);
  });
});
