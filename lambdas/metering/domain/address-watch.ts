import { createHash } from 'node:crypto';
import type { UsageEvent } from './model';

/** What the watch decides, from stage config. */
export interface AddressWatchSettings {
  /** Distinct addresses one key may be used from in one clock hour before it is flagged. */
  addressesPerHour: number;
  /** Also suspend the account when one of its keys is flagged (otherwise: a security event and a metric). */
  suspend: boolean;
}

/** Port: the distinct addresses a key was used from, per clock hour (pseudonymised, kept two days). */
export interface KeyAddressLog {
  /**
   * Adds addresses to the key's hour and returns how many distinct ones it now holds, or `flagged`
   * when the hour was flagged already (nothing more is added to a flagged hour).
   */
  add(accountId: string, keyId: string, hour: string, addresses: string[]): Promise<number | 'flagged'>;
  /** Marks the key's hour flagged; true for the one caller that did, so the alarm is raised once. */
  flag(accountId: string, keyId: string, hour: string): Promise<boolean>;
}

/** Port: what happens when a key is flagged. */
export interface AddressAlarm {
  /** A security event on the account, which its holder sees, and a metric operations alarm on. */
  raise(flag: { accountId: string; keyId: string; hour: string; addresses: number; threshold: number }): Promise<void>;
  /** Suspends the account's keys (only when the settings ask for it); an existing suspension is kept. */
  suspend(accountId: string, reason: string): Promise<void>;
}

/**
 * A short digest of an address: enough to count distinct ones without storing the address. Not
 * anonymous — an IPv4 digest is found again by trying every address — so it is personal data like the
 * address itself (data map: securityEvents), kept two days and erased with the account.
 */
export function addressDigest(ip: string): string {
  return createHash('sha256').update(`omnapi-address:${ip}`).digest('base64url').slice(0, 12);
}

/**
 * Flags a key used from an unusual number of addresses in one clock hour — a leaked key being shared
 * or sold. Built to cost nothing on the usual path:
 * - each container remembers the addresses it already recorded for a key's hour, so a write happens
 *   only for an address this container has not seen for that key this hour;
 * - a key's hour is written only once the container has met **two** distinct addresses in it (then
 *   both at once). Nearly every key's hour has one address — a server, a laptop — and costs no write
 *   at all. Before, it cost one per key-hour and container: for an account calling once an hour, a
 *   write unit a call, as much as its log.
 *
 * The price of the second rule, bounded: a container that met a key's hour from one address only
 * holds that address unwritten, so the hour's count can miss one address per container that met it
 * alone. A key is then flagged by at most the containers' number past the threshold, never missed:
 * the drain is one container at a time, the event source mapping's pollers five.
 */
export class KeyAddressWatch {
  /** `<accountId>|<keyId>|<hour>` → digests recorded, or 'flagged'. */
  private readonly seen = new Map<string, Set<string> | 'flagged'>();
  /** `<accountId>|<keyId>|<hour>` → the one digest met there and not written (nothing recorded by this container yet). */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly log: KeyAddressLog,
    private readonly alarm: AddressAlarm,
    private readonly settings: AddressWatchSettings,
    /** Entries kept before the memory is cleared (it is only a cache of what the log holds). */
    private readonly maxRemembered = 20_000,
  ) {}

  /** Looks at a recorded batch; returns the keys flagged by it. */
  async observe(events: Pick<UsageEvent, 'accountId' | 'keyId' | 'ip' | 'at'>[]): Promise<string[]> {
    const fresh = new Map<string, { accountId: string; keyId: string; hour: string; digests: Set<string> }>();
    for (const event of events) {
      if (!event.ip) continue;
      const hour = `${event.at.slice(0, 13)}:00:00Z`;
      const id = `${event.accountId}|${event.keyId}|${hour}`;
      const known = this.seen.get(id);
      const digest = addressDigest(event.ip);
      if (known === 'flagged' || known?.has(digest)) continue;
      const entry = fresh.get(id) ?? { accountId: event.accountId, keyId: event.keyId, hour, digests: new Set<string>() };
      entry.digests.add(digest);
      fresh.set(id, entry);
    }
    if (this.seen.size + this.held.size + fresh.size > this.maxRemembered) {
      this.seen.clear();
      this.held.clear();
    }
    const flagged: string[] = [];
    for (const [id, { accountId, keyId, hour, digests }] of fresh) {
      // Nothing recorded here for the key's hour yet: one address alone is held, two are written together.
      if (!this.seen.has(id)) {
        const held = this.held.get(id);
        if (held !== undefined) digests.add(held);
        if (digests.size === 1) {
          this.held.set(id, [...digests][0]!);
          continue;
        }
        this.held.delete(id);
      }
      const count = await this.log.add(accountId, keyId, hour, [...digests]);
      if (count === 'flagged') {
        this.seen.set(id, 'flagged');
        continue;
      }
      const known = this.seen.get(id);
      this.seen.set(id, new Set([...(known instanceof Set ? known : []), ...digests]));
      if (count < this.settings.addressesPerHour || !(await this.log.flag(accountId, keyId, hour))) continue;
      this.seen.set(id, 'flagged');
      flagged.push(keyId);
      await this.alarm.raise({ accountId, keyId, hour, addresses: count, threshold: this.settings.addressesPerHour });
      if (this.settings.suspend) {
        await this.alarm.suspend(
          accountId,
          `Key ${keyId} was used from ${count} addresses in the hour from ${hour} (limit ${this.settings.addressesPerHour}): it looks leaked. Revoke it, then ask us to lift the suspension.`,
        );
      }
    }
    return flagged;
  }
}
