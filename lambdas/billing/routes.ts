import { z } from 'zod';
import { defineRoutes } from '../shared/routes';
import { BalanceView, CheckoutBody, CheckoutResult, LedgerResult, PacksResult, PageQuery, PortalResult, WebhookResult } from './schemas';

const page = { description: 'A short page for the buyer\'s browser', schema: z.string(), contentType: 'text/html' };

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
  checkoutDone: {
    method: 'GET', path: '/v1/billing/checkout/done', handler: 'credits', auth: 'public',
    summary: 'Where Stripe Checkout returns the buyer after paying', responses: { 200: page }, errors: [],
  },
  checkoutCancelled: {
    method: 'GET', path: '/v1/billing/checkout/cancelled', handler: 'credits', auth: 'public',
    summary: 'Where Stripe Checkout returns the buyer who cancelled', responses: { 200: page }, errors: [],
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
