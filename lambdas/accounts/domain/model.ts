/** What an account holder tells us about themselves beyond name and email; all optional. */
export interface Profile {
  company?: string;
  website?: string;
  country?: string;
  bio?: string;
}

/** A change of the profile: a field given is set, `null` removes it, one left out stays. */
export type ProfilePatch = { [K in keyof Profile]?: Profile[K] | null };

/** The profile after `patch`: fields set to `null` are gone. */
export function patchProfile(profile: Profile, patch: ProfilePatch): Profile {
  return Object.fromEntries(
    Object.entries({ ...profile, ...patch }).filter(([, value]) => value !== null && value !== undefined),
  ) as Profile;
}

/** Processing choices the privacy policy lets an account holder object to. */
export interface Preferences {
  /** Product-update mail; off unless chosen. Security and billing notices are not optional. */
  productUpdates: boolean;
  /** The deprecation digest (an optional notice topic); on unless turned off, absent meaning on. */
  deprecationNotices?: boolean;
  /** Usage analytics beyond billing; on unless objected to. Billing and logs for billing continue. */
  analytics: boolean;
  /** Mail once when the balance falls below this many credits (decimal string); absent or null: never. */
  lowBalanceCredits?: string | null;
  /** The language of privacy replies to this account's requests (BCP 47); absent: the letter's, else English. */
  locale?: string;
}

export const DEFAULT_PREFERENCES: Preferences = { productUpdates: false, deprecationNotices: true, analytics: true };

export interface Account {
  accountId: string;
  email: string;
  name: string;
  profile: Profile;
  preferences: Preferences;
  passwordHash: string;
  emailVerified: boolean;
  /** Rate-limit plan; keys follow it within the gateway's key-cache window. */
  plan: string;
  /** Suspended by ops for abuse: keys answer 403; the holder can still sign in, read their data and use their privacy rights. */
  suspension?: { reason: string; at: string; by: string };
  /** When the account took its current address (absent: since it was created). Mail from the address before then is not its holder's. */
  emailSince?: string;
  /**
   * The address the newest email change was asked for, until it is made: only a link to it completes a
   * change, so a link mailed to an address asked before (a slip of the fingers: a stranger's mailbox) or
   * one asked before the last change was made moves nothing.
   */
  emailChangeTo?: string | null;
  /**
   * When a sign-up for the address found this account unconfirmed and mailed a link to set its password
   * instead: confirmation links mailed before then no longer work (whoever made the account may not own the address).
   */
  verifyLinksFrom?: string;
  /** When the password was last set by a reset or a change: a reset link mailed before then no longer works. */
  passwordChangedAt?: string;
  /**
   * SHA-256 of the network addresses the holder last signed in or reset the password from, newest first
   * (`SIGN_IN_ADDRESSES_KEPT`): guesses from elsewhere never pause sign-in from these.
   */
  signInAddresses?: string[];
  /** Stripe customer, once the holder has started a checkout; no card data is ever kept. */
  stripeCustomerId?: string;
  createdAt: string;
  updatedAt: string;
}

/** An account as its holder sees it: never the password hash. */
export type AccountView = Omit<Account, 'passwordHash' | 'signInAddresses' | 'emailChangeTo' | 'verifyLinksFrom'>;

export function viewOf(account: Account): AccountView {
  const { passwordHash: _hidden, signInAddresses: _sign, emailChangeTo: _asked, verifyLinksFrom: _from, ...view } = account;
  return view;
}

export interface Session {
  sessionId: string;
  /** SHA-256 of the session token; the token itself is never stored. */
  tokenHash: string;
  accountId: string;
  ip: string;
  userAgent: string;
  createdAt: string;
  /** Epoch seconds; DynamoDB TTL deletes the item after this. */
  expiresAt: number;
}

export type TokenPurpose = 'verify_email' | 'change_email' | 'unlock_sign_in' | 'reset_password';

/** The links `GET /v1/auth/verify` follows; a password-reset link is only ever taken by the reset itself. */
export const VERIFY_PURPOSES = ['verify_email', 'change_email', 'unlock_sign_in'] as const satisfies TokenPurpose[];
export type VerifyPurpose = (typeof VERIFY_PURPOSES)[number];

export interface EmailToken {
  tokenHash: string;
  purpose: TokenPurpose;
  accountId: string;
  /** The address the link was sent to (the new one, for a change). */
  email: string;
  expiresAt: number;
  /** When the link was mailed. */
  issuedAt?: string;
}

export type KeyStatus = 'active' | 'rolling' | 'revoked';

export interface ApiKey {
  keyId: string;
  /** SHA-256 of the secret; the secret is shown once and never stored. */
  secretHash: string;
  /** The first characters of the secret, to recognise it by. */
  prefix: string;
  accountId: string;
  name: string;
  plan: string;
  status: KeyStatus;
  createdAt: string;
  /** Set when rolled: the old secret keeps working until then. */
  graceUntil?: string;
  revokedAt?: string;
  /** The key that replaced this one. */
  replacedBy?: string;
  /** Set while the account is suspended: the gateway answers 403 account_suspended. */
  suspended?: boolean;
}

export type ApiKeyView = Omit<ApiKey, 'secretHash' | 'accountId'>;

export function keyViewOf(key: ApiKey): ApiKeyView {
  const { secretHash: _hash, accountId: _account, ...view } = key;
  return view;
}

export {
  MAX_USER_AGENT,
  type RequestOrigin,
  type SecurityEvent,
  securityEvent,
  type SecurityEventType,
} from '../../shared/security-events';
