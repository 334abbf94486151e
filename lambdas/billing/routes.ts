import { defineRoutes } from '../shared/routes';
import { BalanceView, CatalogueView, CheckoutBody, CheckoutResult, CheckoutSessionPath, CheckoutStatusView, LedgerResult, PacksResult, PageQuery, PortalResult, WebhookResult } from './schemas';


/** Credits: the balance, the ledger of every money movement, and buying credit packs through Stripe. */
export const billingRoutes = defineRoutes({
  balance: {
    method: 'GET', path: '/v1/billing/balance', handler: 'credits', auth: 'session',
    summary: 'The caller\'s credit balance (reflects calls at once: debits are synchronous)',
    responses: { 200: { description: 'The balance', schema: BalanceView } }, errors: [401],
  },
  ledger: {
    method: 'GET', path: '/v1/billing/ledger', handler: 'credits', auth: 'session',
    summary: 'The caller\'s grants, purchases, refunds, clawbacks, holds and releases, newest first, a page at a time',
    description: 'Usage charges are not ledger lines: they are in /v1/usage. Balance = Σ ledger − Σ charged usage.',
    query: PageQuery, responses: { 200: { description: 'A page of entries', schema: LedgerResult } }, errors: [400, 401],
  },
  packs: {
    method: 'GET', path: '/v1/billing/packs', handler: 'credits', auth: 'public',
    summary: 'The credit packs for sale, with their prices',
    responses: { 200: { description: 'Packs', schema: PacksResult } }, errors: [],
  },
  catalogue: {
    method: 'GET', path: '/v1/catalogue', handler: 'credits', auth: 'public',
    summary: 'What we sell: products and their price per call, plans and their rate limits, credit packs',
    responses: { 200: { description: 'The catalogue', schema: CatalogueView } }, errors: [],
  },
  checkoutStatus: {
    method: 'GET', path: '/v1/billing/checkout/{sessionId}', handler: 'checkout', auth: 'session',
    summary: 'How one of the caller\'s checkouts ended, from Stripe: pending, paid (and whether credited) or expired',
    description: 'The console\'s pages /credits/checkout/done and /credits/checkout/cancelled ask this with the session_id Stripe returns; another account\'s session is 404.',
    params: CheckoutSessionPath,
    responses: { 200: { description: 'The checkout', schema: CheckoutStatusView } }, errors: [400, 401, 404, 503],
  },
  cancelCheckout: {
    method: 'POST', path: '/v1/billing/checkout/{sessionId}/cancel', handler: 'checkout', auth: 'session',
    summary: 'End one of the caller\'s open checkouts at Stripe, so it can no longer be paid (the console\'s cancelled page)',
    params: CheckoutSessionPath,
    responses: { 200: { description: 'The checkout, now cancelled (or how it had already ended)', schema: CheckoutStatusView } }, errors: [400, 401, 404, 415, 503],
    audit: { action: 'checkout.cancel' },
  },
  checkout: {
    method: 'POST', path: '/v1/billing/checkout', handler: 'checkout', auth: 'session',
    summary: 'Start buying a credit pack: answers a Stripe Checkout URL (a few an hour per account)',
    body: CheckoutBody, responses: { 201: { description: 'The Checkout Session', schema: CheckoutResult } }, errors: [400, 401, 413, 415, 429, 503],
    audit: { action: 'checkout.start' },
  },
  portal: {
    method: 'GET', path: '/v1/billing/portal', handler: 'checkout', auth: 'session',
    summary: 'A Stripe Customer Portal link for invoices and payment methods',
    responses: { 200: { description: 'The portal link', schema: PortalResult } }, errors: [401, 503],
  },
  stripeWebhook: {
    method: 'POST', path: '/v1/webhooks/stripe', handler: 'stripe-webhook', auth: 'stripeSignature',
    summary: 'Stripe events: purchases, refunds, disputes, deleted customers. Verified on the raw body; each event applied once',
    rawBody: { contentType: 'application/json', description: 'The event exactly as Stripe sent it (the signature covers these bytes)' },
    responses: { 200: { description: 'Received (also for duplicates and event types we ignore)', schema: WebhookResult } },
    errors: [400, 413],
  },
});
