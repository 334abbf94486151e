import { AccountService } from '../../../lambdas/accounts/domain/accounts';
import { PASSWORD_MAX } from '../../../lambdas/accounts/domain/passwords';
import { accountRoutes } from '../../../lambdas/accounts/routes';
import {
  FixedClock,
  MemoryAccounts,
  MemoryMailer,
  MemorySecurityLog,
  MemorySessions,
  MemoryTokens,
  PlainHasher,
} from '../../helpers/memory-accounts';

const origin = { ip: '203.0.113.9', userAgent: 'jest' };
const PASSWORD = 'correct horse battery staple';

/**
 * The code a request's password comes to: the route's body schema first (as the HTTP stack validates it,
 * `validation_failed`), then the domain's rule (`weak_password`), or `accepted`.
 */
async function codeOf(schema: { safeParse(body: unknown): { success: boolean } }, body: object, act: () => Promise<unknown>) {
  if (!schema.safeParse(body).success) return 'validation_failed';
  try {
    await act();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('the password length rule', () => {
  const setup = async () => {
    const deps = {
      accounts: new MemoryAccounts(),
      sessions: new MemorySessions(),
      tokens: new MemoryTokens(),
      securityLog: new MemorySecurityLog(),
      hasher: new PlainHasher(),
      mailer: new MemoryMailer(),
      clock: new FixedClock(),
      pacing: { now: () => 0, sleep: async () => undefined },
      publicUrl: 'https://api.omnapi.test',
    };
    const service = new AccountService({ ...deps, failures: deps.securityLog });
    await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
    await service.confirmEmailToken(deps.mailer.tokenFor('ann@example.org'), origin);
    const { token } = await service.login({ email: 'ann@example.org', password: PASSWORD }, origin);
    return { ...deps, service, ann: await service.authenticate(token) };
  };

  // Just over the limit, past the old schema cap (4 × the limit), and a string NFKC lengthens past it.
  const tooLong = ['a1b2'.repeat(PASSWORD_MAX / 4) + 'x', 'a1b2'.repeat(PASSWORD_MAX + 1), '\uFDFA'.repeat(8) + 'abcd'];

  it.each(tooLong.map((p) => [[...p].length, p]))(
    'refuses a password of %i characters as typed with one code when signing up, resetting and changing it',
    async (_length, password) => {
      const { service, mailer, ann } = await setup();
      const signup = { name: 'Bob', email: 'bob@example.org', password };
      await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
      const reset = { token: mailer.tokenFor('ann@example.org'), password };
      const change = { currentPassword: PASSWORD, newPassword: password };
      expect([
        await codeOf(accountRoutes.signup.body, signup, () => service.signup(signup, origin)),
        await codeOf(accountRoutes.confirmPasswordReset.body, reset, () => service.resetPassword(reset, origin)),
        await codeOf(accountRoutes.changePassword.body, change, () => service.changePassword(ann, change, origin)),
      ]).toEqual(['weak_password', 'weak_password', 'weak_password']);
    },
  );

  it('takes a password of exactly the limit everywhere', async () => {
    const { service, mailer, ann } = await setup();
    const password = 'a1b2'.repeat(PASSWORD_MAX / 4);
    const signup = { name: 'Bob', email: 'bob@example.org', password };
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    const reset = { token: mailer.tokenFor('ann@example.org'), password };
    expect(await codeOf(accountRoutes.signup.body, signup, () => service.signup(signup, origin))).toBe('accepted');
    expect(await codeOf(accountRoutes.confirmPasswordReset.body, reset, () => service.resetPassword(reset, origin))).toBe('accepted');
    const change = { currentPassword: password, newPassword: `${password.slice(1)}z` };
    const { token } = await service.login({ email: 'ann@example.org', password }, origin);
    const again = await service.authenticate(token);
    expect(await codeOf(accountRoutes.changePassword.body, change, () => service.changePassword(again, change, origin))).toBe('accepted');
    expect(ann.accountId).toBe(again.accountId);
  });
});
