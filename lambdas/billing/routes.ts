import { defineRoutes } from '../shared/routes';
import { BalanceView, LedgerResult, PageQuery } from './schemas';

/** Credits: the balance, the ledger of every money movement, and buying credit packs through Stripe. */
export const billingRoutes = defineRoutes({
  balance: {
    method: 'GET', path: '/v1/billing/balance', handler: 'balance', auth: 'session',
    summary: 'The caller\'s credit balance (reflects calls at once: debits are synchronous)',
    responses: { 200: { description: 'The balance', schema: BalanceView } }, errors: [401],
  },
  ledger: {
    method: 'GET', path: '/v1/billing/ledger', handler: 'balance', auth: 'session',
    summary: 'The caller\'s grants, purchases, refunds, clawbacks, holds and releases, newest first, a page at a time',
    description: 'Usage charges are not ledger lines: they are in /v1/usage. Balance = Σ ledger − Σ charged usage.',
    query: PageQuery, responses: { 200: { description: 'A page of entries', schema: LedgerResult } }, errors: [400, 401],
  },
});
