import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaHttpHandler } from '../../lambdas/shared/middleware/http-stack';
import type { Buyer } from '../../scripts/ops/stripe-fixtures';
import { lambdaContext } from './http-events';
import { type LocalDynamo, startLocalDynamo } from './local-dynamo';
import { StripeStandIn } from './stripe-stand-in';
import { signedWebhookRequest, stripeWebhookEnv } from './stripe-webhook-env';

/** The webhook function over a local DynamoDB, with a Stripe stand-in its API calls reach. */
export interface WebhookWorld {
  dynamo: LocalDynamo;
  stripe: StripeStandIn;
  /** The stand-in's address, for other Stripe clients (reconcile's). */
  stripeApiBase: string;
  /** Posts `event` signed as Stripe would; the status and the JSON answer. */
  deliver(event: object): Promise<{ status: number } & Record<string, unknown>>;
  /** A fresh account, as the accounts context stores it. */
  buyer(): Promise<Buyer>;
  stop(): Promise<void>;
}

let worlds = 0;

/** Starts a world: the environment is set before the handler loads, as a cold start reads it. */
export async function startWebhookWorld(webhookSecret: string): Promise<WebhookWorld> {
  const dynamo = await startLocalDynamo();
  const stripe = new StripeStandIn();
  const stripeApiBase = await stripe.start();
  Object.assign(process.env, stripeWebhookEnv(dynamo.endpoint, webhookSecret), { STRIPE_API_BASE: stripeApiBase });
  const handler: LambdaHttpHandler = require('../../lambdas/billing/handlers/stripe-webhook').handler;
  const world = ++worlds;
  let n = 0;
  return {
    dynamo,
    stripe,
    stripeApiBase,
    async deliver(event) {
      const response = await handler(signedWebhookRequest(event, webhookSecret), lambdaContext);
      return { status: response.statusCode, ...JSON.parse(response.body!) };
    },
    async buyer() {
      const accountId = `acc_world${world}_${String(++n).padStart(12, '0')}`;
      const buyer = { accountId, email: `buyer${n}.world${world}@example.org`, name: `Buyer ${n}`, customerId: `cus_test_w${world}_${n}` };
      await dynamo.client.send(
        new PutCommand({
          TableName: 'accounts',
          Item: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE', accountId, email: buyer.email, name: buyer.name },
        }),
      );
      return buyer;
    },
    async stop() {
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      delete process.env.STRIPE_API_BASE;
      await stripe.stop();
      await dynamo.stop();
    },
  };
}
