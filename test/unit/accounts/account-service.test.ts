import {
  AccountService,
  EMAIL_CHANGE_LIMITS,
  LOGIN_LIMITS,
  PASSWORD_RESET_LIMITS,
  PASSWORD_RESET_TTL_SECONDS,
  RECENT_SIGN_IN_SECONDS,
  RESEND_VERIFICATION_LIMITS,
  SIGNUP_LIMITS,
} from '../../../lambdas/accounts/domain/accounts';
import { PASSWORD_MAX } from '../../../lambdas/accounts/domain/passwords';
import { accountRoutes } from '../../../lambdas/accounts/routes';
import { sha256 } from '../../../lambdas/shared/crypto';
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

function setup() {
  const deps = {
    accounts: new MemoryAccounts(),
    sessions: new MemorySessions(),
    tokens: new MemoryTokens(),
    securityLog: new MemorySecurityLog(),
    hasher: new PlainHasher(),
    mailer: new MemoryMailer(),
    clock: new FixedClock(),
    // Answers are paced in virtual time here (tests/unit/accounts/uniform-answer.test.ts tests the pace).
    pacing: { now: () => 0, sleep: async () => undefined },
    publicUrl: 'https://api.omnapi.test',
  };
  const service = new AccountService({ ...deps, failures: deps.securityLog });
  const verifiedUser = async (email: string) => {
    await service.signup({ name: 'User', email, password: PASSWORD }, origin);
    await service.confirmEmailToken(deps.mailer.tokenFor(email), origin);
    const { token } = await service.login({ email, password: PASSWORD }, origin);
    return service.authenticate(token);
  };
  return { ...deps, service, verifiedUser };
}

