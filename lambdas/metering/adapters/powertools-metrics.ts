import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** CloudWatch metrics in embedded metric format, namespace OmnAPI, service usage-worker; flushed after each batch. */
export const metrics = new Metrics({ namespace: 'OmnAPI', serviceName: 'usage-worker' });

export const meteringMetrics = {
  keySeenFromManyAddresses: () => metrics.addMetric('KeySeenFromManyAddresses', MetricUnit.Count, 1),
};
