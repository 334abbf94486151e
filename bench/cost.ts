import { MODEL, PRICES } from './prices';

/**
 * Read units of one key lookup: a strongly consistent GetItem of an item under 4 KB (the gateway reads
 * keys consistently on a cache miss, so a revoked key is never read back as active). Every design here
 * that looks keys up in DynamoDB is priced alike.
 */
export const KEY_LOOKUP_READ_UNITS = 1;

/** What a row's cost depends on, per call, measured (end to end or through the real store) or read from the template. */
export interface RowInputs {
  /** Admit writes per call (every call makes one, refused or not) at the balance item's size. */
  admitWriteUnits: number;
  workerWriteUnits: number;
  workerReadUnits: number;
  /** The usage sweep's writes and reads a call (its day lists and the hours it finishes), in steady state. */
  sweepWriteUnits: number;
  sweepReadUnits: number;
  keyLookupsPerCall: number;
  storedBytesPerCall: number;
  /** Worker invocations per call (1 / events per batch). */
  workerInvocationsPerCall: number;
  sqsReceivesPerCall: number;
  sqsDeletesPerCall: number;
  /**
   * The gateway's billed time a call (upstream answering at once), modelled: its own CPU at its
   * memory's share of a vCPU, and its round trips one after another (key lookups, the admit write,
   * the SendMessage, at MODEL's latencies). The other designs replace the SendMessage with what they make.
   */
  gatewayMs: number;
  workerMsPerEvent: number;
  appLogBytesPerCall: number;
  /**
   * Calls the gateway records itself (lone calls, after ten minutes of their account's silence): no
   * SendMessage and no worker for them; what recording them writes and reads, per call of the row; and
   * a lone call's billed time in place of `gatewayMs` (its recording's round trips in place of the send).
   */
  loneShare: number;
  loneWriteUnits: number;
  loneReadUnits: number;
  loneGatewayMs: number;
  /** The EMF line a lone call's metrics take in the gateway's log. */
  loneLogBytes: number;
}

/** A CloudWatch Logs log group's class: what its ingestion costs and which features it has. */
export type LogClass = 'STANDARD' | 'INFREQUENT_ACCESS';

export interface Deployment {
  gatewayMemoryMb: number;
  workerMemoryMb: number;
  accessLogBytes: number;
  /** The access log group's class (the functions' log groups are Standard). */
  accessLogClass: LogClass;
  tracing: boolean;
  logsPitr: boolean;
  platformLinesGateway: boolean;
  platformLinesWorker: boolean;
  /** CloudWatch Logs retention of the stage (days). */
  logRetentionDays: number;
  /** Days a usage log is kept (TTL). */
  usageLogDays: number;
  /** A plain per-call log item, sized from the same calls (bytes, DynamoDB's rules). */
  plainLogItemBytes: number;
}

const M = 1e6;
const gb = (mb: number) => mb / 1024;
/** Months of storage a byte written once costs over `days` (a steady state holds `days` of writes). */
const months = (days: number) => days / 30;
/** CloudWatch Logs: ingestion in the group's class plus storage at the stage's retention, per byte written (billed on the raw size here: an upper bound, AWS stores it compressed). */
const cloudWatchPerByte = (retentionDays: number, logClass: LogClass = 'STANDARD') =>
  ((logClass === 'INFREQUENT_ACCESS' ? PRICES.cloudWatchLogsIngestInfrequentAccessPerGb : PRICES.cloudWatchLogsIngestPerGb) +
    PRICES.cloudWatchLogsStoragePerGbMonth * months(retentionDays)) /
  1e9;
const classNames: Record<LogClass, string> = { STANDARD: 'Standard', INFREQUENT_ACCESS: 'Infrequent Access' };

/**
 * The access log, a line a request, in its group's class: the same line for every design here, as
 * each has an API Gateway stage in front (HTTP or REST, the same fields).
 */
