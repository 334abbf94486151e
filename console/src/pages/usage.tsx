import { useMemo, useState } from 'preact/hooks';
import { api, call, formatCredits, formatDay, formatNumber, formatTime } from '../api/client';
import type { paths } from '../api/openapi';
import { Chart } from '../components/chart';
import { ErrorNotice, Field, Form, Loading, Page, Pager, Select, TableScroll, toIso, useLoad, useQueryState } from '../components/ui';

const HOUR = 3_600_000;
const RANGES: [string, string][] = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
];
const RANGE_HOURS: Record<string, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '90d': 24 * 90 };

/** A filter read from the address: one of `options`, or `fallback` for anything else a link may carry. */
function oneOf<T extends string>(value: string | null, options: readonly T[], fallback: T): T {
  return options.includes(value as T) ? (value as T) : fallback;
}

function useKeysAndProducts() {
  const keys = useLoad(() => call(api.GET('/v1/keys')));
  const catalogue = useLoad(() => call(api.GET('/v1/catalogue')));
  const keyOptions: [string, string][] = [
    ['', 'All keys'],
    ...(keys.data?.keys ?? []).map((k): [string, string] => [k.keyId, `${k.name} (${k.prefix}…)`]),
  ];
  const productOptions: [string, string][] = [
    ['', 'All products'],
    ...(catalogue.data?.products ?? []).map((p): [string, string] => [p.id, p.id]),
  ];
  const keyNames = new Map((keys.data?.keys ?? []).map((k) => [k.keyId, k.name]));
  return { keyOptions, productOptions, keyNames };
}

interface Point {
  time: number;
  answered: number;
  /** Admitted calls the product answered with an error (5xx are refunded). */
  failed: number;
  refused402: number;
  refused429: number;
  /** Refusals for another reason (a suspended key). */
  refusedOther: number;
  chargedMicro: number;
}

type UsageBucket = paths['/v1/usage']['get']['responses'][200]['content']['application/json']['buckets'][number];

