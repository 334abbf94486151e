import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** A metric the functions publish in embedded metric format: namespace OmnAPI, dimension `service`. */
export function emfMetric(metricName: string, service: string, options: { statistic?: string; period?: Duration } = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'OmnAPI',
    metricName,
    dimensionsMap: { service },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
  });
}
