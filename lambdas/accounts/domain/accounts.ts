import { clip } from '../../shared/clip';
import { resolveSession, type Principal, SESSION_TOKEN_PREFIX } from '../../shared/auth/session';
import { fixedWindow, throttleNetwork } from '../../shared/throttle';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '../../shared/errors';
import { EMAIL_TOKEN_TTL_SECONDS, type EmailLinkMessage, mailEmailLink } from '../../shared/email-links';
import type { Mailer } from '../../shared/mailer';
import {
  CurrentPasswordRequiredError,
  EmailNotVerifiedError,
  EmailTakenError,
  InvalidCredentialsError,
  InvalidTokenError,
  SessionNotFoundError,
} from './errors';
import {
  type Account,
  type AccountView,
  DEFAULT_PREFERENCES,
  type EmailToken,
  MAX_USER_AGENT,
  type Preferences,
  type Profile,
  type ProfilePatch,
  type RequestOrigin,
  type SecurityEvent,
  securityEvent,
  type SecurityEventType,
  type Session,
  VERIFY_PURPOSES,
  type VerifyPurpose,
  viewOf,
} from './model';
import { noSoonerThan, type Pacing, UNIFORM_ANSWER_MS } from './pacing';
import { checkPasswordStrength } from './passwords';
import type { AccountStore, Clock, FailureCounter, PasswordHasher, SecurityLog, SessionStore, TokenStore } from './ports';
import { newId, randomSecret, sha256 } from '../../shared/crypto';
import { COUNTERS } from '../../shared/items';
import { displayEmail, mailboxOf, normaliseEmail } from '../../shared/email-address';

export { SESSION_TOKEN_PREFIX, type Principal };
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
/**
 * Password checks per window of 15 minutes: at most `perEmail` failures for one email wherever they
 * come from, and `perAddress` from one address for any emails. A check is reserved before the
 * password is looked at, so a concurrent burst gets no more checks than the limit; past it, 429 with
 * Retry-After at once (nothing waits inside the function). A successful sign-in resets its email's
 * count and gives its address back the reservation, so the owner's own sign-ins never count. When an
 * email reaches its limit, its owner is mailed a single-use "was this you?" link that resets the
 * count. Nor does guessing from elsewhere pause the owner where they signed in before: an email's limit
 * does not apply from the last `SIGN_IN_ADDRESSES_KEPT` addresses its account signed in (or reset the
 * password) from — only the address's own limit does — so no attacker can keep an owner out by guessing.
 */
export const LOGIN_LIMITS = { perEmail: 5, perAddress: 20, windowSeconds: 15 * 60 };
/** Addresses an account remembers it was signed in from (newest first): a home, an office, a phone's networks. */
export const SIGN_IN_ADDRESSES_KEPT = 10;
/** A session this young may create keys without the password again. */
export const RECENT_SIGN_IN_SECONDS = 10 * 60;
/** Password checks a signed-in session may make (changing the password or email, older sessions' key creation), per account. */
export const SESSION_PASSWORD_LIMITS = { perAccount: 5, windowSeconds: 15 * 60 };
/**
 * Sign-ups allowed per window: per IP address, and per email — every sign-up sends mail, so
 * without a limit the form would let anyone make us mail any address over and over. Each limit on
 * mail to an address (sign-ups, resets, resent links) counts its mailbox (`mailboxOf`: anna+1@, anna+2@
 * … are anna@'s), or tags made up by the thousand would each mail it a limit's worth.
 */
export const SIGNUP_LIMITS = { email: 3, ip: 20, windowSeconds: 60 * 60 };
/** Password-reset requests per hour, per address asked about and per IP: each may send mail. */
export const PASSWORD_RESET_LIMITS = { email: 3, ip: 20, windowSeconds: 60 * 60 };
/** Resent verification mails per hour, per address and per IP. */
export const RESEND_VERIFICATION_LIMITS = { email: 3, ip: 20, windowSeconds: 60 * 60 };
/**
 * Email-change links per hour, per address asked for (its mailbox) and per IP: each mails an address
 * the account does not hold, so without a limit per address, accounts made by the dozen would each
 * mail it twenty an hour (their own password checks were the only bound).
 */
export const EMAIL_CHANGE_LIMITS = { email: 3, ip: 20, windowSeconds: 60 * 60 };
/** A password-reset link works this long: it hands over the account, so less than other links. */
export const PASSWORD_RESET_TTL_SECONDS = 60 * 60;

