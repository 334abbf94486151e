import { KeyCreationContendedError, KeyLimitError, KeyNotFoundError, KeyRollPendingError } from './errors';
import { type ApiKey, type ApiKeyView, keyViewOf, type RequestOrigin, securityEvent } from './model';
import type { AccountStore, Clock, KeyStore, KeyUsage, SecurityLog } from './ports';
import { newId, randomSecret, sha256 } from '../../shared/crypto';
import { keyWorksAt } from '../../shared/auth/key-validity';

export const KEY_PREFIX = 'omn_live_';
/** Visible part of a secret: the prefix and four characters. */
export const KEY_VISIBLE_CHARS = KEY_PREFIX.length + 4;
export const MAX_KEYS_PER_ACCOUNT = 20;
/** How long a rolled key's old secret keeps working, so clients can be redeployed. */
export const ROLL_GRACE_SECONDS = 24 * 3600;

export interface KeyDeps {
  keys: KeyStore;
  accounts: AccountStore;
  securityLog: SecurityLog;
  clock: Clock;
  /** Where the keys' last use is read from; absent where the function is not bound to the logs. */
  usage?: KeyUsage;
}

/** API keys: the secret is returned once at creation and stored only as its SHA-256. */
export class KeyService {
  constructor(private readonly deps: KeyDeps) {}

  /**
   * A new key, within MAX_KEYS_PER_ACCOUNT live ones. Each key made here takes one of the account's
   * MAX_KEYS_PER_ACCOUNT places in the write that stores it, and only a place that is empty or whose
   * key no longer works: concurrent creations cannot all pass one count, and pick places at random, so
   * they rarely meet. Each lost place means another key took one; after more losses than there are
   * places, keys are being revoked and created at once: 409 `key_creation_contended`, to be retried.
   */
  async create(accountId: string, name: string, origin: RequestOrigin): Promise<{ key: ApiKeyView; secret: string }> {
    const account = await this.deps.accounts.get(accountId);
    for (let attempt = 0; attempt <= MAX_KEYS_PER_ACCOUNT; attempt++) {
      // Places first: a key stored after this read is in the listing, so it is never taken for gone.
      const places = await this.deps.keys.slots(accountId);
      const now = this.deps.clock.now().toISOString();
      const working = new Set((await this.deps.keys.listByAccount(accountId)).filter((k) => keyWorksAt(k, now)).map((k) => k.keyId));
      if (working.size >= MAX_KEYS_PER_ACCOUNT) throw new KeyLimitError(MAX_KEYS_PER_ACCOUNT);
      // Places not held by a working key; keys that hold none (made before places, or by a roll) take
      // the highest of them, so every creation that sees the same keys competes for the same rest.
      const free = Array.from({ length: MAX_KEYS_PER_ACCOUNT }, (_, index) => index).filter(
        (index) => !working.has(places.get(index) ?? ''),
      );
      const open = free.slice(0, MAX_KEYS_PER_ACCOUNT - working.size);
      const index = open[Math.floor(Math.random() * open.length)]!;
      const { key, secret } = this.mint(accountId, name.trim(), account?.plan ?? 'free');
      if (account?.suspension) key.suspended = true;
      if (!(await this.deps.keys.put(key, { index, holder: places.get(index) }))) continue;
      await this.record(accountId, 'key_created', origin, key.keyId);
      return { key: keyViewOf(key), secret };
    }
    throw new KeyCreationContendedError();
  }

