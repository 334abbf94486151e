import { microToCredits } from '../../shared/credits';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { bucketsOf } from '../../shared/usage-counters';
import { RangeTooLongError, RangeReversedError, TooManyCallsError } from '../errors';
import { decodeLogCursor, encodeLogCursor, keyBuckets, type LogFilters, matchesFilters } from '../domain/usage-queries';
import type { UsageLog } from '../../shared/usage-logs';
import { meteringRoutes } from '../routes';
import { usageApiWiring } from '../wiring';

/** Buckets one request may ask for. */
const MAX_BUCKETS = { hour: 24 * 31, day: 400 };
/** Calls one per-key answer counts from the logs (read a page at a time). */
const MAX_COUNTED_CALLS = 100_000;
const LOG_READ_PAGE = 1_000;
/**
 * Pages of the reader that stop at their read budget (PAGE_READ_BUDGET stored items, few of them
 * matching) one per-key answer reads: a rare key on a busy account is refused like a busy range.
 */
const MAX_SPARSE_PAGES = 20;

/** Every log of the account in [from, to] that `filter` keeps, newest first, within MAX_COUNTED_CALLS and MAX_SPARSE_PAGES. */
async function* logsBetween(accountId: string, from: string, to: string, filter: (log: UsageLog) => boolean): AsyncGenerator<UsageLog> {
  let cursor: string | undefined;
  let counted = 0;
  let sparse = 0;
  do {
    const page = await usageApiWiring().logs.page(accountId, { limit: LOG_READ_PAGE, cursor, from, to, filter, now: new Date() });
    counted += page.logs.length;
    if (counted > MAX_COUNTED_CALLS) throw new TooManyCallsError(MAX_COUNTED_CALLS);
    if (page.nextCursor && page.logs.length < LOG_READ_PAGE && ++sparse > MAX_SPARSE_PAGES) throw new TooManyCallsError(MAX_COUNTED_CALLS);
    yield* page.logs;
    cursor = page.nextCursor;
  } while (cursor);
}

const withCredits = <B extends { chargedMicro: number; refundedMicro: number }>(b: B) => ({
  ...b,
  charged: microToCredits(b.chargedMicro),
  refunded: microToCredits(b.refundedMicro),
});

/** Usage aggregates and call logs (the retention period, newest first) — the caller's own. */
export const handler = httpRoutes(
  route(meteringRoutes.usage, async (event) => {
    const { from, to, granularity, product, key, groupBy } = event.input.query;
    const span = (Date.parse(to) - Date.parse(from)) / (granularity === 'hour' ? 3_600_000 : 86_400_000);
    if (span < 0) throw new RangeReversedError();
    if (span > MAX_BUCKETS[granularity]) throw new RangeTooLongError(MAX_BUCKETS[granularity], granularity);
    const start = bucketsOf(from)[granularity];
    if (key !== undefined || groupBy === 'key') {
      // The aggregates do not know keys: per-key usage is counted from the call logs (kept 90 days). The
      // aggregates count whole hours, through the end of the one holding `to`: the logs are read as far, so both agree.
      const through = new Date(Date.parse(bucketsOf(to).hour) + 3_600_000 - 1).toISOString();
      const matching = logsBetween(event.principal.accountId, start, through, matchesFilters({ keyId: key, product }));
      const collected: UsageLog[] = [];
      for await (const log of matching) collected.push(log);
      return json(200, { from, to, granularity, groupBy: 'key', buckets: keyBuckets(collected, granularity).map(withCredits) });
    }
    const buckets = await usageApiWiring().reader.aggregates(event.principal.accountId, granularity, start, to, product);
    return json(200, { from, to, granularity, groupBy, buckets: buckets.map(withCredits) });
  }),
  route(meteringRoutes.logs, async (event) => {
    const { limit, cursor, key, status, product, pathPrefix, from, to } = event.input.query;
    const { accountId } = event.principal;
    const filters: LogFilters = { keyId: key, status, product, pathPrefix, from, to };
    if (from && to && to < from) throw new RangeReversedError();
    const page = await usageApiWiring().logs.page(accountId, {
      limit,
      cursor: cursor === undefined ? undefined : decodeLogCursor(accountId, filters, cursor),
      from,
      to,
      filter: matchesFilters(filters),
      now: new Date(),
    });
    return json(200, { logs: page.logs, nextCursor: page.nextCursor && encodeLogCursor(accountId, filters, page.nextCursor) });
  }),
);
