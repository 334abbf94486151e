import { authenticator } from '../../shared/auth/authenticator';
import { json } from '../../shared/http';
import { logger } from '../../shared/logger';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { billingMetrics, metrics } from '../adapters/powertools-metrics';
import { stripeSignatureAuthenticator } from '../adapters/stripe-signature';
import { HANDLED_EVENTS, type StripeEvent } from '../domain/stripe-events';
import { billingRoutes } from '../routes';
import { STRIPE_API_VERSION } from '../../shared/adapters/stripe-client';
import { webhookWiring } from '../wiring';

const signed = stripeSignatureAuthenticator(() => webhookWiring().webhookSecret());

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
      const { processed, events } = webhookWiring();
      if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return json(200, { received: true, outcome: 'ignored' });
      if (await processed.wasProcessed(event.id)) return json(200, { received: true, outcome: 'duplicate' });
      // The endpoint renders events in its own API version: another than the SDK's may name or shape fields otherwise.
      if (event.api_version && event.api_version !== STRIPE_API_VERSION)
        logger.warn("Stripe event in another API version than the SDK's: set the endpoint's version to it", {
          eventId: event.id,
          apiVersion: event.api_version,
          pinned: STRIPE_API_VERSION,
        });
      const outcome = await events.handle(event);
      await processed.markProcessed({ id: event.id, type: event.type, customerId: customerOf(event), outcome }, new Date());
      // Another mode's event here means an endpoint or secret is set up wrong: acknowledged (a retry could never apply it), and told.
      if (outcome === 'wrong_mode')
        logger.warn('Stripe event from the other mode ignored', { eventId: event.id, type: event.type, livemode: event.livemode });
      else if (outcome === 'other_account')
        logger.warn("Stripe event of a connected account's money ignored", { eventId: event.id, type: event.type, account: event.account });
      // A refund or dispute tied to no payment, or unreadable, may be money moved that no credits follow: a person must look.
      else if (outcome === 'unmatched_payment' || outcome === 'unreadable' || outcome === 'payment_failed_after_credit')
        logger.error('Stripe refund or dispute not applied: compare it with the payment in the Stripe dashboard', {
          eventId: event.id,
          type: event.type,
          outcome,
          objectId: event.data.object.id,
          charge: event.data.object.charge,
        });
      else logger.info('Stripe event handled', { eventId: event.id, type: event.type, outcome });
      return json(200, { received: true, outcome });
    },
    {
      // Counted before the signature is checked: every call of the webhook has its metric, refused or not.
      authenticate: authenticator('stripeSignature', async (request) => {
        billingMetrics.webhookCalled();
        const event = await signed(request);
        // Every line of this invocation names the event, a throttled or failed one's included (reset per invocation).
        logger.appendKeys({ stripeEventId: event.id, stripeEventType: event.type });
        return event;
      }),
      metrics,
    },
  ),
);
