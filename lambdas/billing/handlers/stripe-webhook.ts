import { SesMailer } from '../../shared/adapters/ses-mailer';
import { DynamoDbSecurityEvents } from '../../shared/adapters/dynamodb-security-events';
import { dynamo } from '../../shared/clients/dynamodb';
import { ses } from '../../shared/clients/sesv2';
import { authenticator } from '../../shared/auth/authenticator';
import { json } from '../../shared/http';
import { logger } from '../../shared/logger';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbBillingAccounts } from '../adapters/dynamodb-billing-accounts';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbWebhookEvents } from '../adapters/dynamodb-webhook-events';
import { billingMetrics, metrics } from '../adapters/powertools-metrics';
import { stripeKeys } from '../../shared/adapters/stripe-client';
import { stripeSignatureAuthenticator } from '../adapters/stripe-signature';
import { webhookConfig } from '../config';
import { HANDLED_EVENTS, type StripeEvent, StripeEventHandler } from '../domain/stripe-events';
import { billingRoutes } from '../routes';

const config = webhookConfig();
const keys = stripeKeys();
const signed = stripeSignatureAuthenticator(async () => (await keys()).webhookSecret);
const processed = new DynamoDbWebhookEvents(dynamo, config.TABLE_WEBHOOK_EVENTS);
const events = new StripeEventHandler({
  ledger: new DynamoDbLedger(dynamo, config.TABLE_LEDGER),
  accounts: new DynamoDbBillingAccounts(dynamo, config.TABLE_ACCOUNTS),
  mailer: new SesMailer(ses, config.MAIL_FROM),
  securityEvents: new DynamoDbSecurityEvents(dynamo, config.TABLE_SECURITY_EVENTS),
  metrics: billingMetrics,
  packs: config.CREDIT_PACKS,
  publicUrl: config.PUBLIC_URL,
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** The customer an event concerns, kept with its record so erasure can find it. */
function customerOf(event: StripeEvent): string | undefined {
  const object = event.data.object;
  if (event.type === 'customer.deleted') return typeof object.id === 'string' ? object.id : undefined;
  const customer = object.customer;
  return typeof customer === 'string' ? customer : undefined;
}

/**
 * `POST /v1/webhooks/stripe`: the raw body is verified with Stripe's SDK before anything reads it;
 * then each event is applied once. Every step is idempotent, so concurrent redeliveries are harmless;
 * the event id is recorded after success, so a failure is retried by Stripe rather than lost.
 */
export const handler = httpRoutes(
  route(
    billingRoutes.stripeWebhook,
    async (request) => {
      const event = request.principal;
      if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return json(200, { received: true, outcome: 'ignored' });
      if (await processed.wasProcessed(event.id)) return json(200, { received: true, outcome: 'duplicate' });
      const outcome = await events.handle(event);
      await processed.markProcessed({ id: event.id, type: event.type, customerId: customerOf(event), outcome }, new Date());
      logger.info('Stripe event handled', { eventId: event.id, type: event.type, outcome });
      return json(200, { received: true, outcome });
    },
    {
      // Counted before the signature is checked: every call of the webhook has its metric, refused or not.
      authenticate: authenticator('stripeSignature', async (request) => {
        billingMetrics.webhookCalled();
        return signed(request);
      }),
      metrics,
    },
  ),
);
