import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BillingMetrics } from '../domain/ports';

/** CloudWatch metrics in embedded metric format, namespace OmnAPI; flushed by the handler's middleware. */
export const metrics = new Metrics({ namespace: 'OmnAPI' });

export const billingMetrics: BillingMetrics = {
  purchaseMismatch: () => metrics.addMetric('PurchaseMismatch', MetricUnit.Count, 1),
  purchaseCredited: () => metrics.addMetric('PurchaseCredited', MetricUnit.Count, 1),
  webhookCalled: () => metrics.addMetric('StripeWebhookCalls', MetricUnit.Count, 1),
};