export interface AccountDeps {
  accounts: AccountStore;
  sessions: SessionStore;
  tokens: TokenStore;
  securityLog: SecurityLog;
  failures: FailureCounter;
  hasher: PasswordHasher;
  mailer: Mailer;
  clock: Clock;
  /** Paces answers that must not tell whether an address has an account. */
  pacing: Pacing;
  /** Base URL links in mail point at, e.g. https://api.omnapi.com. */
  publicUrl: string;
}

/** An account service holding at least these ports: each method names what it uses, so a function built with fewer cannot call it. */
type With<K extends keyof AccountDeps> = AccountService<Pick<AccountDeps, K>>;

/** The counter of one email's failed sign-ins (erasure finds it by the address's hash). */
const loginFailuresKey = (email: string) => COUNTERS.signInFailures.of(sha256(email));

/** A cursor from a previous page: the base64url of an event's sort key (`<ISO time>#evt_…`). */
function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z#evt_[0-9a-f]{24}$/.test(key)) {
    throw new ValidationError('query.cursor: not a cursor from a previous page', [
      { path: 'query.cursor', message: 'not a cursor from a previous page' },
    ]);
  }
  return key;
}

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/** The remembered sign-in addresses with this one first (as SHA-256), at most SIGN_IN_ADDRESSES_KEPT. */
function withAddress(addresses: string[] | undefined, ip: string): string[] {
  const hash = addressHash(ip);
  return [hash, ...(addresses ?? []).filter((a) => a !== hash)].slice(0, SIGN_IN_ADDRESSES_KEPT);
}

/**
 * A sign-in address as the account remembers it: hashed, and for IPv6 its /64 (throttleNetwork), since a
 * device's own address changes every day or so (privacy addresses) within the prefix its network hands it.
 */
const addressHash = (ip: string) => sha256(throttleNetwork(ip));

/** Whether the account signed in from `ip`'s network before (hashes stored of a whole IPv6 address match too). */
const signedInFrom = (addresses: string[] | undefined, ip: string) =>
  addresses?.some((a) => a === addressHash(ip) || a === sha256(ip)) ?? false;

/**
 * Sign-up, verification, sessions and self-service for account holders. Every operation that takes
 * an id is scoped to the calling account: another account's ids behave as if they did not exist.
 * A function builds it with the ports its construct bound (`D`); each method's `this` type names the
 * ports it uses, so calling one the function has no port for does not compile.
 */
export class AccountService<D extends Partial<AccountDeps> = AccountDeps> {
  constructor(private readonly deps: D) {}

  /**
   * Creates an unverified account and mails a verification link. When the email is taken, the
   * caller sees exactly the same answer and the owner gets a notice instead: signing up never
   * reveals whether an address has an account, by its answer or by its time (both paths hash the
   * password, and the work after it answers at UNIFORM_ANSWER_MS).
   */
  async signup(
    this: With<'accounts' | 'hasher' | 'mailer' | 'tokens' | 'publicUrl' | 'failures' | 'securityLog' | 'clock' | 'pacing'>,
    input: { name: string; email: string; password: string; profile?: Profile },
    origin: RequestOrigin,
  ): Promise<void> {
    const email = normaliseEmail(input.email);
    checkPasswordStrength(input.password, email);
    const now = this.deps.clock.now();
    await this.throttle(
      SIGNUP_LIMITS,
      { email: COUNTERS.signUpsForEmail.of(sha256(mailboxOf(email))), ip: COUNTERS.signUpsFromAddress.of(throttleNetwork(origin.ip)) },
      now,
      'Too many sign-ups; try again later',
    );
    // Both paths hash: a taken address costs the same KDF run as a new one.
    const passwordHash = await this.deps.hasher.hash(input.password);
    const account: Account = {
      accountId: newId('acc'),
      email,
      name: input.name.trim(),
      profile: input.profile ?? {},
      preferences: DEFAULT_PREFERENCES,
      passwordHash,
      emailVerified: false,
      plan: 'free',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    // What follows differs (a new account: its item, a link, a mail and an event; a taken address: a
    // refused write and a notice), so it ends at one floor whichever ran.
    await noSoonerThan(
      UNIFORM_ANSWER_MS,
      async () => {
        if (!(await this.deps.accounts.create(account))) {
          const existing = await this.deps.accounts.findByEmail(email);
          if (existing && !existing.emailVerified) return this.reclaimUnverified(existing, origin);
          await this.deps.mailer.send({
            to: email,
            subject: 'Someone tried to sign up with your address',
            text: [
              'Someone (perhaps you) tried to create an OmnAPI account with this email address, which already has one.',
              'If it was you, sign in instead. If not, you can ignore this message: nothing was changed.',
            ].join('\n'),
          });
          return;
        }
        await this.sendEmailLink(account.accountId, email, 'verify_email');
        await this.record(account.accountId, 'signup', origin);
      },
      this.deps.pacing,
    );
  }

  /**
   * A sign-up for an address whose account was never confirmed: perhaps its owner signed up before and
   * lost the mail, perhaps someone else made the account with the owner's address and a password of
   * their own, waiting for the owner to click its confirmation link (a pre-hijacked account). Either
   * way the mailbox's owner is the one asking now: the links that would confirm the account as it is
   * stop working, and the mail brings a link that sets the password and confirms in one step (the
   * password reset's, which ends every session and keeps the address's limits).
   */
  private async reclaimUnverified(
    this: With<'accounts' | 'tokens' | 'mailer' | 'publicUrl' | 'securityLog' | 'clock'>,
    account: Account,
    origin: RequestOrigin,
  ): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.deps.accounts.update(account.accountId, { verifyLinksFrom: now }, now);
    const minutes = PASSWORD_RESET_TTL_SECONDS / 60;
    await this.sendEmailLink(
      account.accountId,
      account.email,
      'reset_password',
      {
        subject: 'Finish signing up to OmnAPI',
        text: (url: string) =>
          [
            `Someone (we hope you) signed up to OmnAPI with ${displayEmail(account.email)}, which already has an account that was never confirmed.`,
            `Follow this link within ${minutes} minutes to choose its password and confirm the address in one step; it works once:`,
            '',
            url,
            '',
            'Confirmation links mailed before this one no longer work. If you did not sign up, ignore this message: nothing was changed.',
          ].join('\n'),
      },
      PASSWORD_RESET_TTL_SECONDS,
    );
    await this.record(account.accountId, 'password_reset_requested', origin, { reason: 'sign-up for an unconfirmed address' });
  }