function accessLogLine(d: Deployment): [string, number] {
  return [
    `CloudWatch Logs: access log (${d.accessLogBytes} B a request, ${classNames[d.accessLogClass]}, kept ${d.logRetentionDays} days)`,
    cloudWatchPerByte(d.logRetentionDays, d.accessLogClass) * d.accessLogBytes * M,
  ];
}

/** The functions' own log lines (Standard class: the gateway's carries a metric filter). */
function functionLogLine(d: Deployment, bytesPerCall: number): [string, number] {
  return [
    `CloudWatch Logs: function logs (${bytesPerCall.toFixed(0)} B a call, Standard, kept ${d.logRetentionDays} days)`,
    cloudWatchPerByte(d.logRetentionDays) * bytesPerCall * M,
  ];
}

/** The REST design's function: the same lookup and counter write (the admit write), no SendMessage. */
const restMs = (r: RowInputs) => r.gatewayMs - MODEL.sqsSendRoundTripMs;
/** The plain design's function: a PutItem of the log item where this platform sends its message. */
const plainMs = (r: RowInputs) => r.gatewayMs - MODEL.sqsSendRoundTripMs + MODEL.dynamoRoundTripMs;

/** This platform's gateway time a call: queued calls at `gatewayMs`, lone calls at `loneGatewayMs`. */
const gatewayMsOf = (r: RowInputs) => (1 - r.loneShare) * r.gatewayMs + r.loneShare * r.loneGatewayMs;

/** One design's cost of a million calls, line by line (USD). */
export type CostLines = [string, number][];

export const total = (lines: CostLines) => lines.reduce((sum, [, usd]) => sum + usd, 0);

/** This platform: HTTP API → gateway Lambda (admit write, SQS message) → worker batches → usage store. */
export function platformCost(r: RowInputs, d: Deployment): CostLines {
  const functionLogBytes =
    r.appLogBytesPerCall +
    r.loneShare * r.loneLogBytes +
    MODEL.lambdaPlatformLogBytesPerInvocation *
      ((d.platformLinesGateway ? 1 : 0) + (d.platformLinesWorker ? r.workerInvocationsPerCall : 0));
  const storage = (r.storedBytesPerCall * M) / 1e9;
  return [
    ['API Gateway (HTTP API)', PRICES.apiGatewayHttpPerMillion],
    ['Lambda requests (gateway + worker batches)', PRICES.lambdaRequestPerMillion * (1 + r.workerInvocationsPerCall)],
    [
      `Lambda compute, gateway (${d.gatewayMemoryMb} MB × ${gatewayMsOf(r).toFixed(1)} ms modelled, upstream answering at once; a lone call ${r.loneGatewayMs.toFixed(1)} ms)`,
      PRICES.lambdaArmGbSecond * gb(d.gatewayMemoryMb) * (gatewayMsOf(r) / 1000) * M,
    ],
    [
      `Lambda compute, worker (${d.workerMemoryMb} MB × ${r.workerMsPerEvent.toFixed(2)} ms per event, modelled from its round trips)`,
      PRICES.lambdaArmGbSecond * gb(d.workerMemoryMb) * (r.workerMsPerEvent / 1000) * M,
    ],
    [`DynamoDB writes: admit (${r.admitWriteUnits.toFixed(2)} units a call)`, PRICES.dynamoWriteUnitPerMillion * r.admitWriteUnits],
    [`DynamoDB writes: worker (${r.workerWriteUnits.toFixed(2)} units a call)`, PRICES.dynamoWriteUnitPerMillion * r.workerWriteUnits],
    [
      `DynamoDB writes: lone calls, by the gateway (${(r.loneShare * 100).toFixed(0)} % of calls, ${r.loneWriteUnits.toFixed(2)} units a call)`,
      PRICES.dynamoWriteUnitPerMillion * r.loneWriteUnits,
    ],
    [
      `DynamoDB reads (key lookups ${r.keyLookupsPerCall.toFixed(2)} a call, worker, lone calls)`,
      PRICES.dynamoReadUnitPerMillion * (KEY_LOOKUP_READ_UNITS * r.keyLookupsPerCall + r.workerReadUnits + r.loneReadUnits),
    ],
    [
      `usage sweep (${r.sweepWriteUnits.toFixed(3)} write, ${r.sweepReadUnits.toFixed(3)} read units a call)`,
      PRICES.dynamoWriteUnitPerMillion * r.sweepWriteUnits + PRICES.dynamoReadUnitPerMillion * r.sweepReadUnits,
    ],
    [
      `DynamoDB storage, logs kept ${d.usageLogDays} days (${r.storedBytesPerCall.toFixed(0)} B a call)`,
      PRICES.dynamoStoragePerGbMonth * storage * months(d.usageLogDays),
    ],
    [`PITR on usage logs (${d.logsPitr ? 'on' : 'off'})`, d.logsPitr ? PRICES.dynamoPitrPerGbMonth * storage * months(d.usageLogDays) : 0],
    [
      `SQS (send ${(1 - r.loneShare).toFixed(2)}; receive ${r.sqsReceivesPerCall.toFixed(2)}, delete ${r.sqsDeletesPerCall.toFixed(2)} a call)`,
      PRICES.sqsRequestPerMillion * (1 - r.loneShare + r.sqsReceivesPerCall + r.sqsDeletesPerCall),
    ],
    [
      `X-Ray (${d.tracing ? 'default sampling, 5 %' : 'off'})`,
      d.tracing ? PRICES.xrayTracesRecordedPerMillion * MODEL.xrayDefaultSampledShare * (1 + r.workerInvocationsPerCall) : 0,
    ],
    accessLogLine(d),
    functionLogLine(d, functionLogBytes),
  ];
}

