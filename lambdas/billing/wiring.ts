import { DynamoDbWindowCounter } from '../shared/adapters/dynamodb-counter';
import { DynamoDbSecurityEvents } from '../shared/adapters/dynamodb-security-events';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { livemodeOf, stripeClient, stripeKeys } from '../shared/adapters/stripe-client';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { lazily } from '../shared/config';
import { microToCredits } from '../shared/credits';
import { DynamoDbBillingAccounts } from './adapters/dynamodb-billing-accounts';
import { DynamoDbLedger } from './adapters/dynamodb-ledger';
import { DynamoDbParkedReversals } from './adapters/dynamodb-parked-reversals';
import { DynamoDbWebhookEvents } from './adapters/dynamodb-webhook-events';
import { billingMetrics } from './adapters/powertools-metrics';
import { StripePayments } from './adapters/stripe-payments';
import { checkoutConfig, creditsConfig, webhookConfig } from './config';
import { CheckoutService } from './domain/checkout';
import { StripeEventHandler } from './domain/stripe-events';

/** The Stripe keys, read once per container (Secrets Manager deployed, the environment locally). */
const keys = stripeKeys();

/** The balance and ledger reader, with the public catalogue: the stage's prices and plans (bound at synth) and its packs. */
export const creditsWiring = lazily(() => {
  const config = creditsConfig();
  const packs = Object.entries(config.CREDIT_PACKS).map(([id, pack]) => ({ id, ...pack }));
  return {
    ledger: new DynamoDbLedger(dynamo, config.TABLE_LEDGER),
    packs,
    catalogue: {
      products: Object.entries(config.PRICES.products).map(([id, priceMicroCredits]) => ({
        id,
        pricePerCall: microToCredits(priceMicroCredits),
        priceMicroCredits,
      })),
      plans: Object.entries(config.PRICES.plans).map(([id, requestsPerMinute]) => ({ id, requestsPerMinute })),
      packs,
    },
  };
});

/** Checkout and the portal: the service, once the Stripe keys are read (a failed read is tried again on the next call). */
export const checkoutWiring = lazily(() => {
  const config = checkoutConfig();
  const ledger = new DynamoDbLedger(dynamo, config.TABLE_LEDGER);
  let service: Promise<CheckoutService> | undefined;
  const build = async () => {
    const { apiKey } = await keys();
    return new CheckoutService({
      payments: apiKey ? new StripePayments(stripeClient(apiKey)) : undefined,
      accounts: new DynamoDbBillingAccounts(dynamo, config.TABLE_ACCOUNTS),
      securityEvents: new DynamoDbSecurityEvents(dynamo, config.TABLE_SECURITY_EVENTS),
      counter: new DynamoDbWindowCounter(dynamo, config.TABLE_SECURITY_EVENTS),
      packs: config.CREDIT_PACKS,
      publicUrl: config.PUBLIC_URL,
      checkoutsPerHour: config.CHECKOUTS_PER_HOUR,
      purchases: { creditedBy: async (paymentIntentId) => ledger.purchaseOf(paymentIntentId) },
      now: () => new Date(),
    });
  };
  return {
    checkout: () =>
      (service ??= build().catch((error) => {
        service = undefined;
        throw error;
      })),
  };
});

/** The Stripe webhook: the signing secret, the processed-events record and the event handler. */
export const webhookWiring = lazily(() => {
  const config = webhookConfig();
  let payments: StripePayments | undefined;
  return {
    webhookSecret: async () => (await keys()).webhookSecret,
    processed: new DynamoDbWebhookEvents(dynamo, config.TABLE_WEBHOOK_EVENTS),
    events: new StripeEventHandler({
      ledger: new DynamoDbLedger(dynamo, config.TABLE_LEDGER),
      parked: new DynamoDbParkedReversals(dynamo, { webhookEvents: config.TABLE_WEBHOOK_EVENTS, ledger: config.TABLE_LEDGER }),
      accounts: new DynamoDbBillingAccounts(dynamo, config.TABLE_ACCOUNTS),
      mailer: new SesMailer(ses, config.MAIL_FROM),
      securityEvents: new DynamoDbSecurityEvents(dynamo, config.TABLE_SECURITY_EVENTS),
      metrics: billingMetrics,
      packs: config.CREDIT_PACKS,
      publicUrl: config.PUBLIC_URL,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      // The API key's mode is the deployment's: a test key takes test-mode events only, a live key live ones.
      livemode: async () => livemodeOf((await keys()).apiKey),
      payments: async () => {
        const { apiKey } = await keys();
        return apiKey ? (payments ??= new StripePayments(stripeClient(apiKey))) : undefined;
      },
    }),
  };
});