  /**
   * Follows a mailed link: confirms an address, lifts a sign-in pause, or completes an email change.
   * Single use. Answers what it did and to which account (the address before and after, for a change).
   */
  async confirmEmailToken(
    this: With<'accounts' | 'tokens' | 'failures' | 'mailer' | 'securityLog' | 'clock'>,
    token: string,
    origin: RequestOrigin,
  ): Promise<{ purpose: VerifyPurpose; accountId: string; emailChange?: { from: string; to: string } }> {
    const record = await this.deps.tokens.consume(sha256(token), [...VERIFY_PURPOSES]);
    const now = this.deps.clock.now();
    if (!record || record.expiresAt <= epoch(now)) throw new InvalidTokenError();
    if (record.purpose === 'verify_email') {
      const account = await this.deps.accounts.get(record.accountId);
      // A sign-up for the address since replaced the account's confirmation links (reclaimUnverified): this one confirms nothing.
      if (!account || (account.verifyLinksFrom && !(record.issuedAt && record.issuedAt >= account.verifyLinksFrom)))
        throw new InvalidTokenError();
      await this.deps.accounts.markVerified(record.accountId, now.toISOString());
      await this.record(record.accountId, 'email_verified', origin);
    } else if (record.purpose === 'unlock_sign_in') {
      const { start } = fixedWindow(now, LOGIN_LIMITS.windowSeconds);
      await this.deps.failures.reset(loginFailuresKey(record.email), start);
      await this.record(record.accountId, 'login_unlocked', origin);
    } else {
      const account = await this.deps.accounts.get(record.accountId);
      if (!account) throw new InvalidTokenError();
      // A password set since the change was asked for ends it: whoever took the account back undoes a thief's pending change.
      if (account.passwordChangedAt && !(record.issuedAt && record.issuedAt >= account.passwordChangedAt)) throw new InvalidTokenError();
      // Only the change asked for last: a link to an address asked before, or from before the last change was made, moves nothing.
      if (account.emailChangeTo !== record.email) throw new InvalidTokenError();
      if (!(await this.deps.accounts.changeEmail(account.accountId, account.email, record.email, now.toISOString()))) {
        throw new EmailTakenError();
      }
      await this.record(account.accountId, 'email_changed', origin, { from: account.email, to: record.email });
      // The old address is told: if the change was not the holder's doing, this is their warning.
      await this.deps.mailer.send({
        to: account.email,
        subject: 'Your OmnAPI email address was changed',
        text: `Your OmnAPI account now signs in with ${displayEmail(record.email)}. If you did not make this change, contact support@omnapi.com at once.`,
      });
      return { purpose: 'change_email', accountId: account.accountId, emailChange: { from: account.email, to: record.email } };
    }
    return { purpose: record.purpose as VerifyPurpose, accountId: record.accountId };
  }

