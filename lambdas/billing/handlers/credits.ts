import { dynamoDbSessionLookup, sessionAuthenticator } from '../../shared/auth/session';
import { dynamo } from '../../shared/clients/dynamodb';
import { microToCredits } from '../../shared/credits';
import { html, json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { creditsConfig } from '../config';
import { billingRoutes } from '../routes';

const config = creditsConfig();
const ledger = new DynamoDbLedger(dynamo, config.TABLE_LEDGER);
const authenticate = sessionAuthenticator(dynamoDbSessionLookup(dynamo, config.TABLE_SESSIONS));
const packs = Object.entries(config.CREDIT_PACKS).map(([id, pack]) => ({ id, ...pack }));

const page = (title: string, text: string) =>
  html(200, `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${title}</h1><p>${text}</p></body></html>`);

/** The caller's balance and ledger, the packs for sale, and the pages Stripe Checkout returns to. */
export const handler = httpRoutes(
  route(
    billingRoutes.balance,
    async (event) => {
      const balanceMicro = await ledger.balance(event.principal.accountId);
      return json(200, { balanceMicro, credits: microToCredits(balanceMicro) });
    },
    { authenticate },
  ),
  route(
    billingRoutes.ledger,
    async (event) => {
      const result = await ledger.page(event.principal.accountId, event.input.query);
      return json(200, {
        entries: result.entries.map((e) => ({ ...e, amount: microToCredits(e.amountMicro) })),
        nextCursor: result.nextCursor && Buffer.from(result.nextCursor).toString('base64url'),
      });
    },
    { authenticate },
  ),
  route(billingRoutes.packs, async () => json(200, { packs, checkout: 'POST /v1/billing/checkout {"pack": "<id>"} with your session' })),
  route(billingRoutes.checkoutDone, async () =>
    page('Payment received', 'Thank you. Your credits are added as soon as Stripe confirms the payment, usually within seconds; a receipt follows by mail.'),
  ),
  route(billingRoutes.checkoutCancelled, async () => page('Checkout cancelled', 'Nothing was charged. You can start again whenever you like.')),
);
