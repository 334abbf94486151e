import type { Deployment, RowInputs } from '../../../bench/cost';
import * as cost from '../../../bench/cost';
import { MODEL, PRICES } from '../../../bench/prices';

const row: RowInputs = {
  admitWriteUnits: 1,
  workerWriteUnits: 1.03,
  workerReadUnits: 0.2,
  sweepWriteUnits: 0,
  sweepReadUnits: 0,
  keyLookupsPerCall: 0.5,
  storedBytesPerCall: 337,
  workerInvocationsPerCall: 0.001,
  sqsReceivesPerCall: 0.2,
  sqsDeletesPerCall: 0.1,
  gatewayMs: 30,
  workerMsPerEvent: 1,
  appLogBytesPerCall: 7,
  loneShare: 0,
  loneWriteUnits: 0,
  loneReadUnits: 0,
  loneGatewayMs: 0,
  loneLogBytes: 0,
};

const deployment: Deployment = {
  gatewayMemoryMb: 512,
  workerMemoryMb: 512,
  accessLogBytes: 150,
  accessLogClass: 'INFREQUENT_ACCESS',
  tracing: false,
  logsPitr: true,
  platformLinesGateway: false,
  platformLinesWorker: false,
  logRetentionDays: 365,
  usageLogDays: 90,
  plainLogItemBytes: 425,
};

const line = (lines: [string, number][], start: string) => lines.find(([name]) => name.startsWith(start))![1];
const perMillionOfBytes = (bytes: number, ingestPerGb: number) =>
  (bytes * (ingestPerGb + PRICES.cloudWatchLogsStoragePerGbMonth * (365 / 30))) / 1000;

