import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { billingRoutes } from '../../lambdas/billing/routes';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import type { FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { routeFunctions } from './shared/route-functions';

export interface BillingProps {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
}

/** Credits: the balance and ledger readers, credit packs, Stripe Checkout and the Stripe webhook. */
export class Billing extends Construct {
  public readonly functions: Record<string, OmnApiFunction>;

  constructor(scope: Construct, id: string, props: BillingProps) {
    super(scope, id);
    this.functions = routeFunctions(this, {
      defaults: props.defaults,
      api: props.api,
      context: 'billing',
      manifest: billingRoutes,
      tables: props.tables,
      handlers: {
        balance: { description: "The caller's balance and ledger", tables: { sessions: 'read', ledger: 'read' } },
      },
    });
  }
}
