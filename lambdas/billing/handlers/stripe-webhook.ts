import { SesMailer } from '../../shared/adapters/ses-mailer';
import { DynamoDbSecurityEvents } from '../../shared/adapters/dynamodb-security-events';
import { dynamo } from '../../shared/clients/dynamodb';
import { ses } from '../../shared/clients/sesv2';
import { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../../shared/errors';
import { header, json } from '../../shared/http';
import { logger } from '../../shared/logger';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbBillingAccounts } from '../adapters/dynamodb-billing-accounts';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbWebhookEvents } from '../adapters/dynamodb-webhook-events';
import { billingMetrics, metrics } from '../adapters/powertools-metrics';
import { stripeKeys, verifyStripeEvent } from '../../shared/adapters/stripe-client';
import { webhookConfig } from '../config';
import { HANDLED_EVENTS, type StripeEvent, StripeEventHandler } from '../domain/stripe-events';
import { InvalidSignatureError } from '../errors';
import { billingRoutes } from '../routes';

/** What every Stripe event has; ids become keys, so they are bounded. */
const StripeEventShape = z.looseObject({
  id: z.string().regex(/^[\w-]{1,255}$/),
  type: z.string().min(1).max(200),
  data: z.looseObject({ object: z.record(z.string(), z.unknown()) }),
});

/** Stripe's default tolerance for a signature's age, applied to clock skew the other way too. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Stripe events are far below this; anything larger is not from Stripe. */
const MAX_EVENT_BYTES = 512 * 1024;

const config = webhookConfig();
const keys = stripeKeys();
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

/** Stripe's check refuses old signatures only; one dated ahead of our clock by more than its tolerance is refused too. */
function rejectFutureTimestamp(signature: string, nowMs: number): void {
  const timestamp = Number(/(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signature)?.[1]);
  if (Number.isFinite(timestamp) && timestamp * 1000 - nowMs > SIGNATURE_TOLERANCE_SECONDS * 1000) {
    throw new InvalidSignatureError('Timestamp is in the future');
  }
}

/**
 * `POST /v1/webhooks/stripe`: the raw body is verified with Stripe's SDK before anything reads it;
 * then each event is applied once. Every step is idempotent, so concurrent redeliveries are harmless;
 * the event id is recorded after success, so a failure is retried by Stripe rather than lost.
 */
export const handler = httpRoutes(
  route(billingRoutes.stripeWebhook, async (request) => {
    billingMetrics.webhookCalled();
    const raw = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
    if (raw.byteLength > MAX_EVENT_BYTES) throw new PayloadTooLargeError(MAX_EVENT_BYTES);
    const signature = header(request, 'stripe-signature');
    if (!signature) throw new InvalidSignatureError('no Stripe-Signature header');
    rejectFutureTimestamp(signature, Date.now());
    let verified: unknown;
    try {
      verified = verifyStripeEvent(raw, signature, (await keys()).webhookSecret);
    } catch (error) {
      // Stripe verifies first and parses after: a SyntaxError means the signature held but the body is not JSON.
      if (error instanceof SyntaxError) throw new ValidationError('The signed body is not a JSON event', [], 'invalid_payload');
      throw new InvalidSignatureError((error as Error).message.split('\n')[0]!.slice(0, 200));
    }
    const shaped = StripeEventShape.safeParse(verified);
    if (!shaped.success) throw new ValidationError('The signed body is not a Stripe event (id, type, data.object)', [], 'invalid_payload');
    const event = shaped.data as StripeEvent;
    if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return json(200, { received: true, outcome: 'ignored' });
    if (await processed.wasProcessed(event.id)) return json(200, { received: true, outcome: 'duplicate' });
    const outcome = await events.handle(event);
    await processed.markProcessed({ id: event.id, type: event.type, customerId: customerOf(event), outcome }, new Date());
    logger.info('Stripe event handled', { eventId: event.id, type: event.type, outcome });
    return json(200, { received: true, outcome });
  }, { metrics }),
);