describe('AccountService', () => {
  describe('signup', () => {
    it('normalises the email, stores only a password hash and mails a single-use link', async () => {
      const { service, accounts, mailer, tokens } = setup();
      await service.signup({ name: ' Ann ', email: '  Ann@Example.ORG ', password: PASSWORD }, origin);
      const account = await accounts.findByEmail('ann@example.org');
      expect(account).toMatchObject({
        name: 'Ann',
        emailVerified: false,
        plan: 'free',
        preferences: { productUpdates: false, analytics: true },
      });
      expect(mailer.sent[0]!.text).toContain('https://api.omnapi.test/verify?token=');
      const token = mailer.tokenFor('ann@example.org');
      expect([...tokens.items.keys()]).toEqual([sha256(token)]);
    });

    it('answers an existing email exactly as a new one, and warns the owner instead', async () => {
      const { service, accounts, mailer } = setup();
      await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
      await service.confirmEmailToken(mailer.tokenFor('ann@example.org'), origin);
      await expect(
        service.signup({ name: 'Eve', email: 'ANN@example.org', password: 'another long passphrase' }, origin),
      ).resolves.toBeUndefined();
      expect(accounts.byId.size).toBe(1);
      expect(mailer.sent.map((m) => m.subject)).toEqual(['Confirm your OmnAPI account', 'Someone tried to sign up with your address']);
      expect(mailer.sent[1]!.text).not.toMatch(/token=/);
    });

    it('keeps an internationalised address in one form: mailed as punycode, one account under any spelling, signed in with either', async () => {
      const { service, accounts, mailer } = setup();
      await service.signup({ name: 'Anna', email: 'Anna@Bücher.de', password: PASSWORD }, origin);
      await service.confirmEmailToken(mailer.tokenFor('anna@xn--bcher-kva.de'), origin);
      await service.signup({ name: 'Eve', email: 'anna@xn--bcher-kva.de', password: 'another long passphrase' }, origin);
      expect(accounts.byId.size).toBe(1);
      expect([...accounts.byId.values()][0]!.email).toBe('anna@xn--bcher-kva.de');
      expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([
        ['anna@xn--bcher-kva.de', 'Confirm your OmnAPI account'],
        ['anna@xn--bcher-kva.de', 'Someone tried to sign up with your address'],
      ]);
      await expect(service.login({ email: 'anna@BÜCHER.de', password: PASSWORD }, origin)).resolves.toHaveProperty('token');
      await expect(service.login({ email: 'anna@xn--bcher-kva.de', password: PASSWORD }, origin)).resolves.toHaveProperty('token');
      await service.requestPasswordReset({ email: 'ANNA@bücher.de' }, origin);
      expect(mailer.sent.at(-1)).toMatchObject({ to: 'anna@xn--bcher-kva.de', subject: 'Reset your OmnAPI password' });
    });

    it("hands an unconfirmed address back to its mailbox: a second sign-up voids the first one's confirmation link and mails a link that sets the password", async () => {
      const { service, accounts, mailer, clock } = setup();
      // Eve makes an account with Ann's address and her own password, and waits for Ann to click its confirmation link.
      await service.signup({ name: 'Ann', email: 'ann@example.org', password: 'eve knows this one' }, origin);
      const eves = mailer.tokenFor('ann@example.org');
      clock.advance(60);
      // Ann signs up herself: the same answer, one account, and a mail that lets her set the password.
      await expect(service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin)).resolves.toBeUndefined();
      expect(accounts.byId.size).toBe(1);
      expect(mailer.sent.at(-1)).toMatchObject({ to: 'ann@example.org', subject: 'Finish signing up to OmnAPI' });
      const reclaim = mailer.tokenFor('ann@example.org');
      // The confirmation link Eve's sign-up mailed no longer confirms her account…
      await expect(service.confirmEmailToken(eves, origin)).rejects.toMatchObject({ code: 'invalid_token' });
      expect((await accounts.findByEmail('ann@example.org'))!.emailVerified).toBe(false);
      // Nor does one Eve has resent: after a sign-up by the mailbox, a resend mails the link that sets the password.
      clock.advance(60);
      await service.resendVerification({ email: 'ann@example.org' }, origin);
      expect(mailer.sent.at(-1)).toMatchObject({ to: 'ann@example.org', subject: 'Finish signing up to OmnAPI' });
      await expect(service.confirmEmailToken(mailer.tokenFor('ann@example.org'), origin)).rejects.toMatchObject({ code: 'invalid_token' });
      // …and Ann's link sets her password and confirms the address in one step: Eve's password opens nothing.
      await service.resetPassword({ token: reclaim, password: 'anns own new passphrase' }, origin);
      expect((await accounts.findByEmail('ann@example.org'))!.emailVerified).toBe(true);
      await expect(service.login({ email: 'ann@example.org', password: 'eve knows this one' }, origin)).rejects.toMatchObject({
        kind: 'unauthenticated',
      });
      await expect(service.login({ email: 'ann@example.org', password: 'anns own new passphrase' }, origin)).resolves.toHaveProperty(
        'token',
      );
    });

    it('takes an email change to the same mailbox in another spelling as no change', async () => {
      const { service, mailer, verifiedUser } = setup();
      const principal = await verifiedUser('anna@xn--bcher-kva.de');
      const before = mailer.sent.length;
      const view = await service.updateAccount(principal, { email: 'Anna@Bücher.DE' }, origin);
      expect(view).not.toHaveProperty('pendingEmail');
      expect(mailer.sent.length).toBe(before);
    });

    it.each([
      ['short', /at least 12/],
      ['aaaaaaaaaaaaaaaa', /4 different/],
      ['password1234', /too common/],
      ['ann.example!2026', /email/],
      // Hashed as NFKC: full-width letters are the same password as their ASCII look-alikes, and checked as such.
      ['ｐａｓｓｗｏｒｄ１２３４', /too common/],
      ['ａｎｎ．ｅｘａｍｐｌｅ！２０２６', /email/],
      // Half a surrogate pair (a JSON escape can carry one) reaches scrypt as U+FFFD: every such password would be one.
      ['correct horse \ud800 battery', /Unicode/],
      ['\udfffcorrect horse battery', /Unicode/],
    ])('refuses the weak password %s with a reason', async (password, reason) => {
      const { service } = setup();
      await expect(service.signup({ name: 'Ann', email: 'ann.example@example.org', password }, origin)).rejects.toMatchObject({
        kind: 'invalid',
        code: 'weak_password',
        message: expect.stringMatching(reason),
      });
    });
  });

  it('limits sign-ups per email, so the form cannot be used to mail one address over and over', async () => {
    const { service, mailer, clock } = setup();
    for (let i = 0; i < SIGNUP_LIMITS.email; i++) {
      await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, { ...origin, ip: `198.51.100.${i}` });
    }
    await expect(service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin)).rejects.toMatchObject({
      kind: 'rate_limited',
    });
    expect(mailer.sent).toHaveLength(SIGNUP_LIMITS.email);
    clock.advance(SIGNUP_LIMITS.windowSeconds);
    await expect(service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin)).resolves.toBeUndefined();
  });

  it('counts the mail of sign-ups, resets and resent links per mailbox: made-up +tags, from many addresses, do not flood one inbox', async () => {
    const { service, mailer, verifiedUser } = setup();
    await verifiedUser('ann@example.org');
    const before = mailer.sent.length;
    const from = (i: number) => ({ ...origin, ip: `198.51.100.${i}` });
    const attempts: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      attempts.push(service.signup({ name: 'Eve', email: `ann+${i}@example.org`, password: PASSWORD }, from(i)).catch((e) => e));
    }
    const outcomes = await Promise.all(attempts);
    // Ann's own sign-up was the mailbox's first of the hour.
    expect(outcomes.filter((o) => o instanceof Error)).toHaveLength(10 - (SIGNUP_LIMITS.email - 1));
    // Resets and resent links of tagged addresses (whose accounts now exist) count against the mailbox too.
    for (let i = 0; i < 10; i++) {
      await service.requestPasswordReset({ email: `ann+${i}@example.org` }, from(i)).catch(() => undefined);
      await service.resendVerification({ email: `ann+${i}@example.org` }, from(i)).catch(() => undefined);
    }
    const toMailbox = mailer.sent.slice(before).filter((m) => /^ann(\+\d+)?@example\.org$/.test(m.to));
    expect(toMailbox.length).toBeLessThanOrEqual(SIGNUP_LIMITS.email + PASSWORD_RESET_LIMITS.email + RESEND_VERIFICATION_LIMITS.email);
    // Tagged addresses remain accounts of their own.
    expect(mailer.sent.slice(before).some((m) => m.to === 'ann+0@example.org' && /Confirm your OmnAPI account/.test(m.subject))).toBe(true);
  });

  it('limits sign-ups per IP address', async () => {
    const { service } = setup();
    for (let i = 0; i < SIGNUP_LIMITS.ip; i++) await service.signup({ name: 'U', email: `u${i}@example.org`, password: PASSWORD }, origin);
    await expect(service.signup({ name: 'U', email: 'one-more@example.org', password: PASSWORD }, origin)).rejects.toMatchObject({
      kind: 'rate_limited',
      code: 'rate_limited',
    });
  });

  describe('email links', () => {
    it('work once', async () => {
      const { service, mailer, accounts } = setup();
      await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
      const token = mailer.tokenFor('ann@example.org');
      await expect(service.confirmEmailToken(token, origin)).resolves.toMatchObject({
        purpose: 'verify_email',
        accountId: expect.stringMatching(/^acc_/),
      });
      await expect(service.confirmEmailToken(token, origin)).rejects.toMatchObject({ code: 'invalid_token' });
      expect((await accounts.findByEmail('ann@example.org'))!.emailVerified).toBe(true);
    });

    it('expire after 24 hours', async () => {
      const { service, mailer, clock } = setup();
      await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
      clock.advance(24 * 3600 + 1);
      await expect(service.confirmEmailToken(mailer.tokenFor('ann@example.org'), origin)).rejects.toMatchObject({ code: 'invalid_token' });
    });
  });

  describe('login', () => {
    it('refuses an unverified account', async () => {
      const { service } = setup();
      await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
      await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, origin)).rejects.toMatchObject({
        kind: 'forbidden',
        code: 'email_not_verified',
      });
    });

    it('gives the same error for an unknown email and a wrong password', async () => {
      const { service, verifiedUser } = setup();
      await verifiedUser('ann@example.org');
      const unknown = await service.login({ email: 'nobody@example.org', password: PASSWORD }, origin).catch((e) => e);
      const wrong = await service.login({ email: 'ann@example.org', password: 'wrong password!!' }, origin).catch((e) => e);
      expect([unknown.kind, unknown.code, unknown.message]).toEqual([wrong.kind, wrong.code, wrong.message]);
    });

    it('allows five failed checks per email wherever they come from, then answers 429 with Retry-After at once', async () => {
      const { service, verifiedUser, securityLog, clock } = setup();
      await verifiedUser('ann@example.org');
      clock.advance(LOGIN_LIMITS.windowSeconds);
      for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) {
        await expect(
          service.login({ email: 'ann@example.org', password: 'wrong password!!' }, { ...origin, ip: `198.51.100.${i}` }),
        ).rejects.toMatchObject({ kind: 'unauthenticated' });
      }
      // Six fresh addresses, the right password included: none of them gets a check.
      for (let i = 10; i < 16; i++) {
        const throttled = await service
          .login({ email: 'ann@example.org', password: i === 15 ? PASSWORD : 'wrong password!!' }, { ...origin, ip: `203.0.113.${i}` })
          .catch((e) => e);
        expect(throttled).toMatchObject({ kind: 'rate_limited', code: 'rate_limited' });
        expect(Number(throttled.retryAfterSeconds)).toBeGreaterThan(0);
      }
      expect(securityLog.events.filter((e) => e.type === 'login_failed')).toHaveLength(LOGIN_LIMITS.perEmail);
      expect(securityLog.events.at(-1)!.type).toBe('login_throttled');
      clock.advance(LOGIN_LIMITS.windowSeconds);
      await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, origin)).resolves.toBeDefined();
    });

    it('counts each check before the password is looked at: sixty at once from twelve addresses get five checks', async () => {
      const { service, verifiedUser, hasher, clock } = setup();
      await verifiedUser('ann@example.org');
      clock.advance(LOGIN_LIMITS.windowSeconds);
      const verify = jest.spyOn(hasher, 'verify');
      const attempts = Array.from({ length: 60 }, (_, i) =>
        service.login({ email: 'ann@example.org', password: 'wrong password!!' }, { ...origin, ip: `198.51.100.${i % 12}` }),
      );
      const results = await Promise.allSettled(attempts);
      expect(verify).toHaveBeenCalledTimes(LOGIN_LIMITS.perEmail);
      expect(results.filter((r) => r.status === 'rejected' && (r.reason as { kind: string }).kind === 'rate_limited')).toHaveLength(
        60 - LOGIN_LIMITS.perEmail,
      );
    });

    it('does not count successful sign-ins: the owner signs in ten times from one address', async () => {
      const { service, verifiedUser, clock } = setup();
      await verifiedUser('ann@example.org');
      clock.advance(LOGIN_LIMITS.windowSeconds);
      for (let i = 0; i < 10; i++)
        await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, origin)).resolves.toBeDefined();
    });

    it('mails the owner once, at the limit, a "was this you?" link that lifts the pause', async () => {
      const { service, verifiedUser, mailer, securityLog, clock } = setup();
      await verifiedUser('ann@example.org');
      clock.advance(LOGIN_LIMITS.windowSeconds);
      for (let i = 0; i < 12; i++) {
        await service
          .login({ email: 'ann@example.org', password: `guess number ${i}!!` }, { ...origin, ip: `198.51.100.${i}` })
          .catch(() => undefined);
      }
      const warnings = mailer.sent.filter((m) => /Was this you/.test(m.subject));
      expect(warnings).toHaveLength(1);
      expect(securityLog.events.filter((e) => e.type === 'login_under_attack')).toHaveLength(1);
      const elsewhere = { ...origin, ip: '192.0.2.44' };
      await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, elsewhere)).rejects.toMatchObject({
        kind: 'rate_limited',
      });
      const token = decodeURIComponent(/token=([^\s]+)/.exec(warnings[0]!.text)![1]!);
      await expect(service.confirmEmailToken(token, origin)).resolves.toMatchObject({
        purpose: 'unlock_sign_in',
        accountId: expect.stringMatching(/^acc_/),
      });
      await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, elsewhere)).resolves.toBeDefined();
      // The link works once.
      await expect(service.confirmEmailToken(token, origin)).rejects.toMatchObject({ code: 'invalid_token' });
    });

    it("knows an IPv6 owner's network by its /64, whose device addresses change daily, but not the next network", async () => {
      const { service, verifiedUser } = setup();
      await verifiedUser('ann@example.org');
      const home = (suffix: string) => ({ ip: `2001:db8:aa:bb:${suffix}`, userAgent: 'Firefox' });
      await service.login({ email: 'ann@example.org', password: PASSWORD }, home('1111:2222:3333:4444'));
      const attacker = (i: number) => ({ ip: `198.51.100.${i}`, userAgent: 'curl' });
      const guesses = async () => {
        for (let i = 0; i < 12; i++)
          await service.login({ email: 'ann@example.org', password: `guess number ${i}!!` }, attacker(i % 3)).catch(() => undefined);
      };
      await guesses();
      // Tomorrow's privacy address of the same device, on the same network: not paused.
      await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, home('9999:8888:7777:6666'))).resolves.toBeDefined();
      // Another network's address is elsewhere (her sign-in reset the count: the attacker spends it again).
      await guesses();
      await expect(
        service.login({ email: 'ann@example.org', password: PASSWORD }, { ip: '2001:db8:aa:bc::1', userAgent: 'curl' }),
      ).rejects.toMatchObject({ kind: 'rate_limited' });
    });

    it('never lets guesses from elsewhere keep the owner out where they signed in or reset the password before', async () => {
      const { service, verifiedUser, mailer, clock } = setup();
      // Ann signs in from home (verifiedUser signs in from `origin`).
      await verifiedUser('ann@example.org');
      const attacker = (i: number) => ({ ip: `198.51.100.${i}`, userAgent: 'curl' });
      const guess = (i: number) => service.login({ email: 'ann@example.org', password: `guess number ${i}!!` }, attacker(i % 3));
      for (let window = 0; window < 3; window++) {
        clock.advance(LOGIN_LIMITS.windowSeconds);
        // Each window the attacker spends the email's checks and keeps trying.
        for (let i = 0; i < 12; i++) await guess(i).catch(() => undefined);
        await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, attacker(7))).rejects.toMatchObject({
          kind: 'rate_limited',
        });
        // Ann, at home, signs in at once, with no link to follow.
        await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, origin)).resolves.toBeDefined();
      }
      // Travelling, she is paused like anyone else; a password reset from there makes that address hers too.
      const hotel = { ip: '192.0.2.80', userAgent: 'Firefox' };
      for (let i = 0; i < 12; i++) await guess(i).catch(() => undefined);
      await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, hotel)).rejects.toMatchObject({ kind: 'rate_limited' });
      await service.requestPasswordReset({ email: 'ann@example.org' }, hotel);
      await service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: 'a brand new passphrase' }, hotel);
      for (let i = 0; i < 12; i++) await guess(i).catch(() => undefined);
      await expect(service.login({ email: 'ann@example.org', password: 'a brand new passphrase' }, hotel)).resolves.toBeDefined();
      // From a remembered address the address's own limit still holds: guessing there gets no more than anywhere.
      const home = Array.from({ length: LOGIN_LIMITS.perAddress + 1 }, () =>
        service.login({ email: 'ann@example.org', password: 'wrong password!!' }, origin).catch((e) => e.kind),
      );
      expect((await Promise.all(home)).filter((kind) => kind === 'rate_limited').length).toBeGreaterThan(0);
    });

    it('throttles an address that tries many emails', async () => {
      const { service } = setup();
      for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) {
        await service.login({ email: `user${i}@example.org`, password: PASSWORD }, origin).catch(() => undefined);
      }
      await expect(service.login({ email: 'fresh@example.org', password: PASSWORD }, origin)).rejects.toMatchObject({
        kind: 'rate_limited',
      });
    });

    it('counts an IPv6 host by its /64: rotating through its addresses buys no more guesses, sign-ups or reset mails', async () => {
      const { service } = setup();
      // One host's /64, each request from another of its 2^64 addresses (and the prefix spelt differently).
      const from = (i: number) => ({
        ...origin,
        ip: i % 2 ? `2001:db8:1:2:${i.toString(16)}::1` : `2001:0DB8:0001:0002::${i.toString(16)}`,
      });
      for (let i = 0; i < LOGIN_LIMITS.perAddress; i++)
        await service.login({ email: `user${i}@example.org`, password: PASSWORD }, from(i)).catch(() => undefined);
      await expect(service.login({ email: 'fresh@example.org', password: PASSWORD }, from(99))).rejects.toMatchObject({
        kind: 'rate_limited',
      });
      for (let i = 0; i < SIGNUP_LIMITS.ip; i++)
        await service.signup({ name: 'U', email: `u${i}@example.org`, password: PASSWORD }, from(i));
      await expect(service.signup({ name: 'U', email: 'one-more@example.org', password: PASSWORD }, from(99))).rejects.toMatchObject({
        kind: 'rate_limited',
      });
      for (let i = 0; i < PASSWORD_RESET_LIMITS.ip; i++) await service.requestPasswordReset({ email: `r${i}@example.org` }, from(i));
      await expect(service.requestPasswordReset({ email: 'another@example.org' }, from(99))).rejects.toMatchObject({
        kind: 'rate_limited',
      });
      // The next /64 is another network.
      await expect(
        service.requestPasswordReset({ email: 'another@example.org' }, { ...origin, ip: '2001:db8:1:3::1' }),
      ).resolves.toBeUndefined();
    });

    it('opens a session whose token is stored only as a hash, with IP and user agent', async () => {
      const { service, verifiedUser, sessions } = setup();
      await verifiedUser('ann@example.org');
      const { token, session } = await service.login({ email: 'ann@example.org', password: PASSWORD }, origin);
      expect(token).toMatch(/^omn_sess_[A-Za-z0-9_-]{43}$/);
      expect(sessions.items.get(sha256(token))).toMatchObject({ ip: origin.ip, userAgent: 'jest', sessionId: session.sessionId });
      expect(JSON.stringify([...sessions.items.values()])).not.toContain(token);
    });
  });

  describe('sessions', () => {
    it('rejects unknown, malformed, signed-out and expired tokens', async () => {
      const { service, verifiedUser, clock } = setup();
      await verifiedUser('ann@example.org');
      await expect(service.authenticate(undefined)).rejects.toMatchObject({ kind: 'unauthenticated' });
      await expect(service.authenticate('omn_sess_nope')).rejects.toMatchObject({ kind: 'unauthenticated' });
      await expect(service.authenticate('x'.repeat(500))).rejects.toMatchObject({ kind: 'unauthenticated' });
      const { token } = await service.login({ email: 'ann@example.org', password: PASSWORD }, origin);
      clock.advance(7 * 24 * 3600 + 1);
      await expect(service.authenticate(token)).rejects.toMatchObject({ kind: 'unauthenticated' });
    });

    it("lists and revokes only the caller's sessions", async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      const bob = await verifiedUser('bob@example.org');
      expect((await service.listSessions(ann)).map((s) => s.sessionId)).toEqual([ann.sessionId]);
      await expect(service.revokeSession(bob, ann.sessionId, origin)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(service.revokeSession(ann, ann.sessionId, origin)).resolves.toBeUndefined();
    });

    it('ends the session on logout', async () => {
      const { service, verifiedUser, sessions } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.logout(ann, origin);
      expect(sessions.items.has(ann.tokenHash)).toBe(false);
    });
  });

  describe('account self-service', () => {
    it('never shows the password hash', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      expect(await service.getAccount(ann)).not.toHaveProperty('passwordHash');
    });

    it('corrects name and profile, merging the profile', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.updateAccount(ann, { profile: { company: 'Acme' } }, origin);
      const updated = await service.updateAccount(ann, { name: 'Ann B', profile: { country: 'DE' } }, origin);
      expect(updated).toMatchObject({ name: 'Ann B', profile: { company: 'Acme', country: 'DE' } });
    });

    it('removes a profile field patched to null and keeps the ones left out', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.updateAccount(ann, { profile: { company: 'Acme', website: 'https://acme.example', country: 'DE' } }, origin);
      const updated = await service.updateAccount(ann, { profile: { company: null, website: null } }, origin);
      expect(updated.profile).toEqual({ country: 'DE' });
      expect((await service.getAccount(ann)).profile).toEqual({ country: 'DE' });
    });

    it('changes the email only with the current password: a session alone cannot send the address elsewhere', async () => {
      const { service, verifiedUser, mailer, securityLog } = setup();
      const ann = await verifiedUser('ann@example.org');
      await expect(service.updateAccount(ann, { email: 'attacker@evil.example' }, origin)).rejects.toMatchObject({
        code: 'current_password_required',
        details: [{ path: 'body.currentPassword' }],
      });
      await expect(
        service.updateAccount(ann, { email: 'attacker@evil.example', currentPassword: 'a wrong guess!!' }, origin),
      ).rejects.toMatchObject({ kind: 'unauthenticated' });
      expect(mailer.sent.filter((m) => m.to === 'attacker@evil.example')).toEqual([]);
      expect(securityLog.events.at(-1)).toMatchObject({ type: 'login_failed' });
      // A name change needs no password.
      await expect(service.updateAccount(ann, { name: 'Ann B' }, origin)).resolves.toMatchObject({ name: 'Ann B' });
    });

    it('asks a session older than ten minutes for the password before it creates a key', async () => {
      const { service, verifiedUser, clock } = setup();
      const ann = await verifiedUser('ann@example.org');
      await expect(service.requireRecentSignIn(ann, undefined, origin)).resolves.toBeUndefined();
      clock.advance(RECENT_SIGN_IN_SECONDS + 1);
      await expect(service.requireRecentSignIn(ann, undefined, origin)).rejects.toMatchObject({ code: 'current_password_required' });
      await expect(service.requireRecentSignIn(ann, 'a wrong guess!!', origin)).rejects.toMatchObject({ kind: 'unauthenticated' });
      await expect(service.requireRecentSignIn(ann, PASSWORD, origin)).resolves.toBeUndefined();
    });

    it('changes the email only once the new address confirms, and never onto a taken one', async () => {
      const { service, verifiedUser, mailer, accounts } = setup();
      const ann = await verifiedUser('ann@example.org');
      await verifiedUser('bob@example.org');
      const pending = await service.updateAccount(ann, { email: 'ann@new.example', currentPassword: PASSWORD }, origin);
      expect(pending).toMatchObject({ email: 'ann@example.org', pendingEmail: 'ann@new.example' });
      // What changed comes back for the link's audit event (email.change).
      await expect(service.confirmEmailToken(mailer.tokenFor('ann@new.example'), origin)).resolves.toEqual({
        purpose: 'change_email',
        accountId: ann.accountId,
        emailChange: { from: 'ann@example.org', to: 'ann@new.example' },
      });
      expect((await accounts.get(ann.accountId))!.email).toBe('ann@new.example');
      expect(mailer.sent.at(-1)).toMatchObject({ to: 'ann@example.org', subject: 'Your OmnAPI email address was changed' });
      expect(await accounts.findByEmail('ann@example.org')).toBeUndefined();

      await service.updateAccount(ann, { email: 'bob@example.org', currentPassword: PASSWORD }, origin);
      await expect(service.confirmEmailToken(mailer.tokenFor('bob@example.org'), origin)).rejects.toMatchObject({
        kind: 'conflict',
        code: 'email_taken',
      });
    });

    it.each(['changed', 'reset'] as const)(
      "refuses an email-change link mailed before the password was %s: a thief's pending change ends with the new password",
      async (how) => {
        const { service, verifiedUser, mailer, accounts, clock } = setup();
        const ann = await verifiedUser('ann@example.org');
        // Someone holding Ann's session and password sends her address elsewhere…
        await service.updateAccount(ann, { email: 'thief@evil.example', currentPassword: PASSWORD }, origin);
        const link = mailer.tokenFor('thief@evil.example');
        clock.advance(60);
        // …and Ann takes her account back before the link is followed.
        if (how === 'changed')
          await service.changePassword(ann, { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, origin);
        else {
          await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
          await service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: 'a brand new passphrase' }, origin);
        }
        await expect(service.confirmEmailToken(link, origin)).rejects.toMatchObject({ code: 'invalid_token' });
        expect((await accounts.get(ann.accountId))!.email).toBe('ann@example.org');
        // A link asked for after the new password still works.
        clock.advance(60);
        await service.updateAccount(ann, { email: 'ann@new.example', currentPassword: 'a brand new passphrase' }, origin);
        await expect(service.confirmEmailToken(mailer.tokenFor('ann@new.example'), origin)).resolves.toMatchObject({
          purpose: 'change_email',
        });
      },
    );

    it('completes only the newest email change asked for: a link to an address asked before, or used up by a change, does nothing', async () => {
      const { service, verifiedUser, mailer, accounts } = setup();
      const ann = await verifiedUser('ann@example.org');
      // A slip of the fingers sends the first link to a stranger's mailbox; Ann asks again with her real address.
      await service.updateAccount(ann, { email: 'an@example.org', currentPassword: PASSWORD }, origin);
      const stranger = mailer.tokenFor('an@example.org');
      await service.updateAccount(ann, { email: 'ann@new.example', currentPassword: PASSWORD }, origin);
      await expect(service.confirmEmailToken(stranger, origin)).rejects.toMatchObject({ code: 'invalid_token' });
      expect((await accounts.get(ann.accountId))!.email).toBe('ann@example.org');
      // A link asked for again to one address is the newest as well.
      await service.updateAccount(ann, { email: 'ann@other.example', currentPassword: PASSWORD }, origin);
      const older = mailer.tokenFor('ann@other.example');
      await service.updateAccount(ann, { email: 'ann@new.example', currentPassword: PASSWORD }, origin);
      await expect(service.confirmEmailToken(mailer.tokenFor('ann@new.example'), origin)).resolves.toMatchObject({
        purpose: 'change_email',
      });
      // Once the change is made, no link asked for before it moves the address again.
      await expect(service.confirmEmailToken(older, origin)).rejects.toMatchObject({ code: 'invalid_token' });
      expect((await accounts.get(ann.accountId))!.email).toBe('ann@new.example');
    });

    it('limits email-change links per address asked for, from any number of accounts, so no address is flooded with them', async () => {
      const { service, verifiedUser, mailer } = setup();
      const holders = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((who) => verifiedUser(`${who}@attacker.example`)));
      const outcomes = [];
      for (const [i, holder] of holders.entries()) {
        outcomes.push(
          await service
            .updateAccount(holder, { email: `victim+${i}@example.org`, currentPassword: PASSWORD }, { ...origin, ip: `198.51.100.${i}` })
            .then(
              () => 'mailed',
              (error) => error.kind,
            ),
        );
      }
      expect(outcomes).toEqual([...Array(EMAIL_CHANGE_LIMITS.email).fill('mailed'), 'rate_limited', 'rate_limited']);
      expect(mailer.sent.filter((m) => m.to.startsWith('victim'))).toHaveLength(EMAIL_CHANGE_LIMITS.email);
    });

    it('withdraws an email change asked for when the current address is asked for again', async () => {
      const { service, verifiedUser, mailer, accounts, clock } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.updateAccount(ann, { email: 'an@example.org', currentPassword: PASSWORD }, origin);
      clock.advance(1);
      const view = await service.updateAccount(ann, { email: 'Ann@Example.org', currentPassword: PASSWORD }, origin);
      expect(view).not.toHaveProperty('pendingEmail');
      expect(view).not.toHaveProperty('emailChangeTo');
      await expect(service.confirmEmailToken(mailer.tokenFor('an@example.org'), origin)).rejects.toMatchObject({ code: 'invalid_token' });
      expect((await accounts.get(ann.accountId))!.email).toBe('ann@example.org');
    });

    it('changes the password only with the current one, and signs out every other session', async () => {
      const { service, verifiedUser, mailer } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.login({ email: 'ann@example.org', password: PASSWORD }, origin);
      expect(await service.listSessions(ann)).toHaveLength(2);
      await expect(
        service.changePassword(ann, { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' }, origin),
      ).rejects.toMatchObject({ kind: 'unauthenticated' });
      await service.changePassword(ann, { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, origin);
      expect((await service.listSessions(ann)).map((s) => s.sessionId)).toEqual([ann.sessionId]);
      expect(mailer.sent.at(-1)!.subject).toMatch(/password was changed/);
      await expect(service.login({ email: 'ann@example.org', password: 'a brand new passphrase' }, origin)).resolves.toBeDefined();
    });

    it.each(['changed', 'reset'] as const)(
      'ends a sign-in that checked the old password while the password was %s: no session outlives it',
      async (how) => {
        const { service, verifiedUser, hasher, mailer } = setup();
        const ann = await verifiedUser('ann@example.org');
        if (how === 'reset') await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
        // Someone with the old password signs in; while its (slow) check runs, the holder sets a new one.
        const verify = hasher.verify.bind(hasher);
        jest.spyOn(hasher, 'verify').mockImplementationOnce(async (password, stored) => {
          const valid = await verify(password, stored);
          if (how === 'changed')
            await service.changePassword(ann, { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, origin);
          else await service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: 'a brand new passphrase' }, origin);
          return valid;
        });
        await expect(
          service.login({ email: 'ann@example.org', password: PASSWORD }, { ip: '198.51.100.66', userAgent: 'curl' }),
        ).rejects.toMatchObject({ kind: 'unauthenticated' });
        const left = await service.listSessions({ ...ann, sessionId: 'none' });
        expect(left.map((s) => s.sessionId)).toEqual(how === 'changed' ? [ann.sessionId] : []);
      },
    );

    it('lets a session check the password five times a quarter of an hour, recording each wrong one', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      const tries = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          service
            .changePassword(ann, { currentPassword: `guess number ${i}`, newPassword: 'a brand new passphrase' }, origin)
            .catch((e) => e.kind),
        ),
      );
      expect(tries.filter((k) => k === 'unauthenticated')).toHaveLength(5);
      expect(tries.filter((k) => k === 'rate_limited')).toHaveLength(3);
      // Even the right password waits out the window now.
      await expect(
        service.changePassword(ann, { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, origin),
      ).rejects.toMatchObject({ kind: 'rate_limited' });
      const events = (await service.listSecurityEvents(ann, 50)).events.map((e) => e.type);
      expect(events.filter((t) => t === 'login_failed')).toHaveLength(5);
    });

    it('stores processing objections', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.setPreferences(ann, { productUpdates: true, analytics: false });
      expect(await service.getPreferences(ann)).toEqual({ productUpdates: true, analytics: false });
    });

    it('replaces the whole preferences object: an optional field left out is reset to not chosen (documented PUT semantics)', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      await service.setPreferences(ann, {
        productUpdates: true,
        analytics: true,
        locale: 'de',
        lowBalanceCredits: null,
        deprecationNotices: false,
      });
      await service.setPreferences(ann, { productUpdates: false, analytics: true });
      expect(await service.getPreferences(ann)).toEqual({ productUpdates: false, analytics: true });
    });

    it('shows each account only its own security events', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      const bob = await verifiedUser('bob@example.org');
      const { events } = await service.listSecurityEvents(bob, 50);
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.accountId === bob.accountId)).toBe(true);
      expect((await service.listSecurityEvents(ann, 50)).events.map((e) => e.type)).toEqual([
        'login_succeeded',
        'email_verified',
        'signup',
      ]);
    });

    it('pages security events with an opaque cursor that never leaves the account', async () => {
      const { service, verifiedUser } = setup();
      const ann = await verifiedUser('ann@example.org');
      const first = await service.listSecurityEvents(ann, 2);
      expect(first.events.map((e) => e.type)).toEqual(['login_succeeded', 'email_verified']);
      const second = await service.listSecurityEvents(ann, 2, first.nextCursor);
      expect(second.events.map((e) => e.type)).toEqual(['signup']);
      expect(second.nextCursor).toBeUndefined();
      await expect(service.listSecurityEvents(ann, 2, Buffer.from('ACCOUNT#other').toString('base64url'))).rejects.toMatchObject({
        kind: 'invalid',
      });
    });
  });
});

