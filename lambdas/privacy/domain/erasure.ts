import { sha256 } from '../../shared/crypto';

/** What erasure needs to know of the person, captured before their account item is gone. */
export interface ErasureSubject {
  accountId: string;
  email: string;
  stripeCustomerId?: string;
  /** When the account took its address: mail under the address before then was someone else's. */
  emailSince: string;
}

/** Categories erased in this order, a page at a time; the account itself last, so a retry still knows whom. */
export const ERASURE_ORDER = ['sessions', 'apiKeys', 'usageLogs', 'usageAggregates', 'securityEvents', 'tickets', 'tokens', 'webhookEvents', 'ledger', 'privacyRequests', 'accounts'] as const;
export type ErasureCategory = (typeof ERASURE_ORDER)[number];

/** The one-way token ledger entries kept for accounting carry instead of the account id. */
export const pseudonymOf = (accountId: string) => `psn_${sha256(`omnapi-ledger-pseudonym:${accountId}`).slice(0, 32)}`;

/** Port: why an account may not be erased now (open dispute, negative balance, legal hold); empty when it may. */
export interface HoldChecks {
  reasons(accountId: string): Promise<string[]>;
}

/** Port: erases one subject's data from where the data map points, a page at a time. */
export interface SubjectEraser {
  /** Everything needed later, read before anything is erased. */
  capture(accountId: string): Promise<ErasureSubject | undefined>;
  /** Revokes every key and ends every session at once. */
  stopAccess(subject: ErasureSubject): Promise<{ keys: number; sessions: number }>;
  /** Erases up to `limit` items of a category; `remaining` when more are left. Ledger entries are pseudonymised, not deleted. */
  erasePage(category: ErasureCategory, subject: ErasureSubject, limit: number): Promise<{ erased: number; remaining: boolean }>;
  /** Deletes the Stripe customer (a customer Stripe no longer has counts as deleted). */
  deleteStripeCustomer(customerId: string): Promise<'deleted' | 'already_gone'>;
  /** Where the account id, the email or the Stripe customer id can still be found, as `table: where`. */
  traces(subject: ErasureSubject, except: { requestId: string }): Promise<string[]>;
}

/** Erasure's record on the request: progress while it runs, then the proof (counts, no personal data). */
export interface ErasureRecord {
  emailHash: string;
  startedAt: string;
  finishedAt?: string;
  /** Position in ERASURE_ORDER of the category being erased. */
  step: number;
  counts: Partial<Record<ErasureCategory | 'stripeCustomer', number>>;
  /** Kept, and why. */
  kept: { category: string; reason: string; retention: string }[];
}
