import { dynamoDbSessionLookup, sessionAuthenticator } from '../../shared/auth/session';
import { dynamo } from '../../shared/clients/dynamodb';
import { microToCredits } from '../../shared/credits';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { creditsConfig } from '../config';
import { billingRoutes } from '../routes';

const config = creditsConfig();
const ledger = new DynamoDbLedger(dynamo, config.TABLE_LEDGER);
const authenticate = sessionAuthenticator(dynamoDbSessionLookup(dynamo, config.TABLE_SESSIONS));
const packs = Object.entries(config.CREDIT_PACKS).map(([id, pack]) => ({ id, ...pack }));

/** The public catalogue, from the stage's product catalog (prices and plans, bound at synth) and its packs. */
const catalogue = {
  products: Object.entries(config.PRICES.products).map(([id, priceMicroCredits]) => ({
    id,
    pricePerCall: microToCredits(priceMicroCredits),
    priceMicroCredits,
  })),
  plans: Object.entries(config.PRICES.plans).map(([id, requestsPerMinute]) => ({ id, requestsPerMinute })),
  packs,
};

/** The caller's balance and ledger, the packs for sale, and the public catalogue. */
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
  route(billingRoutes.catalogue, async () => json(200, catalogue)),
);
