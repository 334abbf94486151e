/**
 * AWS list prices used by the cost model: us-east-1, on-demand, USD, first pricing tier, as published
 * on the pages named beside them (read 2026-11). Update them here when AWS does; the benchmark prints
 * the date with every cost table.
 */
export const PRICES_AS_OF = '2026-11, us-east-1 list prices';

export const PRICES = {
  /** aws.amazon.com/api-gateway/pricing — HTTP APIs, first 300 M requests a month. */
  apiGatewayHttpPerMillion: 1.0,
  /** aws.amazon.com/api-gateway/pricing — REST APIs (what usage plans need), first 333 M a month. */
  apiGatewayRestPerMillion: 3.5,
  /** aws.amazon.com/lambda/pricing — requests, and Arm compute per GB-second (first 7.5 B GB-s). */
  lambdaRequestPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  /** aws.amazon.com/dynamodb/pricing/on-demand — write and read request units, storage, PITR. */
  dynamoWriteUnitPerMillion: 0.625,
  dynamoReadUnitPerMillion: 0.125,
  dynamoStoragePerGbMonth: 0.25,
  dynamoPitrPerGbMonth: 0.2,
  /** aws.amazon.com/sqs/pricing — standard queue requests (each 64 KB chunk is one request). */
  sqsRequestPerMillion: 0.4,
  /**
   * aws.amazon.com/cloudwatch/pricing — Logs ingestion in the Standard and the Infrequent Access log
   * class, and storage (the same for both classes).
   */
  cloudWatchLogsIngestPerGb: 0.5,
  cloudWatchLogsIngestInfrequentAccessPerGb: 0.25,
  cloudWatchLogsStoragePerGbMonth: 0.03,
  /** aws.amazon.com/xray/pricing — traces recorded. */
  xrayTracesRecordedPerMillion: 5.0,
  /** aws.amazon.com/kms/pricing — a customer managed key, per month. */
  kmsKeyMonth: 1.0,
  /** aws.amazon.com/secrets-manager/pricing — a secret, per month. */
  secretMonth: 0.4,
  /** aws.amazon.com/cloudwatch/pricing — a standard-resolution alarm metric, a dashboard, a custom metric (first 10,000), per month. */
  alarmMonth: 0.1,
  dashboardMonth: 3.0,
  customMetricMonth: 0.3,
} as const;

/**
 * Facts the cost model needs that a local run cannot observe, each with its source.
 * - DynamoDB stores ~100 bytes of overhead per item besides its attributes (developer guide,
 *   "Item sizes and formats") — counted in storage, not in write units.
 * - Lambda's platform writes START, END and REPORT lines per invocation: ~330 bytes with the X-Ray
 *   segment line (observed shape of the REPORT line; JSON platform logs are larger) — only at system
 *   log level INFO or DEBUG ("Log-level filtering" in the Lambda developer guide); at WARN, none.
 * - Lambda allocates CPU in proportion to memory: one full vCPU at 1,769 MB ("Memory and computing
 *   power", Lambda developer guide).
 * - X-Ray's default sampling rule records the first request each second and 5 % of the rest; at
 *   millions of calls the 5 % dominates.
 * - A DynamoDB request from Lambda in the same region takes single-digit milliseconds (DynamoDB's
 *   own claim): taken high, at 8 ms.
 * - An SQS SendMessage: AWS publishes no figure. A published comparison of serverless messaging
 *   latency (bitesizedserverless.com, "Serverless Messaging: Latency Compared", eu-west-1, 2022)
 *   measured SQS standard from a producer Lambda's send to the consumer Lambda at 16.2 ms p50; a send
 *   is part of that path, so 16 ms is taken as its upper bound.
 */
export const MODEL = {
  dynamoRoundTripMs: 8,
  sqsSendRoundTripMs: 16,
  dynamoItemOverheadBytes: 100,
  lambdaPlatformLogBytesPerInvocation: 330,
  lambdaMbPerVcpu: 1769,
  xrayDefaultSampledShare: 0.05,
} as const;