describe('AccountService: password reset and resent verification', () => {
  const NEW_PASSWORD = 'a brand new passphrase';

  it('mails a single-use console link; the reset sets the password, signs every session out and tells the owner', async () => {
    const { service, verifiedUser, mailer, sessions } = setup();
    const principal = await verifiedUser('ann@example.org');
    await service.login({ email: 'ann@example.org', password: PASSWORD }, origin);
    expect(await sessions.listByAccount(principal.accountId)).toHaveLength(2);

    await service.requestPasswordReset({ email: ' ANN@example.org ' }, origin);
    const mail = mailer.sent.at(-1)!;
    expect(mail).toMatchObject({ to: 'ann@example.org', subject: 'Reset your OmnAPI password' });
    expect(mail.text).toMatch(/https:\/\/api\.omnapi\.test\/reset-password\?token=\S+/);
    expect(mail.text).not.toContain('/v1/');
    const token = mailer.tokenFor('ann@example.org');

    await expect(service.resetPassword({ token, password: NEW_PASSWORD }, origin)).resolves.toEqual({
      accountId: principal.accountId,
      sessionsRevoked: 2,
    });
    expect(await sessions.listByAccount(principal.accountId)).toEqual([]);
    expect(mailer.sent.at(-1)).toMatchObject({ to: 'ann@example.org', subject: 'Your OmnAPI password was reset' });
    await expect(service.login({ email: 'ann@example.org', password: PASSWORD }, origin)).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    await expect(service.login({ email: 'ann@example.org', password: NEW_PASSWORD }, origin)).resolves.toMatchObject({
      token: expect.any(String),
    });
    // Once only.
    await expect(service.resetPassword({ token, password: 'yet another passphrase' }, origin)).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('answers an unknown address exactly as a known one, and mails nobody', async () => {
    const { service, mailer } = setup();
    await expect(service.requestPasswordReset({ email: 'nobody@example.org' }, origin)).resolves.toBeUndefined();
    expect(mailer.sent).toEqual([]);
  });

  it('limits reset requests per address asked about, whether or not it has an account', async () => {
    const { service, clock } = setup();
    for (const email of ['ann@example.org', 'nobody@example.org']) {
      for (let i = 0; i < PASSWORD_RESET_LIMITS.email; i++)
        await service.requestPasswordReset({ email }, { ...origin, ip: `198.51.100.${i}` });
      await expect(service.requestPasswordReset({ email }, origin)).rejects.toMatchObject({ kind: 'rate_limited' });
    }
    clock.advance(PASSWORD_RESET_LIMITS.windowSeconds);
    await expect(service.requestPasswordReset({ email: 'ann@example.org' }, origin)).resolves.toBeUndefined();
  });

  it('limits reset requests per IP address', async () => {
    const { service } = setup();
    for (let i = 0; i < PASSWORD_RESET_LIMITS.ip; i++) await service.requestPasswordReset({ email: `user${i}@example.org` }, origin);
    await expect(service.requestPasswordReset({ email: 'another@example.org' }, origin)).rejects.toMatchObject({ kind: 'rate_limited' });
  });

  it("tells the owner, after a reset, that every session ended but API keys keep working, so a thief's key is theirs to revoke", async () => {
    const { service, verifiedUser, mailer } = setup();
    await verifiedUser('ann@example.org');
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    await service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: NEW_PASSWORD }, origin);
    const notice = mailer.sent.find((m) => m.subject === 'Your OmnAPI password was reset')!;
    expect(notice.text).toMatch(/every session was signed out/);
    expect(notice.text).toMatch(/API keys keep working: if this was not you, revoke any key you do not recognise/);
  });

  it('expires a reset link after an hour, refuses a weak password, and keeps the link when the password is refused', async () => {
    const { service, verifiedUser, mailer, clock } = setup();
    await verifiedUser('ann@example.org');
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    const token = mailer.tokenFor('ann@example.org');
    await expect(service.resetPassword({ token, password: 'short' }, origin)).rejects.toMatchObject({ code: 'weak_password' });
    await expect(service.resetPassword({ token, password: NEW_PASSWORD }, origin)).resolves.toMatchObject({ sessionsRevoked: 1 });
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    clock.advance(PASSWORD_RESET_TTL_SECONDS + 1);
    await expect(
      service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: NEW_PASSWORD }, origin),
    ).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('keeps a reset token out of the verify link, and a verification token out of the reset', async () => {
    const { service, verifiedUser, mailer, accounts } = setup();
    await verifiedUser('ann@example.org');
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    const reset = mailer.tokenFor('ann@example.org');
    await expect(service.confirmEmailToken(reset, origin)).rejects.toMatchObject({ code: 'invalid_token' });
    // Not burnt by the wrong door: the reset still works.
    await expect(service.resetPassword({ token: reset, password: NEW_PASSWORD }, origin)).resolves.toMatchObject({ sessionsRevoked: 1 });
    await service.signup({ name: 'Bob', email: 'bob@example.org', password: PASSWORD }, origin);
    await expect(
      service.resetPassword({ token: mailer.tokenFor('bob@example.org'), password: NEW_PASSWORD }, origin),
    ).rejects.toMatchObject({ code: 'invalid_token' });
    expect((await accounts.findByEmail('bob@example.org'))!.emailVerified).toBe(false);
  });

  it('refuses a reset link mailed before the password was last set, by another reset link or a change', async () => {
    const { service, verifiedUser, mailer, clock } = setup();
    await verifiedUser('ann@example.org');
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    const first = mailer.tokenFor('ann@example.org');
    clock.advance(60);
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    await service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: NEW_PASSWORD }, origin);
    // Whoever else saw the first mail cannot set the password again behind the owner's back.
    await expect(service.resetPassword({ token: first, password: 'an intruder passphrase' }, origin)).rejects.toMatchObject({
      code: 'invalid_token',
    });
    // A link asked for after that works, even in the same instant.
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    await expect(service.resetPassword({ token: mailer.tokenFor('ann@example.org'), password: PASSWORD }, origin)).resolves.toMatchObject({
      sessionsRevoked: 0,
    });

    // A change in the settings ends the links mailed before it too.
    clock.advance(PASSWORD_RESET_LIMITS.windowSeconds);
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    const before = mailer.tokenFor('ann@example.org');
    clock.advance(1);
    const { token } = await service.login({ email: 'ann@example.org', password: PASSWORD }, origin);
    await service.changePassword(await service.authenticate(token), { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, origin);
    await expect(service.resetPassword({ token: before, password: 'an intruder passphrase' }, origin)).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('refuses a reset link mailed to an address the account has since left', async () => {
    const { service, verifiedUser, mailer } = setup();
    const principal = await verifiedUser('ann@example.org');
    await service.requestPasswordReset({ email: 'ann@example.org' }, origin);
    const reset = mailer.tokenFor('ann@example.org');
    await service.updateAccount(principal, { email: 'ann@new.example', currentPassword: PASSWORD }, origin);
    await service.confirmEmailToken(mailer.tokenFor('ann@new.example'), origin);
    await expect(service.resetPassword({ token: reset, password: NEW_PASSWORD }, origin)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('resends the verification link to an unverified account only, with the same answer for every address', async () => {
    const { service, mailer, accounts } = setup();
    await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
    await service.resendVerification({ email: 'Ann@Example.org' }, origin);
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Confirm your OmnAPI account', 'Confirm your OmnAPI account']);
    await service.confirmEmailToken(mailer.tokenFor('ann@example.org'), origin);
    expect((await accounts.findByEmail('ann@example.org'))!.emailVerified).toBe(true);
    await expect(service.resendVerification({ email: 'ann@example.org' }, origin)).resolves.toBeUndefined();
    await expect(service.resendVerification({ email: 'nobody@example.org' }, origin)).resolves.toBeUndefined();
    expect(mailer.sent).toHaveLength(2);
  });

  it('limits resent verification mails per address', async () => {
    const { service, mailer } = setup();
    await service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
    for (let i = 0; i < RESEND_VERIFICATION_LIMITS.email; i++)
      await service.resendVerification({ email: 'ann@example.org' }, { ...origin, ip: `198.51.100.${i}` });
    await expect(service.resendVerification({ email: 'ann@example.org' }, origin)).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(mailer.sent).toHaveLength(1 + RESEND_VERIFICATION_LIMITS.email);
  });
});

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
  /** Ann, verified and signed in, with the service and its fakes. */
  const withAnn = async () => {
    const deps = setup();
    return { ...deps, ann: await deps.verifiedUser('ann@example.org') };
  };

  // Just over the limit, past the old schema cap (4 × the limit), and a string NFKC lengthens past it.
  const tooLong = ['a1b2'.repeat(PASSWORD_MAX / 4) + 'x', 'a1b2'.repeat(PASSWORD_MAX + 1), '\uFDFA'.repeat(8) + 'abcd'];

  it.each(tooLong.map((p) => [[...p].length, p]))(
    'refuses a password of %i characters as typed with one code when signing up, resetting and changing it',
    async (_length, password) => {
      const { service, mailer, ann } = await withAnn();
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
    const { service, mailer, ann } = await withAnn();
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
