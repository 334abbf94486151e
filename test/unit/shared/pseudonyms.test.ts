import { createHash } from 'node:crypto';
import { HmacPseudonymiser, parsePseudonymKeys, pseudonymiserFromEnv } from '../../../lambdas/shared/pseudonyms';

const K1 = 'a'.repeat(43);
const K2 = 'b'.repeat(43);
const keyed = (set: object) => new HmacPseudonymiser(async () => JSON.stringify(set));

describe('keyed pseudonyms', () => {
  it('is never the plain hash of the address, and differs by key', async () => {
    const email = 'ann@example.org';
    const one = await keyed({ current: 1, k1: K1 }).of('email', email);
    expect(one).toMatch(/^psn_1_[0-9a-f]{32}$/);
    expect(one).not.toContain(createHash('sha256').update(email).digest('hex').slice(0, 32));
    expect(await keyed({ current: 1, k1: K2 }).of('email', email)).not.toBe(one);
  });

  it('gives an account id and an address that look alike different pseudonyms', async () => {
    const p = keyed({ current: 1, k1: K1 });
    expect(await p.of('account', 'x')).not.toBe(await p.of('email', 'x'));
  });

  it('writes under the current key after a rotation, and still finds the old pseudonym among every version', async () => {
    const before = await keyed({ current: 1, k1: K1 }).of('account', 'acc_1');
    const rotated = keyed({ current: 2, k1: K1, k2: K2 });
    const after = await rotated.of('account', 'acc_1');
    expect(after).toMatch(/^psn_2_/);
    expect(await rotated.every('account', 'acc_1')).toEqual([after, before]);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['a current version it does not hold', JSON.stringify({ current: 2, k1: K1 }), /current 2/],
    ['a short key', JSON.stringify({ current: 1, k1: 'short' }), /at least 32/],
  ])('refuses a key set with %s', (_name, text, message) => {
    expect(() => parsePseudonymKeys(text)).toThrow(message);
  });

  it('says which setting is missing when a function has no key set', async () => {
    await expect(pseudonymiserFromEnv({}).of('email', 'x')).rejects.toThrow(/PSEUDONYM_KEYS/);
  });
});
