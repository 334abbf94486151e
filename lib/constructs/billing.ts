import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { billingRoutes } from '../../lambdas/billing/routes';
import type { CreditPack } from '../../lambdas/billing/packs';
import type { Catalog } from '../../lambdas/metering/catalog';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import type { FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { emfMetric } from './shared/metrics';
import { routeFunctions } from './shared/route-functions';
import { LOCAL_TEST_MODE_KEY } from '../template-keys';

export interface BillingProps {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly creditPacks: Record<string, CreditPack>;
  /** The product catalog: its prices and plans are published by `GET /v1/catalogue`. */
  readonly catalog: Catalog;
  /** Checkout sessions one account may open per hour. */
  readonly checkoutsPerHour: number;
  /** Base URL Stripe returns buyers to. */
  readonly publicUrl: string;
  readonly mailFrom: string;
  /** Secrets Manager secret holding `{ "apiKey", "webhookSecret" }`. */
  readonly stripeSecretName: string;
  /**
   * Keys given directly, by the local runtime only: then no secret is read. With no `secretKey`, the
   * functions talk to the local runtime's Stripe test mode (on the API's own address), whose checkout
   * page (`/_local/checkout/<id>`) completes purchases through the signed webhook.
   */
  readonly localStripe?: { secretKey?: string; webhookSecret: string; apiBase?: string };
}

export { LOCAL_TEST_MODE_KEY };

/**
 * Credits: the balance, ledger and packs reader; Stripe Checkout and the Customer Portal; the Stripe
 * webhook. Only the two functions that talk to Stripe may read its secret.
 */
export class Billing extends Construct {
  public readonly functions: Record<string, OmnApiFunction>;
  /** The Stripe secret, when the stage reads it from Secrets Manager. */
  public readonly stripeSecret?: secretsmanager.ISecret;
  /** Locally, the Stripe keys as environment variables (instead of the secret), for other functions that call Stripe. */
  public readonly stripeEnvironment: Record<string, string>;
  /** Checkouts that paid something other than their pack (EMF metric of the webhook). */
  public readonly purchaseMismatches: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: BillingProps) {
    super(scope, id);
    const packs = { CREDIT_PACKS: JSON.stringify(props.creditPacks) };
    const local = props.localStripe;
    // Test mode: the local runtime answers Stripe's API on its own address.
    const apiBase = local?.apiBase ?? (local && !local.secretKey ? props.publicUrl : undefined);
    const stripeEnvironment: Record<string, string> = (this.stripeEnvironment = local
      ? {
          STRIPE_WEBHOOK_SECRET: local.webhookSecret,
          STRIPE_SECRET_KEY: local.secretKey ?? LOCAL_TEST_MODE_KEY,
          ...(apiBase ? { STRIPE_API_BASE: apiBase } : {}),
        }
      : {});
    const prices = {
      PRICES: JSON.stringify({
        products: Object.fromEntries(Object.entries(props.catalog.products).map(([id, product]) => [id, product.priceMicroCredits])),
        plans: Object.fromEntries(Object.entries(props.catalog.plans).map(([id, plan]) => [id, plan.requestsPerMinute])),
      }),
    };
    this.functions = routeFunctions(this, {
      defaults: props.defaults,
      api: props.api,
      context: 'billing',
      manifest: billingRoutes,
      tables: props.tables,
      mailFrom: props.mailFrom,
      handlers: {
        credits: {
          description: "The caller's balance and ledger, the credit packs and the public catalogue",
          tables: { sessions: 'read', ledger: 'read' },
          environment: { ...packs, ...prices },
        },
        checkout: {
          description: 'Starts Stripe Checkout for a credit pack, tells how a checkout ended, and opens the Customer Portal',
          // The ledger, read: whether a paid checkout's credits have landed.
          tables: { sessions: 'read', accounts: 'readWrite', securityEvents: 'readWrite', ledger: 'read' },
          timeout: Duration.seconds(20),
          environment: { ...packs, ...stripeEnvironment, PUBLIC_URL: props.publicUrl, CHECKOUTS_PER_HOUR: String(props.checkoutsPerHour) },
        },
        'stripe-webhook': {
          description: 'Verifies Stripe events and applies purchases, refunds and disputes to the ledger, once each',
          tables: { webhookEvents: 'readWrite', ledger: 'readWrite', accounts: 'readWrite', securityEvents: 'write' },
          sendsMail: true,
          timeout: Duration.seconds(20),
          environment: { ...packs, ...stripeEnvironment, PUBLIC_URL: props.publicUrl },
        },
      },
    });
    this.purchaseMismatches = emfMetric('PurchaseMismatch', 'billing');
    if (!local) {
      this.stripeSecret = secretsmanager.Secret.fromSecretNameV2(this, 'StripeSecret', props.stripeSecretName);
      for (const name of ['checkout', 'stripe-webhook']) this.functions[name]!.bindSecret('stripe', this.stripeSecret);
    }
  }
}
