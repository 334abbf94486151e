import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UsageEvent } from '../domain/model';
import { type UsageMetrics, usageFigures } from '../domain/model';

/** CloudWatch metrics in embedded metric format, namespace OmnAPI, service usage-worker; one line per batch, flushed by the handler's logMetrics middleware. */
export const metrics = new Metrics({ namespace: 'OmnAPI', serviceName: 'usage-worker' });

/**
 * The metered path's business metrics, from the usage events the worker records for the first time:
 * counted once per call whatever SQS redelivers, and at no cost to the hot path (one EMF line per batch).
 */
export function usageMetrics(target: Pick<Metrics, 'addMetric'> = metrics): UsageMetrics {
  return {
    recorded(events: UsageEvent[]) {
      // A batch of redeliveries only recorded no call: it says so, so every batch has a metric to flush.
      if (events.length === 0) {
        target.addMetric('MeteredCalls', MetricUnit.Count, 0);
        return;
      }
      const figures = usageFigures(events);
      target.addMetric('MeteredCalls', MetricUnit.Count, figures.calls);
      target.addMetric('CreditsSpent', MetricUnit.Count, figures.spentMicro / 1_000_000);
      target.addMetric('RejectedInsufficientCredit', MetricUnit.Count, figures.insufficientCredit);
      target.addMetric('RejectedRateLimited', MetricUnit.Count, figures.rateLimited);
      target.addMetric('UpstreamFailures', MetricUnit.Count, figures.upstreamFailures);
    },
  };
}

/**
 * The same metrics from the gateway, for the lone calls it records itself (docs/architecture.md, "Lone
 * calls"): under the worker's service, so a dashboard's sum counts every call once, flushed at once (the
 * gateway has no metrics middleware) — one EMF line a lone call.
 */
export function flushedUsageMetrics(target: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'> = metrics): UsageMetrics {
  const usage = usageMetrics(target);
  return {
    recorded(events) {
      usage.recorded(events);
      target.publishStoredMetrics();
    },
  };
}

export const meteringMetrics = {
  keySeenFromManyAddresses: () => metrics.addMetric('KeySeenFromManyAddresses', MetricUnit.Count, 1),
};