  /**
   * Mails a new verification link to an unverified account's address. The answer is the same
   * whether or not the address has an account, or one already verified; within RESEND_VERIFICATION_LIMITS.
   */
  async resendVerification(
    this: With<'accounts' | 'tokens' | 'mailer' | 'publicUrl' | 'failures' | 'securityLog' | 'clock'>,
    input: { email: string },
    origin: RequestOrigin,
  ): Promise<void> {
    const email = normaliseEmail(input.email);
    const now = this.deps.clock.now();
    await this.throttle(
      RESEND_VERIFICATION_LIMITS,
      {
        email: COUNTERS.verificationResendsForEmail.of(sha256(mailboxOf(email))),
        ip: COUNTERS.verificationResendsFromAddress.of(throttleNetwork(origin.ip)),
      },
      now,
      'Too many verification mails asked for; try again later',
    );
    const account = await this.deps.accounts.findByEmail(email);
    if (!account || account.emailVerified) return;
    // Once a sign-up reclaimed the address, only setting the password from the mailbox confirms it: a resent link would confirm a password someone else chose.
    if (account.verifyLinksFrom) return this.reclaimUnverified(account, origin);
    await this.sendEmailLink(account.accountId, email, 'verify_email');
    await this.record(account.accountId, 'verification_resent', origin);
  }

  /**
   * Mails a single-use link that sets a new password to the address, if it has an account. The caller
   * learns nothing either way (the same answer, the same limits: PASSWORD_RESET_LIMITS per address
   * asked about and per IP); the owner of an address with no account gets no mail.
   */
  async requestPasswordReset(
    this: With<'accounts' | 'tokens' | 'mailer' | 'publicUrl' | 'failures' | 'securityLog' | 'clock'>,
    input: { email: string },
    origin: RequestOrigin,
  ): Promise<void> {
    const email = normaliseEmail(input.email);
    const now = this.deps.clock.now();
    await this.throttle(
      PASSWORD_RESET_LIMITS,
      {
        email: COUNTERS.passwordResetsForEmail.of(sha256(mailboxOf(email))),
        ip: COUNTERS.passwordResetsFromAddress.of(throttleNetwork(origin.ip)),
      },
      now,
      'Too many password resets asked for; try again later',
    );
    const account = await this.deps.accounts.findByEmail(email);
    if (!account) return;
    const minutes = PASSWORD_RESET_TTL_SECONDS / 60;
    await this.sendEmailLink(
      account.accountId,
      email,
      'reset_password',
      {
        subject: 'Reset your OmnAPI password',
        text: (url: string) =>
          [
            `Someone (we hope you) asked to set a new password for the OmnAPI account of ${displayEmail(email)}, from ${origin.ip}.`,
            `Follow this link within ${minutes} minutes to choose a new one; it works once, and every session of the account is signed out:`,
            '',
            url,
            '',
            'If you did not ask for this, ignore this message: your password stays as it is.',
          ].join('\n'),
      },
      PASSWORD_RESET_TTL_SECONDS,
    );
    await this.record(account.accountId, 'password_reset_requested', origin);
  }

