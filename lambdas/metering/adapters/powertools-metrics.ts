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
      if (events.length === 0) target.addMetric('MeteredCalls', MetricUnit.Count, 0);
      else addFigures(target, usageFigures(events));
    },
  };
}

type Figures = ReturnType<typeof usageFigures>;

function addFigures(target: Pick<Metrics, 'addMetric'>, figures: Figures): void {
  target.addMetric('MeteredCalls', MetricUnit.Count, figures.calls);
  target.addMetric('CreditsSpent', MetricUnit.Count, figures.spentMicro / 1_000_000);
  target.addMetric('RejectedInsufficientCredit', MetricUnit.Count, figures.insufficientCredit);
  target.addMetric('RejectedRateLimited', MetricUnit.Count, figures.rateLimited);
  target.addMetric('UpstreamFailures', MetricUnit.Count, figures.upstreamFailures);
}

/** How long the gateway sums its lone calls' metrics before it writes them. */
export const LONE_METRICS_EVERY_MS = 60_000;

/**
 * The same metrics from the gateway, for the lone calls it records itself (docs/architecture.md, "Lone
 * calls"), under the worker's service so a sum counts every call once. Summed in the container and
 * written as one EMF line when a lone call comes LONE_METRICS_EVERY_MS or more after the last line: a
 * line a call would cost more than the queue it saves (an EMF line is ~480 B of CloudWatch Logs). What
 * a container summed since its last line is lost if Lambda ends it first — the metrics of at most its
 * last minute of lone calls; the calls themselves are recorded, and the usage API counts them.
 */
export function summedUsageMetrics(
  target: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'> = metrics,
  now: () => number = Date.now,
): UsageMetrics {
  let sum: Figures = { calls: 0, spentMicro: 0, insufficientCredit: 0, rateLimited: 0, upstreamFailures: 0 };
  let since = now();
  return {
    recorded(events) {
      const figures = usageFigures(events);
      for (const name of Object.keys(sum) as (keyof Figures)[]) sum[name] += figures[name];
      if (now() - since < LONE_METRICS_EVERY_MS) return;
      addFigures(target, sum);
      target.publishStoredMetrics();
      sum = { calls: 0, spentMicro: 0, insufficientCredit: 0, rateLimited: 0, upstreamFailures: 0 };
      since = now();
    },
  };
}

export const meteringMetrics = {
  keySeenFromManyAddresses: () => metrics.addMetric('KeySeenFromManyAddresses', MetricUnit.Count, 1),
};
