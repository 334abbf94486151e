import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callRange, callsOfItem, onceEach } from './dynamodb-usage-logs';
import { queryAll } from '../dynamodb-query';
import { usageLogRetentionDays } from '../usage-logs';
import { ITEMS } from '../items';
import { CALL_COUNTERS, type CallCounters, countersOfCall, type UsageBucket } from '../usage-counters';

const HOUR = 3_600_000;

/**
 * Reads one account's aggregates (its logs are read through the shared UsageLogStore); the account is
 * always the caller's, never a parameter of the query's reach. Only hourly rollups are written; a day
 * is the sum of its hours (stacks older than that change also hold `#D` items, which agree with it).
 */
export class DynamoDbUsageReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { usageLogs: string; usageAggregates: string },
  ) {}

  async aggregates(accountId: string, granularity: 'hour' | 'day', from: string, to: string, product?: string): Promise<UsageBucket[]> {
    const items = await queryAll(this.client, {
      TableName: this.tables.usageAggregates,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: product ? 'product = :product' : undefined,
      ExpressionAttributeValues: {
        ':pk': ITEMS.hourlyUsage.pk({ accountId }),
        ':from': from,
        ':to': `${to}\uffff`,
        ...(product ? { ':product': product } : {}),
      },
    });
    const sums = new Map<string, { bucket: string; product: string } & CallCounters>();
    const add = (item: Record<string, unknown>) => {
      const hour = String(item.bucket);
      if (hour > to) return;
      const bucket = granularity === 'hour' ? hour : `${hour.slice(0, 10)}T00:00:00Z`;
      const key = `${bucket}#${item.product}`;
      const sum =
        sums.get(key) ??
        ({ bucket, product: String(item.product), ...Object.fromEntries(CALL_COUNTERS.map((n) => [n, 0])) } as {
          bucket: string;
          product: string;
        } & CallCounters);
      // Rollups counted before a counter was kept lack it: 0.
      for (const name of CALL_COUNTERS) sum[name] += Number(item[name] ?? 0);
      sums.set(key, sum);
    };
    for (const item of items) add(item);
    for (const single of await this.uncountedSingles(accountId, from, to, items, product)) add(single);
    return [...sums.values()]
      .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.product.localeCompare(b.product))
      .map(({ latencyMsSum, ...sum }) => ({ ...sum, avgLatencyMs: sum.calls ? Math.round(latencyMsSum / sum.calls) : 0 }));
  }

  /**
   * Calls of accounts that are not busy (a few a second or less: slots and single call items) are
   * counted into their hour's singles rollup when the hour is finished, or in steps; those made after
   * an hour's rollup was counted `through` are read from the items themselves. Rollups carry
   * `through`, so only the spans after it are read (a slot is keyed by its hour's end, so an hour not
   * finished is read whole): one query per run of such spans, within the logs' retention.
   */
  private async uncountedSingles(
    accountId: string,
    from: string,
    to: string,
    rollups: Record<string, unknown>[],
    product?: string,
  ): Promise<Record<string, unknown>[]> {
    const retained = Date.now() - usageLogRetentionDays() * 86_400_000;
    const start = Math.max(Date.parse(from), Math.floor(retained / HOUR) * HOUR);
    const end = Math.min(Date.parse(`${to.slice(0, 13)}:00:00Z`) + HOUR, Date.now() + HOUR);
    const through = new Map<string, number>();
    for (const item of rollups) if (item.through !== undefined) through.set(`${item.bucket}#${item.product}`, Number(item.through));
    const counted = new Map<number, number>();
    for (const item of rollups) {
      if (item.through === undefined) continue;
      const hour = Date.parse(String(item.bucket));
      counted.set(hour, Math.min(counted.get(hour) ?? Infinity, Number(item.through)));
    }
    // Spans still to read, joined where they touch: an hour from where its least counted product got to.
    const spans: [number, number][] = [];
    for (let hour = Math.floor(start / HOUR) * HOUR; hour < end; hour += HOUR) {
      const lower = Math.max(hour, counted.get(hour) ?? hour);
      // Counted through the hour's last millisecond (by a step or the sweep): nothing of it is left to read.
      if (lower >= hour + HOUR - 1) continue;
      const last = spans.at(-1);
      if (last && last[1] >= lower) last[1] = hour + HOUR;
      else spans.push([lower, hour + HOUR]);
    }
    const found: Record<string, unknown>[] = [];
    // A call is counted once even if it was stored in two forms (a redelivery straddling a deploy that changed the form).
    const firstCopy = onceEach();
    for (const [lower, upper] of spans) {
      // Calls at `lower` itself are counted already (`through` is inclusive), and `upper` is an hour's start.
      const range = callRange(lower, upper - 1);
      const items = await queryAll(this.client, {
        TableName: this.tables.usageLogs,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
        ExpressionAttributeValues: { ':pk': ITEMS.logSingle.pk({ accountId }), ':lower': range.lower, ':upper': range.upper },
      });
      for (const item of items) {
        if (Number(item.expiresAt ?? Infinity) <= Date.now() / 1000) continue;
        for (const { log, seq } of callsOfItem(item)) {
          const at = log.at;
          if (Date.parse(at) < lower || Date.parse(at) >= upper) continue;
          if (product && log.product !== product) continue;
          const bucket = `${at.slice(0, 13)}:00:00Z`;
          if (Date.parse(at) <= (through.get(`${bucket}#${log.product}`) ?? -Infinity)) continue;
          if (!firstCopy({ seq })) continue;
          found.push({ bucket, product: log.product, ...countersOfCall(log) });
        }
      }
    }
    return found;
  }
}