/**
 * API Gateway REST API with usage plans (keys and quotas at the gateway) → Lambda → one DynamoDB
 * counter update per call (the prepaid debit). No per-call log store: usage plans keep counts only.
 */
export function restUsagePlansCost(r: RowInputs, d: Deployment): CostLines {
  return [
    ['API Gateway (REST API)', PRICES.apiGatewayRestPerMillion],
    ['Lambda requests', PRICES.lambdaRequestPerMillion],
    [
      `Lambda compute (${d.gatewayMemoryMb} MB × ${restMs(r).toFixed(1)} ms: no SendMessage)`,
      PRICES.lambdaArmGbSecond * gb(d.gatewayMemoryMb) * (restMs(r) / 1000) * M,
    ],
    ['DynamoDB counter update', PRICES.dynamoWriteUnitPerMillion * r.admitWriteUnits],
    accessLogLine(d),
    functionLogLine(d, r.appLogBytesPerCall),
  ];
}

/** HTTP API → Lambda that makes the admit write and puts one plain log item per call (kept as long as ours), no queue. */
export function plainLogItemCost(r: RowInputs, d: Deployment): CostLines {
  const storage = ((d.plainLogItemBytes + MODEL.dynamoItemOverheadBytes) * M) / 1e9;
  return [
    ['API Gateway (HTTP API)', PRICES.apiGatewayHttpPerMillion],
    ['Lambda requests', PRICES.lambdaRequestPerMillion],
    [
      `Lambda compute (${d.gatewayMemoryMb} MB × ${plainMs(r).toFixed(1)} ms: a PutItem in place of the SendMessage)`,
      PRICES.lambdaArmGbSecond * gb(d.gatewayMemoryMb) * (plainMs(r) / 1000) * M,
    ],
    [
      'DynamoDB writes: admit + one log item',
      PRICES.dynamoWriteUnitPerMillion * (r.admitWriteUnits + Math.max(1, Math.ceil(d.plainLogItemBytes / 1024))),
    ],
    ['DynamoDB reads (key lookups)', PRICES.dynamoReadUnitPerMillion * KEY_LOOKUP_READ_UNITS * r.keyLookupsPerCall],
    [
      `DynamoDB storage + PITR, ${d.plainLogItemBytes + MODEL.dynamoItemOverheadBytes} B a call for ${d.usageLogDays} days`,
      (PRICES.dynamoStoragePerGbMonth + (d.logsPitr ? PRICES.dynamoPitrPerGbMonth : 0)) * storage * months(d.usageLogDays),
    ],
    accessLogLine(d),
    functionLogLine(d, r.appLogBytesPerCall),
  ];
}

