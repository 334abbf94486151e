import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageStore, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { recordUsageBatch } from '../../../lambdas/metering/domain/usage';
import { sweepWeekMarkerItem, WEEK_MS, weekEndOf } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { DynamoDbUsageReader } from '../../../lambdas/shared/adapters/dynamodb-usage-reader';
import { TABLE_SPECS, type TableName } from '../../../lambdas/shared/tables';
import { applyUsageLogRetention } from '../../../scripts/ops/usage';
import { scenarioClock } from '../../helpers/scenario-clock';
import { allCounted } from '../../helpers/singles-rollups';
import { slotCall } from '../../helpers/usage-event';
import { USAGE_TABLES } from '../../helpers/usage-worker';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const settings = { of: async () => ({ analytics: true }) };
/** Taken before the clock is mocked: the scenario's periods lie a few weeks before it. */
const NOW = Date.now();
const TABLES = Object.fromEntries(Object.keys(TABLE_SPECS).map((name) => [name, name])) as Record<TableName, string>;

/**
 * Lone calls wait on their week list for the period's end, uncounted: when the logs' retention is
 * shortened below WEEK_LIST_MIN_RETENTION_DAYS mid-period, days of them older than the new retention
 * must still be counted — by the usage API from their items meanwhile, and into their rollups before
 * `ops usage retention` makes those items expire.
 */
describe('week lists when the logs’ retention is shortened mid-period', () => {
  // The usage API, erasure and the retention read the time: the moment the scenario is at (`scene.at`).
  const scene = scenarioClock();

  const container = () => new DynamoDbUsageStore(scene.dynamo.client, USAGE_TABLES, undefined, () => scene.at);
  /** Each call handed alone to the worker a minute after it was made (on time). */
  const recordAlone = async (events: UsageEvent[]) => {
    for (const event of events) {
      scene.at = Date.parse(event.at) + MINUTE;
      await recordUsageBatch([{ messageId: event.requestId, body: JSON.stringify(event) }], { store: container(), settings });
    }
  };
  /** The sweep's run a minute after the last hour of the day starting at `day` closed. */
  const dayEndRun = async (day: number) => {
    scene.at = day + DAY + STEP_LAG_MS + MINUTE;
    await new DynamoDbUsageStore(scene.dynamo.client, USAGE_TABLES).finishHours(scene.at - 2 * MINUTE, scene.at);
  };
  /** DynamoDB's TTL at its quickest: every expired item of the logs is deleted. */
  const expire = async () => {
    for (const item of (await scene.dynamo.scanAll()).usageLogs)
      if (Number(item.expiresAt ?? Number.POSITIVE_INFINITY) <= scene.at / 1000)
        await scene.dynamo.client.send(new DeleteCommand({ TableName: 'usageLogs', Key: { pk: item.pk, sk: item.sk } }));
  };
  const perDay = async (accountId: string, start: number, days: number) => {
    const counts: Record<string, number> = {};
    const to = new Date(start + days * DAY - HOUR).toISOString();
    for (const b of await new DynamoDbUsageReader(scene.dynamo.client, USAGE_TABLES).aggregates(
      accountId,
      'day',
      new Date(start).toISOString(),
      to,
    ))
      counts[b.bucket.slice(0, 10)] = (counts[b.bucket.slice(0, 10)] ?? 0) + b.calls;
    return counts;
  };
  const twoEachDay = (start: number, days: number) =>
    Object.fromEntries(Array.from({ length: days }, (_, d) => [new Date(start + d * DAY).toISOString().slice(0, 10), 2]));

  it('counts the days older than the new retention in the usage API, and in their rollups before ops shortens their expiry', async () => {
    const start = weekEndOf(NOW) + 1 - 3 * WEEK_MS;
    // Two lone calls a day on the period's first six days, under the default retention (90 days): on the week list.
    const calls = Array.from({ length: 6 }, (_, d) => [
      slotCall('acc_shorter', 2 * d + 1, start + d * DAY + 4 * HOUR, { lone: true }),
      slotCall('acc_shorter', 2 * d + 2, start + d * DAY + 17 * HOUR, { lone: true }),
    ]).flat();
    await recordAlone(calls.filter((call) => Date.parse(call.at) < start + 5 * DAY));
    for (let d = 0; d < 5; d++) await dayEndRun(start + d * DAY);
    expect(allCounted((await scene.dynamo.scanAll()).usageAggregates, 'acc_shorter').calls).toBe(0);
    expect((await scene.dynamo.scanAll()).usageLogs.filter((item) => item.sk === 'acc_shorter').map((item) => item.pk)).toContain(
      sweepWeekMarkerItem(start, 'acc_shorter').pk,
    );

    // Midday of the sixth day the stage's retention becomes three days (deployed): the usage API still counts every day.
    await recordAlone(calls.filter((call) => Date.parse(call.at) >= start + 5 * DAY));
    process.env.USAGE_LOG_RETENTION_DAYS = '3';
    scene.at = start + 5 * DAY + 20 * HOUR;
    expect(await perDay('acc_shorter', start, 6)).toEqual(twoEachDay(start, 6));

    // The operator brings the stored logs under it, and DynamoDB deletes what expired: not one call goes uncounted.
    await applyUsageLogRetention({ dynamo: scene.dynamo.client, tables: TABLES }, 3, scene.at);
    await expire();
    expect(await perDay('acc_shorter', start, 6)).toEqual(twoEachDay(start, 6));
    await dayEndRun(start + 5 * DAY);
    expect(await perDay('acc_shorter', start, 6)).toEqual(twoEachDay(start, 6));
    expect(allCounted((await scene.dynamo.scanAll()).usageAggregates, 'acc_shorter').calls).toBe(12);
  });
});
