import { ConflictError, OmnApiError, ServiceUnavailableError, TooManyRequestsError, ValidationError } from '../shared/errors';

/** Billing's own failures. Kinds are mapped to HTTP at the edge. */
export class BillingError extends OmnApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BillingError';
  }
}

/** The webhook body does not carry a valid Stripe signature for our secret (or is too old). */
export class InvalidSignatureError extends ValidationError {
  constructor(reason: string) {
    super(`Stripe signature check failed: ${reason}`, [], 'invalid_signature');
    this.name = 'InvalidSignatureError';
  }
}

export class UnknownPackError extends ValidationError {
  constructor(pack: string, known: string[]) {
    super(
      `body.pack: no pack named ${pack}; choose one of ${known.join(', ')}`,
      [{ path: 'body.pack', message: `one of ${known.join(', ')}` }],
      'unknown_pack',
    );
    this.name = 'UnknownPackError';
  }
}

/** This deployment has no Stripe API key: checkout and the portal cannot work. */
export class StripeNotConfiguredError extends ServiceUnavailableError {
  constructor() {
    super(
      'Payments are not configured here: set STRIPE_SECRET_KEY (locally) or the stripeSecretName secret (deployed)',
      'payments_not_configured',
    );
    this.name = 'StripeNotConfiguredError';
  }
}

/** Too many checkout sessions in the last hour: a card-testing defence. */
export class CheckoutRateLimitError extends TooManyRequestsError {
  override readonly code = 'checkout_rate_limited';
  constructor(limit: number, retryAfterSeconds: number) {
    super(`At most ${limit} checkouts an hour; try again later`, retryAfterSeconds);
    this.name = 'CheckoutRateLimitError';
  }
}

/** Stripe could not be reached or refused us: not the caller's fault. */
export class PaymentProviderError extends ServiceUnavailableError {
  constructor(cause: unknown) {
    super('The payment processor did not answer; try again in a minute', 'payments_unavailable', { cause });
    this.name = 'PaymentProviderError';
  }
}

/** Other events changed the same purchase on every attempt: Stripe retries a 409, and the facts are applied then. */
export class PurchaseContentionError extends ConflictError {
  constructor(paymentIntentId: string) {
    super(`Payment ${paymentIntentId} is being changed by other events; retry`, 'purchase_contended');
    this.name = 'PurchaseContentionError';
  }
}

/** Other transactions kept holding an account's balance while a movement was tried: Stripe (or the operator) retries a 409. */
export class LedgerBusyError extends ConflictError {
  constructor(accountId: string, options?: ErrorOptions) {
    super(`The credit ledger of ${accountId} is being changed by other movements; retry`, 'ledger_busy', options);
    this.name = 'LedgerBusyError';
  }
}

/**
 * The ledger moved but the buyer's notice of it (a receipt, a refund or dispute notice) could not go
 * out: Stripe retries the event (503), and the retry sends it.
 */
export class NoticeUnavailableError extends ServiceUnavailableError {
  constructor(cause: unknown) {
    super('The credits are settled, but the notice to the buyer could not be sent; retry', 'notice_unavailable', { cause });
    this.name = 'NoticeUnavailableError';
  }
}
