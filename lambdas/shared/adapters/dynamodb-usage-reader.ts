import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callsOfItem, itemsHoldingCalls, onceEach, WEEK_LIST_MIN_RETENTION_DAYS } from './dynamodb-usage-logs';
import { queryAll } from '../dynamodb-query';
import { usageLogRetentionDays } from '../usage-logs';
import { ITEMS } from '../items';
import { bucketsOf, CALL_COUNTERS, type CallCounters, countersOfCall, type UsageBucket } from '../usage-counters';
import { finishedDays, isPageRollup, type SinglesTally, singlesHeld, singlesWeekKey } from './singles-day';

const HOUR = 3_600_000;

/**
 * Reads one account's aggregates (its logs are read through the shared UsageLogStore); the account is
 * always the caller's, never a parameter of the query's reach. Pages' calls are counted in hourly
 * rollups, quiet accounts' slots and single calls in each day's singles rollup (per hour and product:
 * `singles-day.ts`) or, for lone calls' days, their seven-day period's; a day is the sum of its hours (stacks older than that change also hold `#D`
 * items, which agree with it).
 */
export class DynamoDbUsageReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { usageLogs: string; usageAggregates: string },
  ) {}

  async aggregates(accountId: string, granularity: 'hour' | 'day', from: string, to: string, product?: string): Promise<UsageBucket[]> {
    // The hour holding `to` is counted to its end: compared as a bucket, as `to` may be any instant (`…T10:00:00.000Z`
    // sorts before the bucket `…T10:00:00Z`).
    const lastHour = bucketsOf(to).hour;
    const pk = ITEMS.hourlyUsage.pk({ accountId });
    const [items, weeks] = await Promise.all([
      queryAll(this.client, {
        TableName: this.tables.usageAggregates,
        // From the day of `from`: a day's singles rollup (`<day>#S`) sorts before its hours.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': from.slice(0, 10), ':to': `${lastHour}\uffff` },
      }),
      // The week pass's items of the seven-day periods the range touches (they sort after every hour).
      queryAll(this.client, {
        TableName: this.tables.usageAggregates,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':from': singlesWeekKey(accountId, Date.parse(from)).sk,
          ':to': singlesWeekKey(accountId, Date.parse(lastHour)).sk,
        },
      }),
    ]);
    const sums = new Map<string, { bucket: string; product: string } & CallCounters>();
    const add = (hour: string, name: string, counters: Partial<Record<keyof CallCounters, unknown>>) => {
      if (hour < from || hour > lastHour || (product && name !== product)) return;
      const bucket = granularity === 'hour' ? hour : `${hour.slice(0, 10)}T00:00:00Z`;
      const key = `${bucket}#${name}`;
      const sum =
        sums.get(key) ??
        ({ bucket, product: name, ...Object.fromEntries(CALL_COUNTERS.map((n) => [n, 0])) } as {
          bucket: string;
          product: string;
        } & CallCounters);
      // Rollups counted before a counter was kept lack it: 0.
      for (const counter of CALL_COUNTERS) sum[counter] += Number(counters[counter] ?? 0);
      sums.set(key, sum);
    };
    // Pages' rollups (and daily rollups of earlier versions: none here, they live under `#D`).
    for (const item of items) if (isPageRollup(item)) add(String(item.bucket), String(item.product), item);
    const singles = singlesHeld([...items, ...weeks]);
    for (const [hour, products] of singles)
      for (const [name, tally] of products) add(new Date(hour).toISOString().replace('.000Z', 'Z'), name, tally.counters);
    const finished = finishedDays([...items, ...weeks]);
    for (const single of await this.uncountedSingles(accountId, from, to, singles, finished, product))
      add(single.bucket, single.product, single);
    return [...sums.values()]
      .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.product.localeCompare(b.product))
      .map(({ latencyMsSum, ...sum }) => ({ ...sum, avgLatencyMs: sum.calls ? Math.round(latencyMsSum / sum.calls) : 0 }));
  }

  /**
   * Calls of accounts that are not busy (a few a second or less: slots and single call items) are
   * counted into their day's singles rollup when the sweep finishes their hour (at its end for an
   * hour of many calls, else at the day's end), or in steps; those made after an hour was counted
   * `through` are read from the items themselves. So only the spans after it are read (a slot is
   * keyed by its hour's end, so an hour not finished is read whole), and none of a day's hours the
   * sweep finished (`f`: those without entries had no calls): one query per run of such spans,
   * within the logs' retention.
   */
  private async uncountedSingles(
    accountId: string,
    from: string,
    to: string,
    singles: Map<number, Map<string, SinglesTally>>,
    finished: Map<string, number>,
    product?: string,
  ): Promise<({ bucket: string; product: string } & CallCounters)[]> {
    // A lone call's day waits for its week's end uncounted, up to WEEK_LIST_MIN_RETENTION_DAYS, and may have been listed
    // under a longer retention than the one now set: its calls are read while their items live (their expiry is checked below).
    const retained = Date.now() - Math.max(usageLogRetentionDays(), WEEK_LIST_MIN_RETENTION_DAYS) * 86_400_000;
    const start = Math.max(Date.parse(from), Math.floor(retained / HOUR) * HOUR);
    const end = Math.min(Date.parse(`${to.slice(0, 13)}:00:00Z`) + HOUR, Date.now() + HOUR);
    const through = new Map<string, number>();
    const counted = new Map<number, number>();
    for (const [hour, products] of singles)
      for (const [name, tally] of products) {
        through.set(`${hour}#${name}`, tally.through);
        counted.set(hour, Math.min(counted.get(hour) ?? Infinity, tally.through));
      }
    // Spans still to read, joined where they touch: an hour from where its least counted product got to.
    const spans: [number, number][] = [];
    for (let hour = Math.floor(start / HOUR) * HOUR; hour < end; hour += HOUR) {
      // Counted through the hour's last millisecond (by a step or the sweep), or finished with its day's hours: nothing of it is left to read.
      if (!counted.has(hour) && (finished.get(new Date(hour).toISOString().slice(0, 10)) ?? -Infinity) >= hour + HOUR - 1) continue;
      const lower = Math.max(hour, counted.get(hour) ?? hour);
      if (lower >= hour + HOUR - 1) continue;
      const last = spans.at(-1);
      if (last && last[1] >= lower) last[1] = hour + HOUR;
      else spans.push([lower, hour + HOUR]);
    }
    const found: ({ bucket: string; product: string } & CallCounters)[] = [];
    // A call is counted once even if it was stored in two forms (a redelivery straddling a deploy that changed the form).
    const firstCopy = onceEach();
    for (const [lower, upper] of spans) {
      // Calls at `lower` itself are counted already (`through` is inclusive), and `upper` is an hour's start.
      const items = await itemsHoldingCalls(this.client, this.tables.usageLogs, accountId, { from: lower, until: upper - 1 });
      for (const item of items) {
        if (Number(item.expiresAt ?? Infinity) <= Date.now() / 1000) continue;
        for (const { log, seq } of callsOfItem(item)) {
          const at = log.at;
          if (Date.parse(at) < lower || Date.parse(at) >= upper) continue;
          if (product && log.product !== product) continue;
          const bucket = `${at.slice(0, 13)}:00:00Z`;
          if (Date.parse(at) <= (through.get(`${Date.parse(bucket)}#${log.product}`) ?? -Infinity)) continue;
          if (!firstCopy({ seq })) continue;
          found.push({ bucket, product: log.product, ...countersOfCall(log) });
        }
      }
    }
    return found;
  }
}
