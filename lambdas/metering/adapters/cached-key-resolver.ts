import { sha256 } from '../../shared/crypto';
import { isKeyShaped, type KeyLookup, type ResolvedKey, resolveKey } from '../domain/keys';
import type { KeyResolver } from '../domain/ports';

export interface KeyCacheOptions {
  /** How long a resolved key is trusted: a revocation takes effect within this (a rolled key's grace ends on time). @default 30000 */
  ttlMs?: number;
  /** How long an unknown key is remembered, to spare the table from floods of bad keys. @default 5000 */
  negativeTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Key resolution with a per-container cache keyed by the secret's hash (the secret is never kept),
 * least recently used first out: a key in use stays cached however many others pass through, and
 * secrets not shaped like a key (refused without a lookup) take no room.
 */
export class CachedKeyResolver implements KeyResolver {
  private readonly entries = new Map<string, { value: ResolvedKey | undefined; expires: number }>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly store: KeyLookup,
    options: KeyCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async resolve(secret: string): Promise<ResolvedKey | undefined> {
    if (!isKeyShaped(secret)) return undefined;
    const id = sha256(secret);
    const cached = this.entries.get(id);
    const now = this.now();
    if (cached && cached.expires > now) {
      // Used again: moved to the newest end, its expiry unchanged (a revocation still takes effect within the TTL).
      this.entries.delete(id);
      this.entries.set(id, cached);
      return cached.value;
    }
    const value = await resolveKey(this.store, secret, new Date(now));
    this.entries.delete(id);
    // A rolled key is trusted no longer than its grace period, whatever is left of the window.
    const graceEnds = value?.graceUntil ? Date.parse(value.graceUntil) : Number.POSITIVE_INFINITY;
    this.entries.set(id, { value, expires: value ? Math.min(now + this.ttlMs, graceEnds) : now + this.negativeTtlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
