import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import type { CreditPack } from '../../lambdas/billing/packs';

/**
 * Realistic Stripe webhook events, shaped as Stripe sends them — card brand, last4, fingerprint and
 * billing address included, as real ones carry them — for exercising the money path with no Stripe
 * account (`npm run ops -- stripe-event`) and in tests.
 */
const rid = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

export interface Buyer {
  accountId: string;
  email: string;
  name: string;
  customerId?: string;
}

function envelope(type: string, object: Record<string, unknown>, id = rid('evt')) {
  return {
    id,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

const card = {
  brand: 'visa',
  last4: '4242',
  fingerprint: 'Xt5EWLLDS7FJjR1c',
  exp_month: 12,
  exp_year: 2030,
  country: 'US',
  funding: 'credit',
};
const address = { line1: '1 Market Street', line2: null, city: 'San Francisco', state: 'CA', postal_code: '94105', country: 'US' };

/** `checkout.session.completed` for a pack paid in full (override `amountMinor` or `currency` to test a mismatch). */
export function checkoutCompleted(
  buyer: Buyer,
  packId: string,
  pack: CreditPack,
  overrides: { amountMinor?: number; currency?: string; paymentIntentId?: string; sessionId?: string } = {},
) {
  const paymentIntentId = overrides.paymentIntentId ?? rid('pi');
  return envelope('checkout.session.completed', {
    id: overrides.sessionId ?? rid('cs'),
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    amount_subtotal: overrides.amountMinor ?? pack.priceMinor,
    amount_total: overrides.amountMinor ?? pack.priceMinor,
    currency: overrides.currency ?? pack.currency,
    client_reference_id: buyer.accountId,
    customer: buyer.customerId ?? rid('cus'),
    customer_details: { email: buyer.email, name: buyer.name, address, phone: '+14155550100', tax_exempt: 'none' },
    metadata: { accountId: buyer.accountId, pack: packId },
    payment_intent: paymentIntentId,
    payment_method_types: ['card'],
  });
}

/** `charge.refunded`, with Stripe's cumulative `amount_refunded`. */
export function chargeRefunded(
  buyer: Buyer,
  payment: { paymentIntentId: string; amountMinor: number; currency: string },
  amountRefunded: number,
) {
  return envelope('charge.refunded', {
    id: `ch_${payment.paymentIntentId.replace(/^pi_/, '')}`,
    object: 'charge',
    amount: payment.amountMinor,
    amount_captured: payment.amountMinor,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= payment.amountMinor,
    currency: payment.currency,
    customer: buyer.customerId ?? null,
    payment_intent: payment.paymentIntentId,
    billing_details: { email: buyer.email, name: buyer.name, address, phone: null },
    payment_method_details: { type: 'card', card },
    receipt_email: buyer.email,
    metadata: { accountId: buyer.accountId },
  });
}

/** How Stripe reports one refund's state on the refund object (`requires_action` and `pending` are on their way). */
export type RefundObjectStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/**
 * A refund object event — `refund.created`, `refund.updated`, `refund.failed` or the older
 * `charge.refund.updated` — for one refund of a payment: its own amount (not the charge's total) and
 * status. A refund that fails or is cancelled gives the money back to us.
 */
export function refundObject(
  type: 'refund.created' | 'refund.updated' | 'refund.failed' | 'charge.refund.updated',
  payment: { paymentIntentId: string; currency: string },
  refundId: string,
  amountMinor: number,
  status: RefundObjectStatus,
) {
  return envelope(type, {
    id: refundId,
    object: 'refund',
    amount: amountMinor,
    charge: `ch_${payment.paymentIntentId.replace(/^pi_/, '')}`,
    payment_intent: payment.paymentIntentId,
    currency: payment.currency,
    status,
    reason: 'requested_by_customer',
    ...(status === 'failed' ? { failure_reason: 'expired_or_canceled_card' } : {}),
    destination_details: { type: 'card', card: { reference_status: 'pending', type: 'refund' } },
    metadata: {},
  });
}

export const newRefundId = () => rid('re');

/**
 * A dispute event (`charge.dispute.created`, `.updated`, `.funds_withdrawn`, `.funds_reinstated`, `.closed`) for a payment; an
 * inquiry's statuses are `warning_*`; `prevented` is a chargeback Stripe blocked or resolved (by a refund) before it was filed;
 * `appeal_*` are a lost dispute being appealed.
 */
export function dispute(
  type:
    | 'charge.dispute.created'
    | 'charge.dispute.updated'
    | 'charge.dispute.funds_withdrawn'
    | 'charge.dispute.funds_reinstated'
    | 'charge.dispute.closed',
  payment: { paymentIntentId: string; amountMinor: number; currency: string },
  disputeId: string,
  status:
    | 'warning_needs_response'
    | 'warning_under_review'
    | 'warning_closed'
    | 'needs_response'
    | 'under_review'
    | 'won'
    | 'lost'
    | 'appeal_needs_response'
    | 'appeal_under_review'
    | 'prevented',
) {
  return envelope(type, {
    id: disputeId,
    object: 'dispute',
    amount: payment.amountMinor,
    currency: payment.currency,
    charge: `ch_${payment.paymentIntentId.replace(/^pi_/, '')}`,
    payment_intent: payment.paymentIntentId,
    reason: 'fraudulent',
    status,
    evidence: { billing_address: '1 Market Street, San Francisco', customer_email_address: 'x@example.org', customer_name: 'X' },
    payment_method_details: { type: 'card', card: { brand: card.brand, network_reason_code: '10.4' } },
  });
}

export const newDisputeId = () => rid('dp');

/** The `Stripe-Signature` header Stripe would send with `payload`. */
export function sign(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}
