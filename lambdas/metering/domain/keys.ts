import { keyWorksAt } from '../../shared/auth/key-validity';
import { sha256 } from '../../shared/crypto';

/** What the gateway needs to know about a presented key. */
export interface ResolvedKey {
  accountId: string;
  keyId: string;
  plan: string;
  status: 'active' | 'rolling';
  /** A rolling key's end (ISO time): no cache may trust it past this. */
  graceUntil?: string;
  /** The account is suspended: the gateway refuses with 403 (the key itself stays valid). */
  suspended?: boolean;
}

/** A key's gateway-relevant fields, as stored under the SHA-256 of its secret. */
export interface StoredKey {
  accountId: string;
  keyId: string;
  plan: string;
  status: 'active' | 'rolling' | 'revoked';
  graceUntil?: string;
  suspended?: boolean;
}

/** Port: a key by the SHA-256 of its secret. The secret itself is never stored or looked up. */
export interface KeyLookup {
  getBySecretHash(secretHash: string): Promise<StoredKey | undefined>;
}

const KEY_FORMAT = /^omn_live_[A-Za-z0-9_-]{43}$/;

/** Whether a presented secret has the form of a key at all: anything else is refused without a lookup. */
export const isKeyShaped = (secret: string): boolean => KEY_FORMAT.test(secret);

/** secret → account, key and plan; undefined for anything malformed, unknown, revoked or past its grace period. */
export async function resolveKey(keys: KeyLookup, secret: string, now: Date): Promise<ResolvedKey | undefined> {
  if (!isKeyShaped(secret)) return undefined;
  const key = await keys.getBySecretHash(sha256(secret));
  if (!key || !keyWorksAt(key, now.toISOString())) return undefined;
  return {
    accountId: key.accountId,
    keyId: key.keyId,
    plan: key.plan,
    status: key.status,
    ...(key.status === 'rolling' ? { graceUntil: key.graceUntil } : {}),
    ...(key.suspended ? { suspended: true } : {}),
  };
}
