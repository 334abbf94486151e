/**
 * AWS list prices used by the cost model (us-east-1, on-demand, USD). Update them here when AWS does;
 * the benchmark prints which were used.
 */
export const PRICES = {
  apiGatewayHttpPerMillion: 1.0,
  lambdaRequestPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteUnitPerMillion: 0.625,
  dynamoReadUnitPerMillion: 0.125,
  sqsRequestPerMillion: 0.4,
  cloudWatchLogsIngestPerGb: 0.5,
} as const;