  /**
   * Follows a password-reset link: sets the new password once, signs out every session, lifts a
   * sign-in pause on the address and tells the owner. The link also proves the address, so an
   * unverified account is verified by it. Returns the account, for the audit trail.
   */
  async resetPassword(
    this: With<'accounts' | 'tokens' | 'hasher' | 'sessions' | 'failures' | 'mailer' | 'securityLog' | 'clock'>,
    input: { token: string; password: string },
    origin: RequestOrigin,
  ): Promise<{ accountId: string; sessionsRevoked: number }> {
    const now = this.deps.clock.now();
    const record = await this.deps.tokens.consume(sha256(input.token), ['reset_password']);
    if (!record || record.expiresAt <= epoch(now)) throw new InvalidTokenError();
    const account = await this.deps.accounts.get(record.accountId);
    // The link went to the address the account had then; one that has moved on no longer speaks for it.
    if (!account || account.email !== record.email) throw new InvalidTokenError();
    // A password set since the link was mailed (its owner's reset or change) ends it: another copy of an older mail cannot undo it.
    if (account.passwordChangedAt && !(record.issuedAt && record.issuedAt >= account.passwordChangedAt)) throw new InvalidTokenError();
    try {
      checkPasswordStrength(input.password, account.email);
    } catch (error) {
      // A refused password leaves the link as it was: the holder tries a better one with it.
      await this.deps.tokens.put(record);
      throw error;
    }
    await this.deps.accounts.update(
      account.accountId,
      {
        passwordHash: await this.deps.hasher.hash(input.password),
        passwordChangedAt: now.toISOString(),
        // The owner proved the mailbox from here: guesses from elsewhere never pause sign-in from it.
        signInAddresses: withAddress(account.signInAddresses, origin.ip),
      },
      now.toISOString(),
    );
    if (!account.emailVerified) await this.deps.accounts.markVerified(account.accountId, now.toISOString());
    const sessionsRevoked = (await this.endSessions(account.accountId)).length;
    await this.deps.failures.reset(loginFailuresKey(account.email), fixedWindow(now, LOGIN_LIMITS.windowSeconds).start);
    await this.record(account.accountId, 'password_reset', origin, { sessionsRevoked: String(sessionsRevoked) });
    await this.deps.mailer.send({
      to: account.email,
      subject: 'Your OmnAPI password was reset',
      text: [
        `The password of your OmnAPI account was reset with the link we mailed you, from ${origin.ip}, and every session was signed out.`,
        'If this was not you, reset it again at once and contact support@omnapi.com: your security events list every sign-in.',
        // Keys are integrations' credentials, so a reset leaves them working; one made by whoever got in would too.
        'Your API keys keep working: if this was not you, revoke any key you do not recognise.',
      ].join('\n'),
    });
    return { accountId: account.accountId, sessionsRevoked };
  }

  /** Checks the password and opens a session, within LOGIN_LIMITS. */
  async login(
    this: With<'accounts' | 'sessions' | 'tokens' | 'hasher' | 'mailer' | 'publicUrl' | 'failures' | 'securityLog' | 'clock' | 'pacing'>,
    input: { email: string; password: string },
    origin: RequestOrigin,
  ): Promise<{ token: string; session: Session }> {
    const email = normaliseEmail(input.email);
    const now = this.deps.clock.now();
    const { start, end } = fixedWindow(now, LOGIN_LIMITS.windowSeconds);
    const emailKey = loginFailuresKey(email);
    // Per network: one IPv6 host holds a whole /64 to rotate through (throttleNetwork).
    const addressKey = COUNTERS.signInAddress.of(throttleNetwork(origin.ip));
    // The check is reserved before the password is looked at: sixty at once get five checks, not sixty.
    const [byEmail, byAddress] = await Promise.all([
      this.deps.failures.increment(emailKey, start, end),
      this.deps.failures.increment(addressKey, start, end),
    ]);
    const account = await this.deps.accounts.findByEmail(email);
    const subject = account?.accountId ?? `anonymous#${sha256(email)}`;
    // Guesses at the email from elsewhere do not pause its owner where they signed in before.
    const knownAddress = signedInFrom(account?.signInAddresses, origin.ip);
    if ((byEmail > LOGIN_LIMITS.perEmail && !knownAddress) || byAddress > LOGIN_LIMITS.perAddress) {
      await this.record(subject, 'login_throttled', origin, { by: byEmail > LOGIN_LIMITS.perEmail ? 'email' : 'address' });
      throw new TooManyRequestsError('Too many failed sign-ins; try again later', end - epoch(now));
    }
    // An unknown email costs the same KDF run as a wrong password, so timing tells nothing.
    const valid = await this.deps.hasher.verify(input.password, account?.passwordHash);
    if (!account || !valid) {
      // At the limit an account's owner is warned (a link written, a mail sent): a failure answers at one pace, so the
      // attempt that reaches it does not take longer for an address that has an account than for one that has none.
      await noSoonerThan(
        UNIFORM_ANSWER_MS,
        async () => {
          await this.record(subject, 'login_failed', origin);
          if (account && byEmail === LOGIN_LIMITS.perEmail) await this.warnOfAttack(account, origin);
        },
        this.deps.pacing,
      );
      throw new InvalidCredentialsError();
    }
    await Promise.all([this.deps.failures.reset(emailKey, start), this.deps.failures.release(addressKey, start)]);
    if (!account.emailVerified) throw new EmailNotVerifiedError();
    const opened = await this.openSession(account.accountId, origin);
    // A password set while this one was checked (a change, a reset) signs out every session it finds, which
    // may be before this one was written: read again (the address's write answers the account as it is
    // now), and a session the old password opened ends here.
    const current = await this.deps.accounts.rememberSignInAddresses(account.accountId, withAddress(account.signInAddresses, origin.ip));
    if (current?.passwordHash !== account.passwordHash) {
      await this.deps.sessions.delete(opened.session);
      await this.record(account.accountId, 'login_failed', origin, { reason: 'the password changed while it was checked' });
      throw new InvalidCredentialsError();
    }
    await this.record(account.accountId, 'login_succeeded', origin, { sessionId: opened.session.sessionId });
    return opened;
  }

