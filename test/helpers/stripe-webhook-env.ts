import { DEFAULT_PACKS } from '../../lambdas/billing/packs';
import { sign } from '../../scripts/ops/stripe-fixtures';
import { httpEvent } from './http-events';

/**
 * The webhook function's environment over a local DynamoDB: the tables billing reads by their logical
 * names, the default packs, and a test-mode API key (the deployment takes test-mode events only).
 */
export function stripeWebhookEnv(dynamoEndpoint: string, webhookSecret: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    TABLE_WEBHOOK_EVENTS: 'webhookEvents',
    TABLE_LEDGER: 'ledger',
    TABLE_ACCOUNTS: 'accounts',
    TABLE_SECURITY_EVENTS: 'securityEvents',
    CREDIT_PACKS: JSON.stringify(DEFAULT_PACKS),
    MAIL_FROM: 'no-reply@omnapi.test',
    PUBLIC_URL: 'https://omnapi.test',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_SECRET_KEY: 'sk_test_unit_key',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

/** `event` as API Gateway hands Stripe's POST of it to the webhook function, signed with `webhookSecret`. */
export function signedWebhookRequest(event: object, webhookSecret: string) {
  const body = JSON.stringify(event);
  return {
    ...httpEvent({
      method: 'POST',
      path: '/v1/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': sign(body, webhookSecret) },
    }),
    routeKey: 'POST /v1/webhooks/stripe',
    body,
  };
}
