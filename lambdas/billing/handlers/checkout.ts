import { DynamoDbWindowCounter } from '../../shared/adapters/dynamodb-counter';
import { DynamoDbSecurityEvents } from '../../shared/adapters/dynamodb-security-events';
import { dynamoDbSessionLookup, sessionAuthenticator } from '../../shared/auth/session';
import { dynamo } from '../../shared/clients/dynamodb';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbBillingAccounts } from '../adapters/dynamodb-billing-accounts';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { stripeClient, stripeKeys } from '../../shared/adapters/stripe-client';
import { StripePayments } from '../adapters/stripe-payments';
import { checkoutConfig } from '../config';
import { CheckoutService } from '../domain/checkout';
import { billingRoutes } from '../routes';

const config = checkoutConfig();
const keys = stripeKeys();
const ledger = new DynamoDbLedger(dynamo, config.TABLE_LEDGER);
const authenticate = sessionAuthenticator(dynamoDbSessionLookup(dynamo, config.TABLE_SESSIONS));

/** Built on first use, once the Stripe keys are read (once per container). */
let service: Promise<CheckoutService> | undefined;
const checkout = () =>
  (service ??= keys()
    .then(
      ({ apiKey }) =>
        new CheckoutService({
          payments: apiKey ? new StripePayments(stripeClient(apiKey)) : undefined,
          accounts: new DynamoDbBillingAccounts(dynamo, config.TABLE_ACCOUNTS),
          securityEvents: new DynamoDbSecurityEvents(dynamo, config.TABLE_SECURITY_EVENTS),
          counter: new DynamoDbWindowCounter(dynamo, config.TABLE_SECURITY_EVENTS),
          packs: config.CREDIT_PACKS,
          publicUrl: config.PUBLIC_URL,
          checkoutsPerHour: config.CHECKOUTS_PER_HOUR,
          purchases: { creditedBy: async (paymentIntentId) => ledger.purchaseOf(paymentIntentId) },
          now: () => new Date(),
        }),
    )
    .catch((error) => {
      service = undefined;
      throw error;
    }));

/** `POST /v1/billing/checkout`, `GET /v1/billing/checkout/{sessionId}` and `GET /v1/billing/portal`: Stripe Checkout, how it ended, and the Customer Portal. */
export const handler = httpRoutes(
  route(
    billingRoutes.checkout,
    async (event) => {
      const origin = { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent ?? '' };
      return json(201, await (await checkout()).startCheckout(event.principal.accountId, event.input.body.pack, origin));
    },
    { authenticate },
  ),
  route(billingRoutes.portal, async (event) => json(200, await (await checkout()).portal(event.principal.accountId)), { authenticate }),
  route(
    billingRoutes.checkoutStatus,
    async (event) => json(200, await (await checkout()).status(event.principal.accountId, event.input.path.sessionId)),
    { authenticate },
  ),
  route(
    billingRoutes.cancelCheckout,
    async (event) => {
      const { sessionId } = event.input.path;
      event.audit = { targets: [{ type: 'checkout', id: sessionId }] };
      return json(200, await (await checkout()).cancel(event.principal.accountId, sessionId));
    },
    { authenticate },
  ),
);