describe('the cost model', () => {
  it('prices the access line at its group class and the functions’ logs at Standard', () => {
    const lines = cost.platformCost(row, deployment);
    expect(line(lines, 'CloudWatch Logs: access log')).toBeCloseTo(perMillionOfBytes(150, 0.25), 6);
    expect(line(lines, 'CloudWatch Logs: function logs')).toBeCloseTo(perMillionOfBytes(7, 0.5), 6);
    const standard = cost.platformCost(row, { ...deployment, accessLogClass: 'STANDARD' });
    expect(line(standard, 'CloudWatch Logs: access log')).toBeCloseTo(perMillionOfBytes(150, 0.5), 6);
    expect(cost.total(standard) - cost.total(lines)).toBeCloseTo((150 * 0.25) / 1000, 6);
  });

  it('gives both plain designs the same access line as this platform', () => {
    const ours = line(cost.platformCost(row, deployment), 'CloudWatch Logs: access log');
    expect(line(cost.restUsagePlansCost(row, deployment), 'CloudWatch Logs: access log')).toBe(ours);
    expect(line(cost.plainLogItemCost(row, deployment), 'CloudWatch Logs: access log')).toBe(ours);
  });

  it("bills each design's function for its own round trips: a PutItem in place of the SendMessage, or neither", () => {
    const ms = (lines: [string, number][]) => line(lines, 'Lambda compute') / (PRICES.lambdaArmGbSecond * 0.5 * 1e3);
    expect(ms(cost.platformCost(row, deployment))).toBeCloseTo(30, 9);
    expect(ms(cost.plainLogItemCost(row, deployment))).toBeCloseTo(30 - MODEL.sqsSendRoundTripMs + MODEL.dynamoRoundTripMs, 9);
    expect(ms(cost.restUsagePlansCost(row, deployment))).toBeCloseTo(30 - MODEL.sqsSendRoundTripMs, 9);
  });

  it('prices a key lookup as the gateway reads keys — strongly consistent, one read unit — in this platform and the plain log-item design alike', async () => {
    const { DynamoDbKeyLookup } = await import('../../../lambdas/metering/adapters/dynamodb-key-lookup');
    const sent: { ConsistentRead?: boolean }[] = [];
    const client = { send: async (command: { input: { ConsistentRead?: boolean } }) => (sent.push(command.input), {}) };
    await new DynamoDbKeyLookup(client as never, 'apiKeys').getBySecretHash('h');
    expect(sent[0]!.ConsistentRead).toBe(true);
    expect(cost.KEY_LOOKUP_READ_UNITS).toBe(1);
    const reads = PRICES.dynamoReadUnitPerMillion * row.keyLookupsPerCall;
    expect(line(cost.plainLogItemCost(row, deployment), 'DynamoDB reads (key lookups)')).toBeCloseTo(reads, 12);
    expect(line(cost.platformCost(row, deployment), 'DynamoDB reads')).toBeCloseTo(
      reads + PRICES.dynamoReadUnitPerMillion * row.workerReadUnits,
      12,
    );
  });

  it("prices lone calls as the gateway records them: no SendMessage, their writes and reads, their time and their metrics' line", () => {
    const lone: RowInputs = { ...row, loneShare: 0.75, loneWriteUnits: 0.8, loneReadUnits: 0.6, loneGatewayMs: 40, loneLogBytes: 480 };
    const [queued, recorded] = [cost.platformCost(row, deployment), cost.platformCost(lone, deployment)];
    expect(line(queued, 'SQS') - line(recorded, 'SQS')).toBeCloseTo(0.75 * PRICES.sqsRequestPerMillion, 9);
    expect(line(recorded, 'DynamoDB writes: lone calls')).toBeCloseTo(0.8 * PRICES.dynamoWriteUnitPerMillion, 9);
    expect(line(recorded, 'DynamoDB reads') - line(queued, 'DynamoDB reads')).toBeCloseTo(0.6 * PRICES.dynamoReadUnitPerMillion, 9);
    const ms = (lines: [string, number][]) => line(lines, 'Lambda compute, gateway') / (PRICES.lambdaArmGbSecond * 0.5 * 1e3);
    expect(ms(recorded)).toBeCloseTo(0.25 * 30 + 0.75 * 40, 9);
    expect(line(recorded, 'CloudWatch Logs: function logs')).toBeCloseTo(perMillionOfBytes(7 + 0.75 * 480, 0.5), 6);
    // The plain designs are priced on the queued call's time, whatever this platform records itself.
    expect(line(cost.plainLogItemCost(lone, deployment), 'Lambda compute')).toBe(
      line(cost.plainLogItemCost(row, deployment), 'Lambda compute'),
    );
  });

  it('prices the demo product with its second request, at least a billed millisecond, its traces and its access line', () => {
    const demo = cost.demoProductCost(deployment, { ms: 0.03, memoryMb: 256, tracing: true });
    expect(line(demo, 'API Gateway')).toBe(PRICES.apiGatewayHttpPerMillion);
    expect(line(demo, 'Lambda compute, echo')).toBeCloseTo(PRICES.lambdaArmGbSecond * 0.25 * 0.001 * 1e6, 9);
    expect(line(demo, 'X-Ray')).toBeCloseTo(0.25, 9);
    expect(line(demo, 'CloudWatch Logs: access log')).toBe(line(cost.platformCost(row, deployment), 'CloudWatch Logs: access log'));
    expect(line(cost.demoProductCost(deployment, { ms: 0.03, memoryMb: 256, tracing: false }), 'X-Ray')).toBe(0);
  });

  it('counts every fixed charge once a month', () => {
    const fixed = cost.fixedMonthly({
      kmsKeys: 1,
      secrets: 3,
      alarms: 42,
      dashboards: 1,
      customMetrics: 12,
      sqsMappings: 2,
      drains: [{ everyMinutes: 1, memoryMb: 1024, lanes: 4 }],
    });
    expect(line(fixed, 'Secrets Manager')).toBeCloseTo(1.2, 9);
    expect(line(fixed, 'CloudWatch alarms')).toBeCloseTo(4.2, 9);
    // Five pollers long-polling 20 s each, all month, on each mapping.
    expect(line(fixed, 'idle SQS polling')).toBeCloseTo(((2 * 5 * 3 * 60 * 24 * 30) / 1e6) * PRICES.sqsRequestPerMillion, 9);
    // A drain run a minute on an idle queue: 43,200 invocations, each a second at 1 GB and four empty receives.
    expect(line(fixed, 'idle usage drain')).toBeCloseTo(
      43_200 * (PRICES.lambdaRequestPerMillion / 1e6 + PRICES.lambdaArmGbSecond + (4 * PRICES.sqsRequestPerMillion) / 1e6),
      9,
    );
  });
});