/** Sums the API's buckets (per product, or per key and product) into one point per bucket time. */
function pointsOf(buckets: UsageBucket[]): Point[] {
  const byTime = new Map<string, Point>();
  for (const b of buckets) {
    const p = byTime.get(b.bucket) ?? {
      time: Date.parse(b.bucket),
      answered: 0,
      failed: 0,
      refused402: 0,
      refused429: 0,
      refusedOther: 0,
      chargedMicro: 0,
    };
    // `errors` counts every answer of 400 or more, the refusals among them.
    const failed = b.errors - b.rejected;
    p.answered += b.admitted - failed;
    p.failed += failed;
    p.refused402 += b.rejectedNoCredit;
    p.refused429 += b.rejectedRateLimited;
    p.refusedOther += b.rejected - b.rejectedNoCredit - b.rejectedRateLimited;
    p.chargedMicro += b.chargedMicro - b.refundedMicro;
    byTime.set(b.bucket, p);
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

export function Usage() {
  const [query, setQuery] = useQueryState();
  const range = oneOf(
    query.get('range'),
    RANGES.map(([r]) => r),
    '7d',
  );
  const granularity = oneOf(query.get('granularity'), ['hour', 'day'], RANGE_HOURS[range]! <= 48 ? 'hour' : 'day');
  const keyId = query.get('key') ?? '';
  const product = query.get('product') ?? '';
  const { keyOptions, productOptions } = useKeysAndProducts();
  const usage = useLoad(() => {
    const to = new Date();
    const from = new Date(to.getTime() - RANGE_HOURS[range]! * HOUR);
    // Per product from the aggregates, whatever the account's traffic; one key's from its call logs.
    const query = {
      from: from.toISOString(),
      to: to.toISOString(),
      granularity,
      ...(keyId ? { key: keyId } : {}),
      ...(product ? { product } : {}),
    };
    return call(api.GET('/v1/usage', { params: { query } }));
  }, [range, granularity, keyId, product]);
  const points = useMemo(() => pointsOf(usage.data?.buckets ?? []), [usage.data]);
  const span = useMemo(
    (): [number, number] | undefined => (usage.data ? [Date.parse(usage.data.from) / 1000, Date.parse(usage.data.to) / 1000] : undefined),
    [usage.data],
  );
  const times = useMemo(() => points.map((p) => p.time / 1000), [points]);
  const callSeries = useMemo(
    () => [
      { label: 'Answered', values: points.map((p) => p.answered), color: '#1d4ed8' },
      { label: 'Errors', values: points.map((p) => p.failed), color: '#b45309' },
      { label: 'Refused: no credit (402)', values: points.map((p) => p.refused402), color: '#b91c1c', dash: [6, 4] },
      { label: 'Refused: rate limit (429)', values: points.map((p) => p.refused429), color: '#7e22ce', dash: [2, 3] },
    ],
    [points],
  );
  const creditSeries = useMemo(
    () => [{ label: 'Credits charged', values: points.map((p) => p.chargedMicro / 1_000_000), color: '#047857' }],
    [points],
  );
  const totals = points.reduce(
    (t, p) => ({
      calls: t.calls + p.answered + p.failed + p.refused402 + p.refused429 + p.refusedOther,
      refused: t.refused + p.refused402 + p.refused429 + p.refusedOther,
      charged: t.charged + p.chargedMicro,
    }),
    { calls: 0, refused: 0, charged: 0 },
  );
  return (
    <Page title="Usage" intro="Calls and credits over time. New calls appear within a few seconds.">
      {/* biome-ignore lint/a11y/useSemanticElements: a row of labelled selects named as one group for screen readers; a fieldset would add a legend and a box the layout does not want */}
      <div class="filters" role="group" aria-label="Usage filters">
        <Select label="Range" value={range} onValue={(v) => setQuery({ range: v, granularity: undefined })} options={RANGES} />
        <Select
          label="Buckets"
          value={granularity}
          onValue={(v) => setQuery({ granularity: v })}
          options={[
            ['hour', 'Hourly'],
            ['day', 'Daily'],
          ]}
        />
        <Select label="Key" value={keyId} onValue={(v) => setQuery({ key: v })} options={keyOptions} />
        <Select label="Product" value={product} onValue={(v) => setQuery({ product: v })} options={productOptions} />
      </div>
      <ErrorNotice error={usage.error} />
      {!usage.data ? (
        <Loading />
      ) : (
        <>
          <dl class="stats">
            <div>
              <dt>Calls</dt>
              <dd data-testid="total-calls">{formatNumber(totals.calls)}</dd>
            </div>
            <div>
              <dt>Refused (402/429)</dt>
              <dd>{formatNumber(totals.refused)}</dd>
            </div>
            <div>
              <dt>Credits charged</dt>
              <dd>{formatCredits(totals.charged)}</dd>
            </div>
          </dl>
          {points.length === 0 ? (
            <p>No calls in this range yet.</p>
          ) : (
            <>
              <h2>Calls</h2>
              <Chart title="Calls per bucket" times={times} series={callSeries} range={span} />
              <h2>Credits</h2>
              <Chart title="Credits per bucket" times={times} series={creditSeries} height={180} range={span} />
              <TableScroll label={`Usage per ${granularity}`}>
                <table>
                  <caption>Usage per {granularity}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{granularity === 'hour' ? 'Hour' : 'Day'}</th>
                      <th scope="col">Answered</th>
                      <th scope="col">Errors</th>
                      <th scope="col">Refused 402</th>
                      <th scope="col">Refused 429</th>
                      <th scope="col">Credits</th>
                    </tr>
                  </thead>
                  <tbody>
                    {points.map((p) => (
                      <tr key={p.time}>
                        <th scope="row">{granularity === 'day' ? formatDay(p.time) : formatTime(p.time)}</th>
                        <td>{formatNumber(p.answered)}</td>
                        <td>{formatNumber(p.failed)}</td>
                        <td>{formatNumber(p.refused402)}</td>
                        <td>{formatNumber(p.refused429)}</td>
                        <td>{formatCredits(p.chargedMicro)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            </>
          )}
        </>
      )}
    </Page>
  );
}

type StatusFilter = NonNullable<NonNullable<paths['/v1/usage/logs']['get']['parameters']['query']>['status']>;

const STATUS_CLASSES: [StatusFilter | '', string][] = [
  ['', 'Any status'],
  ['2xx', '2xx success'],
  ['4xx', '4xx client errors'],
  ['5xx', '5xx server errors'],
  ['402', '402 no credit'],
  ['429', '429 rate limited'],
];

export function Logs() {
  const [query, setQuery] = useQueryState();
  const { keyOptions, productOptions, keyNames } = useKeysAndProducts();
  const [pathPrefix, setPathPrefix] = useState(query.get('path') ?? '');
  const [from, setFrom] = useState(query.get('from') ?? '');
  const [to, setTo] = useState(query.get('to') ?? '');
  // The cursors of the pages before this one, so "Newer" goes back without the API keeping state.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const filters = {
    ...(query.get('key') ? { key: query.get('key')! } : {}),
    ...(query.get('status') ? { status: query.get('status') as StatusFilter } : {}),
    ...(query.get('product') ? { product: query.get('product')! } : {}),
    ...(query.get('path') ? { pathPrefix: query.get('path')! } : {}),
    ...(query.get('from') ? { from: toIso(query.get('from')!) } : {}),
    ...(query.get('to') ? { to: toIso(query.get('to')!) } : {}),
  };
  const logs = useLoad(
    () => call(api.GET('/v1/usage/logs', { params: { query: { limit: 50, ...filters, ...(cursor ? { cursor } : {}) } } })),
    [query.toString(), cursor],
  );
  const change = (changes: Record<string, string | undefined>) => {
    setCursors([]);
    setQuery(changes);
  };
  return (
    <Page title="Request logs" intro="Every call of the last 90 days, newest first. Filters run in the API.">
      <Form label="Log filters" onSubmit={() => change({ path: pathPrefix, from, to })}>
        <div class="filters">
          <Select label="Key" value={query.get('key') ?? ''} onValue={(v) => change({ key: v })} options={keyOptions} />
          <Select
            label="Status"
            value={query.get('status') ?? ''}
            onValue={(v) => change({ status: v })}
            options={STATUS_CLASSES as [string, string][]}
          />
          <Select label="Product" value={query.get('product') ?? ''} onValue={(v) => change({ product: v })} options={productOptions} />
          <Field label="Path starts with" value={pathPrefix} onValue={setPathPrefix} placeholder="/v1/api/echo/" />
          <Field label="From" type="datetime-local" value={from} onValue={setFrom} />
          <Field label="To" type="datetime-local" value={to} onValue={setTo} />
          <button type="submit">Apply</button>
        </div>
      </Form>
      <ErrorNotice error={logs.error} />
      {!logs.data ? (
        <Loading />
      ) : logs.data.logs.length === 0 ? (
        // A page reads a bounded part of the logs: none matched in this stretch, but older calls may.
        <p>{logs.data.nextCursor ? 'No matching calls in this stretch of the logs. Older searches further back.' : 'No calls match.'}</p>
      ) : (
        <TableScroll label="Calls, newest first">
          <table class="logs">
            <caption>Calls, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Request</th>
                <th scope="col">Key</th>
                <th scope="col">Credits</th>
                <th scope="col">Latency</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {logs.data.logs.map((log) => (
                <tr key={log.requestId}>
                  <th scope="row">{formatTime(log.at)}</th>
                  <td>
                    <span class={`status s${String(log.status)[0]}`}>{log.status}</span>
                    {log.outcome !== 'ok' && <small> {log.outcome}</small>}
                  </td>
                  <td class="mono free-text">
                    {log.method} {log.path}
                  </td>
                  {/* The key's name, as on the Keys page (its id only for a key no longer listed). */}
                  <td class={keyNames.has(log.keyId) ? 'free-text' : 'mono'}>{keyNames.get(log.keyId) ?? log.keyId}</td>
                  <td>{formatCredits(log.priceMicroCredits)}</td>
                  <td>{formatNumber(log.latencyMs, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 })}</td>
                  <td>{log.ip}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <Pager label="Log pages" cursors={cursors} next={logs.data?.nextCursor} onCursors={setCursors} />
    </Page>
  );
}
