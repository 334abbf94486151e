import { createHash } from 'node:crypto';
import type { UsageLog } from '../../shared/usage-logs';
import { bucketsOf, CALL_COUNTERS, type CallCounters, countersOfCall, type UsageBucket } from '../../shared/usage-counters';
import { InvalidCursorError } from '../errors';

/** Status classes the log explorer filters on: a class of answers, or one of the two refusals. */
export const STATUS_FILTERS = ['2xx', '4xx', '5xx', '402', '429'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** What the log explorer asks for; every field narrows. */
export interface LogFilters {
  keyId?: string;
  status?: StatusFilter;
  product?: string;
  pathPrefix?: string;
  from?: string;
  to?: string;
}

/** Whether a log is one the filters ask for (the time range is the store's to apply). */
export function matchesFilters(filters: LogFilters): (log: UsageLog) => boolean {
  return (log) =>
    (filters.keyId === undefined || log.keyId === filters.keyId) &&
    (filters.product === undefined || log.product === filters.product) &&
    (filters.pathPrefix === undefined || log.path.startsWith(filters.pathPrefix)) &&
    (filters.status === undefined ||
      (filters.status.endsWith('xx') ? Math.floor(log.status / 100) === Number(filters.status[0]) : log.status === Number(filters.status)));
}

/** The filters in one canonical form: a cursor is valid for these filters only. */
const canonical = (filters: LogFilters) =>
  JSON.stringify([filters.keyId, filters.status, filters.product, filters.pathPrefix, filters.from, filters.to]);

const digest = (accountId: string, filters: LogFilters, position: string) =>
  createHash('sha256')
    .update(`${accountId}\n${canonical(filters)}\n${position}`)
    .digest('base64url')
    .slice(0, 22);

/**
 * The opaque cursor of the next page: the position (the order key of the last log returned) and a
 * digest binding it to the account and the filters. A cursor from another account or another query
 * is refused (400), as is an edited one; and whatever a cursor says, the store only ever reads the
 * calling account's partition, which comes from the session.
 */
export function encodeLogCursor(accountId: string, filters: LogFilters, position: string): string {
  return Buffer.from(JSON.stringify({ p: position, d: digest(accountId, filters, position) })).toString('base64url');
}

export function decodeLogCursor(accountId: string, filters: LogFilters, cursor: string): string {
  let parsed: { p?: unknown; d?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown; d?: unknown };
  } catch {
    throw new InvalidCursorError();
  }
  const { p, d } = parsed ?? {};
  if (
    typeof p !== 'string' ||
    typeof d !== 'string' ||
    !/^\d{4}-\d\d-\d\dT[\d:.]+Z#(?:[\w=+/-]{1,100}|~)$/.test(p) ||
    d !== digest(accountId, filters, p)
  )
    throw new InvalidCursorError();
  return p;
}

/** One bucket of usage counted from call logs: per key and product. */
export interface KeyUsageBucket extends UsageBucket {
  keyId: string;
}

/** Counts logs into hour or day buckets per key and product, each call as the worker counts it into the aggregates. */
export function keyBuckets(logs: Iterable<UsageLog>, granularity: 'hour' | 'day'): KeyUsageBucket[] {
  const sums = new Map<string, { bucket: string; product: string; keyId: string } & CallCounters>();
  for (const log of logs) {
    const bucket = bucketsOf(log.at)[granularity];
    const id = `${bucket}#${log.product}#${log.keyId}`;
    const counters = countersOfCall(log);
    const sum = sums.get(id);
    if (!sum) sums.set(id, { bucket, product: log.product, keyId: log.keyId, ...counters });
    else for (const name of CALL_COUNTERS) sum[name] += counters[name];
  }
  return [...sums.values()]
    .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.product.localeCompare(b.product) || a.keyId.localeCompare(b.keyId))
    .map(({ latencyMsSum, ...sum }) => ({ ...sum, avgLatencyMs: sum.calls ? Math.round(latencyMsSum / sum.calls) : 0 }));
}
