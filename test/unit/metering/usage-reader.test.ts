import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

describe('DynamoDbUsageReader', () => {
  let dynamo: LocalDynamo;
  const hour = (accountId: string, bucket: string, product: string, calls: number, latencyMsSum: number) =>
    dynamo.client.send(
      new PutCommand({
        TableName: 'usageAggregates',
        Item: {
          pk: `ACCOUNT#${accountId}#H`,
          sk: `${bucket}#${product}`,
          bucket,
          product,
          calls,
          admitted: calls,
          chargedMicro: calls * 1000,
          latencyMsSum,
        },
      }),
    );
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await hour('acc_r', '2026-03-01T10:00:00Z', 'echo', 2, 20);
    await hour('acc_r', '2026-03-01T11:00:00Z', 'echo', 3, 60);
    await hour('acc_r', '2026-03-01T11:00:00Z', 'maps', 1, 5);
    await hour('acc_r', '2026-03-02T09:00:00Z', 'echo', 4, 4);
    await hour('acc_other', '2026-03-01T10:00:00Z', 'echo', 100, 100);
    // A daily item as stacks wrote before days were summed from hours: never counted again.
    await dynamo.client.send(
      new PutCommand({
        TableName: 'usageAggregates',
        Item: { pk: 'ACCOUNT#acc_r#D', sk: '2026-03-01T00:00:00Z#echo', bucket: '2026-03-01T00:00:00Z', product: 'echo', calls: 5 },
      }),
    );
  });
  afterAll(() => dynamo.stop());
  const reader = () => new DynamoDbUsageReader(dynamo.client, { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates' });

  it('sums a day from its hours, per product, with the latency averaged over the calls', async () => {
    const days = await reader().aggregates('acc_r', 'day', '2026-03-01T00:00:00Z', '2026-03-02T23:59:59Z');
    expect(days.map((d) => [d.bucket, d.product, d.calls, d.chargedMicro, d.avgLatencyMs])).toEqual([
      ['2026-03-01T00:00:00Z', 'echo', 5, 5000, 16],
      ['2026-03-01T00:00:00Z', 'maps', 1, 1000, 5],
      ['2026-03-02T00:00:00Z', 'echo', 4, 4000, 1],
    ]);
  });

  it('answers hours as they are, bounded by the range and the product, and only the caller’s', async () => {
    const hours = await reader().aggregates('acc_r', 'hour', '2026-03-01T11:00:00Z', '2026-03-01T23:00:00Z', 'echo');
    expect(hours.map((h) => [h.bucket, h.product, h.calls])).toEqual([['2026-03-01T11:00:00Z', 'echo', 3]]);
  });
});