  /** Once per window, when an email's failures reach the limit: the owner is told, with a link that lifts it. */
  private async warnOfAttack(
    this: With<'tokens' | 'mailer' | 'publicUrl' | 'securityLog' | 'clock'>,
    account: Account,
    origin: RequestOrigin,
  ): Promise<void> {
    await this.record(account.accountId, 'login_under_attack', origin, { failures: String(LOGIN_LIMITS.perEmail) });
    const minutes = LOGIN_LIMITS.windowSeconds / 60;
    await this.sendEmailLink(account.accountId, account.email, 'unlock_sign_in', {
      subject: 'Was this you? Failed sign-ins to your OmnAPI account',
      text: (url: string) =>
        [
          `We have seen ${LOGIN_LIMITS.perEmail} failed sign-ins to your account in the last ${minutes} minutes, the latest from ${origin.ip}.`,
          `Sign-in with a password is paused for up to ${minutes} minutes. If it was you, this link lifts the pause at once (it works once, for ${EMAIL_TOKEN_TTL_SECONDS / 3600} hours):`,
          '',
          url,
          '',
          'If it was not you, nobody got in: choose a long, unique password and review your sessions and keys; your security events list every attempt.',
        ].join('\n'),
    });
  }

  /** Resolves a session token (cookie or bearer) to its account, or throws 401. */
  authenticate(this: With<'sessions' | 'clock'>, token: string | undefined): Promise<Principal> {
    return resolveSession(this.deps.sessions, token, this.deps.clock.now());
  }

  async logout(this: With<'sessions' | 'securityLog' | 'clock'>, principal: Principal, origin: RequestOrigin): Promise<void> {
    await this.deps.sessions.delete(principal);
    await this.record(principal.accountId, 'logout', origin, { sessionId: principal.sessionId });
  }

  async listSessions(
    this: With<'sessions' | 'clock'>,
    principal: Principal,
  ): Promise<(Omit<Session, 'tokenHash'> & { current: boolean })[]> {
    const now = epoch(this.deps.clock.now());
    const sessions = await this.deps.sessions.listByAccount(principal.accountId);
    return sessions
      .filter((s) => s.expiresAt > now)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map(({ tokenHash: _hash, ...session }) => ({ ...session, current: session.sessionId === principal.sessionId }));
  }

  async revokeSession(
    this: With<'sessions' | 'securityLog' | 'clock'>,
    principal: Principal,
    sessionId: string,
    origin: RequestOrigin,
  ): Promise<void> {
    const session = (await this.deps.sessions.listByAccount(principal.accountId)).find((s) => s.sessionId === sessionId);
    if (!session) throw new SessionNotFoundError();
    await this.deps.sessions.delete(session);
    await this.record(principal.accountId, 'session_revoked', origin, { sessionId });
  }

  /** Signs out every session of the account but the caller's; how many. Each is recorded as a revoked session. */
  async revokeOtherSessions(
    this: With<'sessions' | 'securityLog' | 'clock'>,
    principal: Principal,
    origin: RequestOrigin,
  ): Promise<number> {
    const ended = await this.endSessions(principal.accountId, principal.sessionId);
    await Promise.all(ended.map((sessionId) => this.record(principal.accountId, 'session_revoked', origin, { sessionId })));
    return ended.length;
  }

  async getAccount(this: With<'accounts'>, principal: Principal): Promise<AccountView> {
    return viewOf(await this.requireAccount(principal.accountId));
  }

