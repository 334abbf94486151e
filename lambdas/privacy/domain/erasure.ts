/** What erasure needs to know of the person, captured before their account item is gone. */
export interface ErasureSubject {
  accountId: string;
  email: string;
  stripeCustomerId?: string;
  /** When the account took its address: mail under the address before then was someone else's. */
  emailSince: string;
}

/**
 * Categories erased in this order, a page at a time; the account itself last, so a retry still knows whom.
 * `exports` are the archives of earlier access and portability requests in the export bucket: erased
 * before the requests are pseudonymised, while they can still be found by the account.
 */
export const ERASURE_ORDER = [
  'sessions',
  'apiKeys',
  'usageLogs',
  'usageAggregates',
  'securityEvents',
  'tickets',
  'tokens',
  'webhookEvents',
  'ledger',
  'exports',
  'auditEvents',
  'privacyRequests',
  'accounts',
] as const;
export type ErasureCategory = (typeof ERASURE_ORDER)[number];

/** The holds' reasons as `HoldChecks` words them (a legal hold's is followed by the operator's reason): replies name them in the holder's language. */
export const HOLD_REASONS = {
  legal: 'a legal hold:',
  negativeBalance: 'a negative balance: credits are owed after a refund or dispute',
  dispute: 'an open payment dispute',
} as const;

/** Port: why an account may not be erased now (open dispute, negative balance, legal hold); empty when it may. */
export interface HoldChecks {
  reasons(accountId: string): Promise<string[]>;
}

/** Port: erases one subject's data from where the data map points, a page at a time. */
export interface SubjectEraser {
  /** Everything needed later, read before anything is erased. */
  capture(accountId: string): Promise<ErasureSubject | undefined>;
  /**
   * Marks the account as being erased (the usage worker then records none of its calls still queued),
   * revokes every key and ends every session at once.
   */
  stopAccess(subject: ErasureSubject): Promise<{ keys: number; sessions: number }>;
  /** Erases up to `limit` items of a category; `remaining` when more are left. Ledger entries are pseudonymised, not deleted. */
  erasePage(category: ErasureCategory, subject: ErasureSubject, limit: number): Promise<{ erased: number; remaining: boolean }>;
  /** Deletes the Stripe customer (a customer Stripe no longer has counts as deleted). */
  deleteStripeCustomer(customerId: string): Promise<'deleted' | 'already_gone'>;
  /**
   * Where the account id, the email or the Stripe customer id can still be found (every table, and the
   * export bucket), as `table: where` — a bounded part of the re-scan per call, from `from`; `next` says
   * where the next call goes on, and is absent when the whole store has been looked at.
   */
  traces(subject: ErasureSubject, except: { requestId: string }, from?: ProofPosition): Promise<{ found: string[]; next?: ProofPosition }>;
}

/** Where the proof's re-scan stopped: a table's position in the store's list, and the scan's next key there. */
export interface ProofPosition {
  table: number;
  startKey?: Record<string, unknown>;
}

/** Erasure's record on the request: progress while it runs, then the proof (counts, no personal data). */
export interface ErasureRecord {
  /** The address's keyed pseudonym (shared/pseudonyms.ts): what the finished request keeps instead of it. */
  emailPseudonym: string;
  startedAt: string;
  finishedAt?: string;
  /** Position in ERASURE_ORDER of the category being erased. */
  step: number;
  counts: Partial<Record<ErasureCategory | 'stripeCustomer', number>>;
  /** Kept, and why. */
  kept: { category: string; reason: string; retention: string }[];
  /** The proof's progress: traces found so far and where the re-scan goes on (absent once it is done). */
  proof?: { found: string[]; next?: ProofPosition; done?: boolean };
}
