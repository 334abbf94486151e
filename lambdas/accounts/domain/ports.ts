import type { Account, ApiKey, EmailToken, Preferences, ProfilePatch, SecurityEvent, Session } from './model';

/**
 * What an update may change on an account; a field left out is kept, a null suspension lifts it. The
 * profile is patched field by field in the same write (a field set, a null one removed, the others
 * kept as they are stored), so two corrections of different fields at once both hold.
 */
export interface AccountChanges {
  name?: string;
  profile?: ProfilePatch;
  preferences?: Preferences;
  passwordHash?: string;
  passwordChangedAt?: string;
  signInAddresses?: string[];
  plan?: string;
  suspension?: Account['suspension'] | null;
  verifyLinksFrom?: string;
  /** The address an email change is asked for now; null: none (asked back to the current address). */
  emailChangeTo?: string | null;
}

export interface AccountStore {
  /** Creates the account and claims its email; false when the email is taken. */
  create(account: Account): Promise<boolean>;
  get(accountId: string): Promise<Account | undefined>;
  findByEmail(email: string): Promise<Account | undefined>;
  markVerified(accountId: string, at: string): Promise<void>;
  update(accountId: string, changes: AccountChanges, at: string): Promise<Account>;
  /** Keeps the addresses the holder signs in from (not a change the holder made: `updatedAt` stays); the account as it is now. */
  rememberSignInAddresses(accountId: string, addresses: string[]): Promise<Account | undefined>;
  /**
   * Moves the account to a new email, releasing the old one, and only while that is the change asked for
   * (`emailChangeTo`), which it clears; false when the new one is taken or no longer asked for.
   */
  changeEmail(accountId: string, from: string, to: string, at: string): Promise<boolean>;
}

export interface SessionStore {
  put(session: Session): Promise<void>;
  getByTokenHash(tokenHash: string): Promise<Session | undefined>;
  /** Every session of the account, read so that one opened a moment ago is among them (signing out everywhere relies on it). */
  listByAccount(accountId: string): Promise<Session[]>;
  /** Ends a session: after it, its token resolves nothing and no list shows it. */
  delete(session: Pick<Session, 'accountId' | 'sessionId' | 'tokenHash'>): Promise<void>;
}

export interface TokenStore {
  put(token: EmailToken): Promise<void>;
  /**
   * Deletes and returns the token when it has one of `purposes`: a link works once, even when clicked
   * twice at the same time, and only where it belongs (a token of another purpose is left alone).
   */
  consume(tokenHash: string, purposes: EmailToken['purpose'][]): Promise<EmailToken | undefined>;
}

export interface KeyStore {
  /** The account's key places (0 … MAX_KEYS_PER_ACCOUNT − 1) that a key has taken, and the key that took each last. */
  slots(accountId: string): Promise<Map<number, string>>;
  /**
   * Stores a key. With `slot`, the key takes that place in the same write, only if it is still as read
   * (empty, or last taken by `holder`): false when another creation took it first.
   */
  put(key: ApiKey, slot?: { index: number; holder?: string }): Promise<boolean>;
  listByAccount(accountId: string): Promise<ApiKey[]>;
  /** Updates a key of this account only; false when the account has no such key in that state. */
  transition(
    accountId: string,
    keyId: string,
    from: ApiKey['status'][],
    changes: Partial<Pick<ApiKey, 'status' | 'graceUntil' | 'revokedAt' | 'replacedBy' | 'plan' | 'suspended'>>,
  ): Promise<boolean>;
}

/** Port: when and from where each key was last used, as far as the call logs (90 days) tell. */
export interface KeyUsage {
  lastUses(accountId: string, keyIds: string[]): Promise<Map<string, { at: string; ip: string }>>;
}

export interface SecurityLog {
  record(event: SecurityEvent): Promise<void>;
  /** A page of the account's events, newest first; `cursor` is the previous page's `nextCursor`. */
  listByAccount(accountId: string, limit: number, cursor?: string): Promise<{ events: SecurityEvent[]; nextCursor?: string }>;
}

/** Fixed-window counters, for throttling sign-ups and login failures. */
export type { WindowCounter as FailureCounter } from '../../shared/throttle';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** With no stored hash, does the same work against a decoy and returns false. */
  verify(password: string, stored: string | undefined): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