  /** Corrects name and profile at once (a profile field patched to null is removed); a new email is only taken once confirmed from that address. */
  async updateAccount(
    this: With<'accounts' | 'tokens' | 'mailer' | 'publicUrl' | 'hasher' | 'failures' | 'securityLog' | 'clock'>,
    principal: Principal,
    changes: { name?: string; profile?: ProfilePatch; email?: string; currentPassword?: string },
    origin: RequestOrigin,
  ): Promise<AccountView & { pendingEmail?: string }> {
    const now = this.deps.clock.now().toISOString();
    let account = await this.requireAccount(principal.accountId);
    const newEmail = changes.email === undefined ? undefined : normaliseEmail(changes.email);
    if (newEmail && newEmail !== account.email) {
      if (changes.currentPassword === undefined) throw new CurrentPasswordRequiredError('required to change the email address');
      await this.confirmPassword(account, changes.currentPassword, origin, 'an email change');
      await this.throttle(
        EMAIL_CHANGE_LIMITS,
        {
          email: COUNTERS.emailChangesForEmail.of(sha256(mailboxOf(newEmail))),
          ip: COUNTERS.emailChangesFromAddress.of(throttleNetwork(origin.ip)),
        },
        this.deps.clock.now(),
        'Too many email changes asked for; try again later',
      );
    }
    // The newest address asked for is the only one a link completes; asking for the current one withdraws a change asked before.
    const emailChangeTo =
      newEmail === undefined ? undefined : newEmail === account.email ? (account.emailChangeTo ? null : undefined) : newEmail;
    if (changes.name !== undefined || changes.profile !== undefined || emailChangeTo !== undefined) {
      account = await this.deps.accounts.update(
        principal.accountId,
        // The patch itself, not the profile read above patched: the store applies it field by field in one write.
        { name: changes.name?.trim(), profile: changes.profile, emailChangeTo },
        now,
      );
    }
    if (newEmail && newEmail !== account.email) {
      await this.sendEmailLink(account.accountId, newEmail, 'change_email');
      await this.record(account.accountId, 'email_change_requested', origin, { to: newEmail });
      return { ...viewOf(account), pendingEmail: newEmail };
    }
    return viewOf(account);
  }

  /**
   * A session older than RECENT_SIGN_IN_SECONDS proves its caller again with the password (creating
   * a key hands out lasting access); a fresh one needs nothing more.
   */
  async requireRecentSignIn(
    this: With<'accounts' | 'hasher' | 'failures' | 'securityLog' | 'clock'>,
    principal: Principal,
    password: string | undefined,
    origin: RequestOrigin,
  ): Promise<void> {
    const age = (this.deps.clock.now().getTime() - Date.parse(principal.signedInAt)) / 1000;
    if (age <= RECENT_SIGN_IN_SECONDS) return;
    if (password === undefined)
      throw new CurrentPasswordRequiredError(`required: this session signed in more than ${RECENT_SIGN_IN_SECONDS / 60} minutes ago`);
    await this.confirmPassword(await this.requireAccount(principal.accountId), password, origin, 'a key creation');
  }

  /**
   * Requires the current password; signs out every other session. A stolen session must not be a
   * password oracle: the attempt is reserved before the check, five per account a quarter of an hour
   * (as for the privacy API's erasure password), and a wrong password is a security event.
   */
  async changePassword(
    this: With<'accounts' | 'sessions' | 'hasher' | 'mailer' | 'failures' | 'securityLog' | 'clock'>,
    principal: Principal,
    input: { currentPassword: string; newPassword: string },
    origin: RequestOrigin,
  ): Promise<void> {
    const account = await this.requireAccount(principal.accountId);
    await this.confirmPassword(account, input.currentPassword, origin, 'a password change');
    checkPasswordStrength(input.newPassword, account.email);
    const now = this.deps.clock.now().toISOString();
    await this.deps.accounts.update(
      account.accountId,
      { passwordHash: await this.deps.hasher.hash(input.newPassword), passwordChangedAt: now },
      now,
    );
    const sessionsRevoked = (await this.endSessions(account.accountId, principal.sessionId)).length;
    await this.record(account.accountId, 'password_changed', origin, { sessionsRevoked: String(sessionsRevoked) });
    await this.deps.mailer.send({
      to: account.email,
      subject: 'Your OmnAPI password was changed',
      text: 'Your password was just changed and your other sessions were signed out. If this was not you, contact support@omnapi.com at once.',
    });
  }

  async getPreferences(this: With<'accounts'>, principal: Principal): Promise<Preferences> {
    return (await this.requireAccount(principal.accountId)).preferences;
  }

  async setPreferences(this: With<'accounts' | 'clock'>, principal: Principal, preferences: Preferences): Promise<Preferences> {
    return (await this.deps.accounts.update(principal.accountId, { preferences }, this.deps.clock.now().toISOString())).preferences;
  }

