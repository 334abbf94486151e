import {
  type Account,
  type ApiKey,
  type EmailToken,
  patchProfile,
  type SecurityEvent,
  type Session,
} from '../../lambdas/accounts/domain/model';
import type {
  AccountChanges,
  AccountStore,
  Clock,
  FailureCounter,
  KeyStore,
  PasswordHasher,
  SecurityLog,
  SessionStore,
  TokenStore,
} from '../../lambdas/accounts/domain/ports';
import type { Mailer, OutgoingMail } from '../../lambdas/shared/mailer';

/** In-memory implementations of the accounts ports, for domain tests. */
export class MemoryAccounts implements AccountStore {
  readonly byId = new Map<string, Account>();
  readonly emails = new Map<string, string>();
  async create(account: Account) {
    if (this.emails.has(account.email)) return false;
    this.byId.set(account.accountId, structuredClone(account));
    this.emails.set(account.email, account.accountId);
    return true;
  }
  async get(id: string) {
    const account = this.byId.get(id);
    return account && structuredClone(account);
  }
  async findByEmail(email: string) {
    const id = this.emails.get(email);
    return id ? this.get(id) : undefined;
  }
  async markVerified(id: string, at: string) {
    Object.assign(this.byId.get(id)!, { emailVerified: true, updatedAt: at });
  }
  async update(id: string, { profile, ...changes }: AccountChanges, at: string) {
    const account = this.byId.get(id)!;
    if (profile) account.profile = patchProfile(account.profile ?? {}, profile);
    for (const [key, value] of Object.entries(changes))
      if (value !== undefined) (account as unknown as Record<string, unknown>)[key] = value;
    account.updatedAt = at;
    return structuredClone(account);
  }
  async rememberSignInAddresses(id: string, addresses: string[]) {
    const account = this.byId.get(id);
    if (!account) return undefined;
    account.signInAddresses = addresses;
    return structuredClone(account);
  }
  async changeEmail(id: string, from: string, to: string, at: string) {
    const account = this.byId.get(id)!;
    if (this.emails.has(to) || account.email !== from || account.emailChangeTo !== to) return false;
    this.emails.delete(from);
    this.emails.set(to, id);
    Object.assign(account, { email: to, emailVerified: true, updatedAt: at, emailChangeTo: undefined });
    return true;
  }
}

export class MemorySessions implements SessionStore {
  readonly items = new Map<string, Session>();
  async put(session: Session) {
    this.items.set(session.tokenHash, { ...session });
  }
  async getByTokenHash(hash: string) {
    return this.items.get(hash);
  }
  async listByAccount(accountId: string) {
    return [...this.items.values()].filter((s) => s.accountId === accountId);
  }
  async delete(session: { tokenHash: string }) {
    this.items.delete(session.tokenHash);
  }
}

export class MemoryTokens implements TokenStore {
  readonly items = new Map<string, EmailToken>();
  async put(token: EmailToken) {
    this.items.set(token.tokenHash, token);
  }
  async consume(hash: string, purposes: EmailToken['purpose'][]) {
    const token = this.items.get(hash);
    if (!token || !purposes.includes(token.purpose)) return undefined;
    this.items.delete(hash);
    return token;
  }
}

export class MemoryKeys implements KeyStore {
  readonly items = new Map<string, ApiKey>();
  readonly places = new Map<string, string>();
  async slots(accountId: string) {
    const mine = [...this.places].filter(([place]) => place.startsWith(`${accountId}#`));
    return new Map(mine.map(([place, keyId]) => [Number(place.split('#')[1]), keyId]));
  }
  /** Atomic, as the DynamoDB transaction is: no await between the place's check and the writes. */
  async put(key: ApiKey, slot?: { index: number; holder?: string }) {
    if (slot) {
      const place = `${key.accountId}#${slot.index}`;
      if (this.places.get(place) !== slot.holder) return false;
      this.places.set(place, key.keyId);
    }
    this.items.set(key.keyId, { ...key });
    return true;
  }
  async getBySecretHash(hash: string) {
    return [...this.items.values()].find((k) => k.secretHash === hash);
  }
  async listByAccount(accountId: string) {
    return [...this.items.values()].filter((k) => k.accountId === accountId).map((k) => ({ ...k }));
  }
  async transition(accountId: string, keyId: string, from: ApiKey['status'][], changes: Partial<ApiKey>) {
    const key = this.items.get(keyId);
    if (!key || key.accountId !== accountId || !from.includes(key.status)) return false;
    Object.assign(key, changes);
    return true;
  }
}

export class MemorySecurityLog implements SecurityLog, FailureCounter {
  readonly events: SecurityEvent[] = [];
  readonly counters = new Map<string, number>();
  async record(event: SecurityEvent) {
    this.events.push(event);
  }
  async listByAccount(accountId: string, limit: number, cursor?: string) {
    const mine = this.events.filter((e) => e.accountId === accountId).reverse();
    const start = cursor ? mine.findIndex((e) => `${e.at}#${e.eventId}` === cursor) + 1 : 0;
    const events = mine.slice(start, start + limit);
    const last = events.at(-1);
    return { events, nextCursor: start + limit < mine.length && last ? `${last.at}#${last.eventId}` : undefined };
  }
  async count(key: string, windowStart: number) {
    return this.counters.get(`${key}@${windowStart}`) ?? 0;
  }
  /** Atomic, as DynamoDB's ADD is: no await between the read and the write. */
  async increment(key: string, windowStart: number) {
    const next = (this.counters.get(`${key}@${windowStart}`) ?? 0) + 1;
    this.counters.set(`${key}@${windowStart}`, next);
    return next;
  }
  async release(key: string, windowStart: number) {
    const count = this.counters.get(`${key}@${windowStart}`) ?? 0;
    if (count > 0) this.counters.set(`${key}@${windowStart}`, count - 1);
  }
  async reset(key: string, windowStart: number) {
    this.counters.delete(`${key}@${windowStart}`);
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail) {
    this.sent.push(mail);
  }
  /** The token in the last link sent to `to`. */
  tokenFor(to: string): string {
    const mail = [...this.sent].reverse().find((m) => m.to === to && /token=/.test(m.text));
    if (!mail) throw new Error(`no link mailed to ${to}`);
    return decodeURIComponent(mail.text.match(/token=([^\s]+)/)![1]!);
  }
}

/** A fast, deterministic stand-in: the real scrypt hasher has its own tests. */
export class PlainHasher implements PasswordHasher {
  async hash(password: string) {
    return `plain$${password}`;
  }
  async verify(password: string, stored: string | undefined) {
    return stored === `plain$${password}`;
  }
}

export class FixedClock implements Clock {
  constructor(public current = new Date('2026-03-01T10:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
