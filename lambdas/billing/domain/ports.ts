import type { Mailer } from '../../shared/mailer';
import type { SecurityEventSink } from '../../shared/adapters/dynamodb-security-events';
import type { WindowCounter } from '../../shared/throttle';
import type { CreditPack } from '../packs';
import type { Ledger, ParkedReversals } from './ledger';
import type { StripeMoneyView } from './settlement';

/** Billing's view of an account: who to credit, mail and bill. */
export interface BillingAccount {
  accountId: string;
  email: string;
  name: string;
  stripeCustomerId?: string;
}

/** Port: accounts as billing needs them. */
export interface BillingAccounts {
  get(accountId: string): Promise<BillingAccount | undefined>;
  /** Keeps the customer on the account unless it has one already; returns the one it keeps. */
  linkCustomer(accountId: string, customerId: string): Promise<string>;
  /**
   * Turns the low-balance notice on at `credits` (decimal string) unless the holder ever chose
   * (a threshold, or null for none); returns the threshold in force, if any.
   */
  defaultLowBalance(accountId: string, credits: string): Promise<string | undefined>;
  /** Forgets the customer if the account still names it. */
  unlinkCustomer(accountId: string, customerId: string): Promise<void>;
}

/** Port: the payment processor (Stripe). The only place card data is ever handled — by them, not us. */
export interface PaymentProvider {
  createCustomer(account: BillingAccount, idempotencyKey: string): Promise<string>;
  createCheckout(
    input: { customerId: string; accountId: string; packId: string; pack: CreditPack; successUrl: string; cancelUrl: string },
    idempotencyKey: string,
  ): Promise<{ id: string; url: string }>;
  createPortal(customerId: string, returnUrl: string): Promise<string>;
  /** A Checkout Session as Stripe has it now; undefined when Stripe knows no such session. */
  retrieveCheckout(sessionId: string): Promise<CheckoutSessionState | undefined>;
  /** Ends an open Checkout Session: it can no longer be paid. */
  expireCheckout(sessionId: string): Promise<void>;
}

/**
 * Port: what Stripe holds of a payment now, asked when an event does not say which payment it is about
 * (a refund or dispute with `payment_intent: null`) and by reconciliation.
 */
export interface PaymentRecords {
  /**
   * The PaymentIntent a charge belongs to: `null` when the charge has none (made with the Charges API,
   * so never a Checkout purchase of ours), undefined when Stripe knows no such charge.
   */
  paymentIntentOfCharge(chargeId: string): Promise<string | null | undefined>;
  /** The money Stripe reports for a payment: what is refunded of its charges and each dispute's amount and status. */
  moneyOf(paymentIntentId: string): Promise<StripeMoneyView>;
}

/** What billing reads of a Checkout Session to tell its buyer how it ended. */
export interface CheckoutSessionState {
  id: string;
  /** Stripe's: `open` (can still be paid), `complete`, `expired`. */
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  /** The account and pack the session was made for (our metadata). */
  accountId?: string;
  packId?: string;
  paymentIntentId?: string;
  amountMinor?: number;
  currency?: string;
  /** When Stripe would expire it unpaid (epoch seconds): expired before then, it was cancelled. */
  expiresAt?: number;
}

/** Port: which Stripe events were handled, so a redelivery is acknowledged without doing it again. */
export interface WebhookEventLog {
  wasProcessed(eventId: string): Promise<boolean>;
  /** Recorded after the event was handled; kept 30 days (Stripe retries for 3). `customerId` lets erasure find it. */
  markProcessed(event: { id: string; type: string; customerId?: string; outcome: string }, at: Date): Promise<void>;
}

/** Port: counts that alarm when they move. */
export interface BillingMetrics {
  purchaseMismatch(): void;
  purchaseCredited(pack: string): void;
  /** A call of the webhook, whatever comes of it (so every call has a metric to flush). */
  webhookCalled(): void;
}

export interface BillingDeps {
  ledger: Ledger;
  /** Refunds and disputes that came before their purchase. */
  parked: ParkedReversals;
  accounts: BillingAccounts;
  mailer: Mailer;
  securityEvents: SecurityEventSink;
  metrics: BillingMetrics;
  packs: Record<string, CreditPack>;
  /** Base URL of the console pages mail links to. */
  publicUrl: string;
  now: () => Date;
  /** Waits between attempts at a contended purchase. */
  sleep: (ms: number) => Promise<void>;
  /** Whether this deployment takes live-mode events (true) or test-mode ones (false); undefined when it cannot tell. */
  livemode: () => Promise<boolean | undefined>;
  /** Stripe's own records, to find the payment of a refund or dispute that does not name it; undefined without an API key. */
  payments: () => Promise<Pick<PaymentRecords, 'paymentIntentOfCharge'> | undefined>;
}

export interface CheckoutDeps extends Omit<BillingDeps, 'ledger' | 'parked' | 'mailer' | 'metrics' | 'sleep' | 'livemode' | 'payments'> {
  /** Undefined when this deployment has no Stripe API key. */
  payments?: PaymentProvider;
  counter: WindowCounter;
  checkoutsPerHour: number;
  /** Whether a paid session's credits have landed (the webhook may come a moment after the buyer). */
  purchases?: { creditedBy(paymentIntentId: string): Promise<{ accountId: string; creditsMicro: number } | undefined> };
}