  /** A page of the caller's events; the cursor is opaque to the caller and only ever reads their partition. */
  async listSecurityEvents(
    this: With<'securityLog'>,
    principal: Principal,
    limit: number,
    cursor?: string,
  ): Promise<{ events: SecurityEvent[]; nextCursor?: string }> {
    const page = await this.deps.securityLog.listByAccount(
      principal.accountId,
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor),
    );
    return { events: page.events, nextCursor: page.nextCursor && Buffer.from(page.nextCursor).toString('base64url') };
  }

  /**
   * Ends every session of the account but `except`; how many it ended. Called after the new password
   * is stored: a session the list cannot see yet was written after it, and its sign-in, which reads the
   * account again once its session is written, ends it itself (`login`).
   */
  private async endSessions(this: With<'sessions'>, accountId: string, except?: string): Promise<string[]> {
    const ended = (await this.deps.sessions.listByAccount(accountId)).filter((s) => s.sessionId !== except);
    await Promise.all(ended.map((s) => this.deps.sessions.delete(s)));
    return ended.map((s) => s.sessionId);
  }

  private async openSession(
    this: With<'sessions' | 'clock'>,
    accountId: string,
    origin: RequestOrigin,
  ): Promise<{ token: string; session: Session }> {
    const token = `${SESSION_TOKEN_PREFIX}${randomSecret()}`;
    const now = this.deps.clock.now();
    const session: Session = {
      sessionId: newId('ses'),
      tokenHash: sha256(token),
      accountId,
      ip: origin.ip,
      userAgent: clip(origin.userAgent, MAX_USER_AGENT),
      createdAt: now.toISOString(),
      expiresAt: epoch(now) + SESSION_TTL_SECONDS,
    };
    await this.deps.sessions.put(session);
    return { token, session };
  }

  /** A signed-in caller's password check, within SESSION_PASSWORD_LIMITS; a wrong one is a security event. */
  private async confirmPassword(
    this: With<'hasher' | 'failures' | 'securityLog' | 'clock'>,
    account: Account,
    password: string,
    origin: RequestOrigin,
    purpose: string,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const { start, end } = fixedWindow(now, SESSION_PASSWORD_LIMITS.windowSeconds);
    if (
      (await this.deps.failures.increment(COUNTERS.passwordChecks.of(account.accountId), start, end)) > SESSION_PASSWORD_LIMITS.perAccount
    ) {
      await this.record(account.accountId, 'login_throttled', origin, { reason: 'password checks from a session' });
      throw new TooManyRequestsError('Too many password attempts; try again later', end - epoch(now));
    }
    if (!(await this.deps.hasher.verify(password, account.passwordHash))) {
      await this.record(account.accountId, 'login_failed', origin, { reason: `wrong current password on ${purpose}` });
      throw new InvalidCredentialsError();
    }
  }

  private sendEmailLink(
    this: With<'tokens' | 'mailer' | 'publicUrl' | 'clock'>,
    accountId: string,
    email: string,
    purpose: EmailToken['purpose'],
    message?: EmailLinkMessage,
    ttlSeconds?: number,
  ): Promise<void> {
    return mailEmailLink(
      { tokens: this.deps.tokens, mailer: this.deps.mailer, publicUrl: this.deps.publicUrl, now: () => this.deps.clock.now() },
      { accountId, email, purpose, message, ttlSeconds },
    );
  }

  /**
   * Counts this attempt against per-email and per-IP windows — atomically, so a concurrent burst
   * cannot slip past — and refuses it with 429 until the window ends once either is over its limit.
   */
  private async throttle(
    this: With<'failures'>,
    limits: { email: number; ip: number; windowSeconds: number },
    keys: { email: string; ip: string },
    now: Date,
    message: string,
  ): Promise<void> {
    const { start: windowStart, end: windowEnd } = fixedWindow(now, limits.windowSeconds);
    const [byEmail, byIp] = await Promise.all([
      this.deps.failures.increment(keys.email, windowStart, windowEnd),
      this.deps.failures.increment(keys.ip, windowStart, windowEnd),
    ]);
    if (byEmail > limits.email || byIp > limits.ip) throw new TooManyRequestsError(message, windowEnd - epoch(now));
  }

  private async requireAccount(this: With<'accounts'>, accountId: string): Promise<Account> {
    const account = await this.deps.accounts.get(accountId);
    if (!account) throw new UnauthorizedError('Account no longer exists');
    return account;
  }

  private record(
    this: With<'securityLog' | 'clock'>,
    accountId: string,
    type: SecurityEventType,
    origin: RequestOrigin,
    detail?: Record<string, string>,
  ): Promise<void> {
    return this.deps.securityLog.record(securityEvent(accountId, type, origin, this.deps.clock.now(), detail));
  }
}