/** What a gateway millisecond of waiting for the upstream adds per million calls (Lambda bills the wait). */
export const upstreamWaitPerMs = (d: Deployment) => PRICES.lambdaArmGbSecond * gb(d.gatewayMemoryMb) * 0.001 * M;

/** The demo product's function, as the template deploys it. */
export interface EchoFunction {
  /** Its own time a call (local, upstream of nothing). */
  ms: number;
  memoryMb: number;
  /** X-Ray active on it (it is not a hot-path function, so it follows the functions' default). */
  tracing: boolean;
}

/**
 * The demo `echo` product reached through the stack's own HTTP API: a second API Gateway request, a
 * Lambda invocation of the echo function (billed by the started millisecond), its traces and its
 * access-log line. The product's cost, not the platform's: shown, never added to a row.
 */
export function demoProductCost(d: Deployment, echo: EchoFunction): CostLines {
  const billedMs = Math.max(1, Math.ceil(echo.ms));
  return [
    ['API Gateway (HTTP API), the second request', PRICES.apiGatewayHttpPerMillion],
    ['Lambda request, echo', PRICES.lambdaRequestPerMillion],
    [
      `Lambda compute, echo (${echo.memoryMb} MB × ${billedMs} ms billed)`,
      PRICES.lambdaArmGbSecond * gb(echo.memoryMb) * (billedMs / 1000) * M,
    ],
    [
      `X-Ray on echo (${echo.tracing ? 'default sampling, 5 %' : 'off'})`,
      echo.tracing ? PRICES.xrayTracesRecordedPerMillion * MODEL.xrayDefaultSampledShare : 0,
    ],
    accessLogLine(d),
  ];
}

/** Monthly charges that do not depend on traffic, from the template's resources. */
export interface FixedCharges {
  kmsKeys: number;
  secrets: number;
  alarms: number;
  dashboards: number;
  customMetrics: number;
  /** Event source mappings on SQS: each keeps pollers long-polling while the queue is empty. */
  sqsMappings: number;
  /** Scheduled drains of a queue: each run of an idle queue is an invocation, a 1 s long poll at its memory and a receive a lane. */
  drains: { everyMinutes: number; memoryMb: number; lanes: number }[];
}

export function fixedMonthly(f: FixedCharges): [string, number][] {
  // An idle SQS mapping: five pollers, each a 20-second long poll, all month.
  const idleReceives = f.sqsMappings * 5 * 3 * 60 * 24 * 30;
  return [
    [`KMS keys (${f.kmsKeys} × $1)`, f.kmsKeys * PRICES.kmsKeyMonth],
    [`Secrets Manager secrets (${f.secrets} × $0.40)`, f.secrets * PRICES.secretMonth],
    [`CloudWatch alarms (${f.alarms} × $0.10)`, f.alarms * PRICES.alarmMonth],
    [`CloudWatch dashboards (${f.dashboards} × $3)`, f.dashboards * PRICES.dashboardMonth],
    [`custom metrics (${f.customMetrics} × $0.30)`, f.customMetrics * PRICES.customMetricMonth],
    [
      `idle SQS polling (${f.sqsMappings} mappings, ${(idleReceives / 1e6).toFixed(2)} M empty receives)`,
      (idleReceives / 1e6) * PRICES.sqsRequestPerMillion,
    ],
    ...f.drains.map(({ everyMinutes, memoryMb, lanes }): [string, number] => {
      const runs = (60 * 24 * 30) / everyMinutes;
      return [
        `idle usage drain (a run every ${everyMinutes} min: ${runs} invocations, 1 s at ${memoryMb} MB and ${lanes} empty receives each)`,
        runs * (PRICES.lambdaRequestPerMillion / M + PRICES.lambdaArmGbSecond * gb(memoryMb) + (lanes * PRICES.sqsRequestPerMillion) / M),
      ];
    }),
  ];
}