  /** The account's keys, newest first, each with its last use (time and address) when the logs know one. */
  async list(accountId: string): Promise<(ApiKeyView & { lastUsedAt?: string; lastUsedIp?: string })[]> {
    const keys = (await this.deps.keys.listByAccount(accountId)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const uses = this.deps.usage
      ? await this.deps.usage.lastUses(
          accountId,
          keys.map((k) => k.keyId),
        )
      : new Map<string, { at: string; ip: string }>();
    return keys.map((key) => {
      const use = uses.get(key.keyId);
      return { ...keyViewOf(key), ...(use ? { lastUsedAt: use.at, lastUsedIp: use.ip } : {}) };
    });
  }

  async revoke(accountId: string, keyId: string, origin: RequestOrigin): Promise<void> {
    const revokedAt = this.deps.clock.now().toISOString();
    if (!(await this.deps.keys.transition(accountId, keyId, ['active', 'rolling'], { status: 'revoked', revokedAt }))) {
      throw new KeyNotFoundError();
    }
    await this.record(accountId, 'key_revoked', origin, keyId);
  }

  /**
   * Issues a new secret under the same name; the old one works for ROLL_GRACE_SECONDS more. One old
   * secret per key at a time: a key made by a roll whose predecessor still works is not rolled again
   * (409 roll_pending) until that one is revoked or its grace ends, or a chain of rolls would keep any
   * number of secrets working at once past the account's MAX_KEYS_PER_ACCOUNT.
   */
  async roll(
    accountId: string,
    keyId: string,
    origin: RequestOrigin,
  ): Promise<{ key: ApiKeyView; secret: string; previous: { keyId: string; graceUntil: string } }> {
    const keys = await this.deps.keys.listByAccount(accountId);
    const old = keys.find((k) => k.keyId === keyId && k.status === 'active');
    if (!old) throw new KeyNotFoundError();
    const previous = keys.find((k) => k.replacedBy === keyId && keyWorksAt(k, this.deps.clock.now().toISOString()));
    if (previous) throw new KeyRollPendingError(previous.keyId, previous.graceUntil);
    const { key, secret } = this.mint(accountId, old.name, old.plan);
    await this.deps.keys.put(key);
    const graceUntil = new Date(this.deps.clock.now().getTime() + ROLL_GRACE_SECONDS * 1000).toISOString();
    if (!(await this.deps.keys.transition(accountId, keyId, ['active'], { status: 'rolling', graceUntil, replacedBy: key.keyId }))) {
      // Revoked or rolled meanwhile: withdraw the new key rather than leave two live ones.
      await this.deps.keys.transition(accountId, key.keyId, ['active'], {
        status: 'revoked',
        revokedAt: this.deps.clock.now().toISOString(),
      });
      throw new KeyNotFoundError();
    }
    await this.record(accountId, 'key_rolled', origin, keyId, key.keyId);
    return { key: keyViewOf(key), secret, previous: { keyId, graceUntil } };
  }

  /**
   * Moves the account and every live key to a plan. The gateway reads the plan from the key it
   * resolves, so calls follow within its key-cache window.
   */
  async setPlan(accountId: string, plan: string): Promise<{ keys: number }> {
    await this.deps.accounts.update(accountId, { plan }, this.deps.clock.now().toISOString());
    const live = (await this.deps.keys.listByAccount(accountId)).filter((k) => k.status !== 'revoked');
    await Promise.all(live.map((k) => this.deps.keys.transition(accountId, k.keyId, ['active', 'rolling'], { plan })));
    return { keys: live.length };
  }

  /**
   * Suspends or reinstates an account: every live key follows within the gateway's key-cache window
   * (403 account_suspended); sign-in, the holder's own data and privacy requests keep working.
   */
  async setSuspended(
    accountId: string,
    suspension: { reason: string; by: string } | undefined,
    origin: RequestOrigin,
  ): Promise<{ keys: number }> {
    const now = this.deps.clock.now();
    await this.deps.accounts.update(
      accountId,
      { suspension: suspension ? { ...suspension, at: now.toISOString() } : null },
      now.toISOString(),
    );
    const live = (await this.deps.keys.listByAccount(accountId)).filter((k) => k.status !== 'revoked');
    await Promise.all(
      live.map((k) => this.deps.keys.transition(accountId, k.keyId, ['active', 'rolling'], { suspended: Boolean(suspension) })),
    );
    await this.deps.securityLog.record(
      securityEvent(
        accountId,
        suspension ? 'account_suspended' : 'account_unsuspended',
        origin,
        now,
        suspension ? { reason: suspension.reason } : undefined,
      ),
    );
    return { keys: live.length };
  }

  private mint(accountId: string, name: string, plan: string): { key: ApiKey; secret: string } {
    const secret = `${KEY_PREFIX}${randomSecret()}`;
    return {
      secret,
      key: {
        keyId: newId('key'),
        secretHash: sha256(secret),
        prefix: secret.slice(0, KEY_VISIBLE_CHARS),
        accountId,
        name,
        plan,
        status: 'active',
        createdAt: this.deps.clock.now().toISOString(),
      },
    };
  }

  private record(
    accountId: string,
    type: 'key_created' | 'key_revoked' | 'key_rolled',
    origin: RequestOrigin,
    keyId: string,
    newKeyId?: string,
  ) {
    const detail: Record<string, string> = newKeyId ? { keyId, newKeyId } : { keyId };
    return this.deps.securityLog.record(securityEvent(accountId, type, origin, this.deps.clock.now(), detail));
  }
}
