import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import archiver from 'archiver';
import { DynamoDbAccountStore, DynamoDbKeyStore } from '../lambdas/accounts/adapters/dynamodb-stores';
import { DEFAULT_PREFERENCES } from '../lambdas/accounts/domain/model';
import { DynamoDbLedger } from '../lambdas/billing/adapters/dynamodb-ledger';
import { type Catalog, DEFAULT_CATALOG } from '../lambdas/metering/catalog';
import { DynamoDbSubjectData } from '../lambdas/privacy/adapters/dynamodb-subject-data';
import { ERASURE_PAGE } from '../lambdas/privacy/domain/erasure-steps';
import { buildExport } from '../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../lambdas/privacy/domain/model';
import {
  DynamoDbUsageLogs,
  isAgentKey,
  logPageItem,
  minuteOf,
  newestAt,
  pageSortKey,
} from '../lambdas/shared/adapters/dynamodb-usage-logs';
import { balanceShardKey, MICRO_PER_CREDIT } from '../lambdas/shared/credits';
import { newId, randomSecret, sha256 } from '../lambdas/shared/crypto';
import type { UsageLog } from '../lambdas/shared/usage-logs';
import { buildApp } from '../lib/app';
import type { StageConfig } from '../lib/config';
import { startLocal } from '../local/runtime';
import { DEFAULT_BUNDLE_CACHE } from '../local/functions';
import { pollersFor } from '../local/sqs';
import { DRAIN_LANES } from '../lambdas/metering/domain/usage-drain';
import { bundleInitScript } from './bundle-init';
import { consoleFigures, consoleRows } from './console';
import {
  type Deployment,
  demoProductCost,
  type FixedCharges,
  fixedMonthly,
  plainLogItemCost,
  platformCost,
  restUsagePlansCost,
  type RowInputs,
  total,
  upstreamWaitPerMs,
} from './cost';
import { itemSize } from './item-size';
import { type OfferedLoad, PATHS, type PlannedCall, plannedCalls, type DeliveryModel, totalRate, USER_AGENTS } from './load';
import type { Overhead } from './overhead';
import { MODEL, PRICES, PRICES_AS_OF } from './prices';
import { loneCallMetricsBytes, simulatedDay, simulateLoad, type StoreFigures, WORKER_CPU_MS_PER_EVENT } from './simulate';

/**
 * `npm run bench`: the cost of the design at fixed offered loads, not at whatever rate this machine
 * can drive.
 *  1. End to end, on the local platform: two loads sent at their due times through the HTTP API,
 *     Lambda's concurrent pollers gathering the batches (`BENCH_POLLERS`, default as Lambda starts
 *     them for the mapping), AWS requests and DynamoDB write units metered at the local endpoints.
 *  2. The traffic matrix: every load handed to the real `recordUsageBatch` and usage store in the
 *     batches the same pollers would form, write units metered by DynamoDB's sizing rules — checked
 *     against the end-to-end runs of the same loads (within 10 %).
 *  3. Each row priced for this platform and, on the same traffic, for API Gateway REST + usage plans
 *     + Lambda + a DynamoDB counter and for an HTTP API + admit write + one plain log item per call;
 *     the demo product, upstream wait and fixed monthly charges on lines of their own.
 *  4. One sharded account driven as hard as this machine allows, against its three limits.
 * Then bundle sizes and cold-start init, the gateway's own CPU per call, and the privacy export.
 */

const port = (name: string) => Number(process.env[name] ?? 0);
const POLLERS = process.env.BENCH_POLLERS ? Number(process.env.BENCH_POLLERS) : undefined;
/** Scales every load's duration (e.g. 0.5 for a quick look); the rates never change. */
const DURATION = Number(process.env.BENCH_DURATION_SCALE ?? 1);
const RECEIVE_ROUND_TRIP_MS = 20;
/** For comparisons: the matrix simulated with events as queued before single calls (`BENCH_LEGACY_FORM=1`) or another window (`BENCH_WINDOW`). */
const LEGACY_FORM = process.env.BENCH_LEGACY_FORM === '1';
const WINDOW = process.env.BENCH_WINDOW ? Number(process.env.BENCH_WINDOW) : undefined;
/**
 * For comparisons: `BENCH_DELIVERY=eventSource` simulates the matrix as Lambda's event source mapping would
 * deliver it (five pollers, batches of 1,000 over 30 s, or BENCH_POLLERS/BENCH_WINDOW) on the deployed store.
 */
const DELIVERY = process.env.BENCH_DELIVERY as 'eventSource' | undefined;
if (DELIVERY !== undefined && DELIVERY !== 'eventSource')
  throw new Error('BENCH_DELIVERY must be eventSource (the template gives the rest)');
/** `BENCH_MATRIX_FILE=<name>`: the matrix alone (no bundles, CPU or ceiling), written to bench/results/<name>.json, not latest.json — to compare a store change. */
const MATRIX_FILE = process.env.BENCH_MATRIX_FILE;
/** `BENCH_ROWS=<text>[|<text>…]`: only the matrix rows whose name contains one of them (with BENCH_MATRIX_FILE, to measure a change on a few rows). */
const ROWS = process.env.BENCH_ROWS?.split('|');
/** Calls sent one at a time before each end-to-end load, for the functions' durations. */
const SEQUENTIAL_CALLS = Number(process.env.BENCH_SEQUENTIAL_CALLS ?? 150);

/**
 * A row of the traffic matrix: `refused` is the share of its calls refused for credit (402), and as
 * many again for the rate limit (429); each key keeps one user agent. `e2e`: also run end to end
 * (its rate must fit this machine).
 */
const row = (
  name: string,
  accounts: number,
  rate: OfferedLoad['rate'],
  seconds: number,
  { keysPerAccount = 1, refused = 0.01, e2e = false } = {},
): OfferedLoad & { e2e: boolean } => ({
  name,
  accounts,
  rate,
  keysPerAccount,
  refused: { insufficientCredit: refused, rateLimited: refused },
  seconds,
  e2e,
});

/** The traffic matrix: each load's rate, and how long it runs (long enough for its batches to form). */
const MATRIX = [
  row('1 account, 20 calls/s', 1, { perAccountPerMinute: 1_200 }, 60, { refused: 0, e2e: true }),
  row('25 busy accounts × 3 calls/s', 25, { perAccountPerMinute: 180 }, 60, { keysPerAccount: 3, refused: 0.02 }),
  row('25 accounts × 1 call/s', 25, { perAccountPerMinute: 60 }, 60, { keysPerAccount: 3, refused: 0.02, e2e: true }),
  row('1,000 accounts × 1 call/s', 1_000, { perAccountPerMinute: 60 }, 6),
  row('10,000 accounts × 1 call/min', 10_000, { perAccountPerMinute: 1 }, 36),
  row('Zipf tail: 10,000 accounts, 200 calls/s', 10_000, { zipf: 1, totalPerSecond: 200 }, 30),
  row('10,000 accounts × 1 call/hour', 10_000, { perAccountPerMinute: 1 / 60 }, 720),
  // Trial and hobby accounts: most of a day's hours without a call, where the sweep must read nothing.
  row('10,000 accounts × 4 calls a day', 10_000, { perAccountPerMinute: 4 / 1_440 }, 720),
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const table = (rows: (string | number)[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ')).join('\n');
};

type Runtime = Awaited<ReturnType<typeof startLocal>>;

/**
 * The bench runs with two extra plans beside the stage's own: `bench-trial` (one call a minute), so
 * a planned 429 meets the rate limit, and `bench-busy` (60,000 a minute) for the one-account load.
 */
const CONTEXT: { catalog: Catalog } = {
  catalog: {
    ...DEFAULT_CATALOG,
    plans: { ...DEFAULT_CATALOG.plans, 'bench-trial': { requestsPerMinute: 1 }, 'bench-busy': { requestsPerMinute: 60_000 } },
  },
};

/** A matrix as the comparison files keep it: each row's figures, totals and this platform's lines. */
const matrixFile = (
  rows: { load: OfferedLoad; figures: StoreFigures; ours: [string, number][]; rest: [string, number][]; plain: [string, number][] }[],
) =>
  rows.map((r) => ({
    load: r.load.name,
    figures: r.figures,
    platform: total(r.ours),
    rest: total(r.rest),
    plain: total(r.plain),
    lines: Object.fromEntries(r.ours),
  }));

async function main(): Promise<void> {
  // First, before the platform runs in this process: the gateway's own CPU, in a process of its own.
  const overhead = measureOverheadApart();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-bench-'));
  const runtime = await startLocal({
    port: port('PORT'),
    smtpPort: port('SMTP_PORT'),
    dynamodbPort: port('DYNAMODB_PORT'),
    s3Port: port('S3_PORT'),
    awsPort: port('LOCAL_AWS_PORT'),
    // The platform's request lines stay off the console; its errors (a function failing or timing out) do not.
    dataDir,
    // The prod stage's delivery, which the bench prices: how often its drain runs sets what an account's calls share.
    context: { ...CONTEXT, drainEveryMinutes: prodSynth().config.drainEveryMinutes },
    log: (line: string) => void (/error|failed|timed out/i.test(line) && process.stderr.write(`${line}\n`)),
    sqsPollers: POLLERS,
  });
  try {
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.urls.dynamodb, region: 'us-east-1' }));
    const deployed = deployedSettings(runtime);
    // How the worker's batches form: as the template delivers (the drain, or an event source's pollers), or a comparison.
    const model: DeliveryModel =
      DELIVERY === 'eventSource' || (!DELIVERY && deployed.delivery.kind !== 'drain')
        ? {
            pollers: POLLERS ?? (deployed.delivery.kind === 'drain' ? 5 : deployed.delivery.pollers),
            batchSize: deployed.delivery.kind === 'drain' ? 1000 : deployed.delivery.batchSize,
            windowSeconds: WINDOW ?? (deployed.delivery.kind === 'drain' ? 30 : deployed.delivery.windowSeconds),
            receiveRoundTripMs: RECEIVE_ROUND_TRIP_MS,
          }
        : deployed.delivery;
    const funded = fundedAccounts(dynamo);
    const matrix = MATRIX.filter((load) => !ROWS || ROWS.some((row) => load.name.includes(row))).map((load) => ({
      ...load,
      seconds: load.seconds * DURATION,
    }));

    console.log('\nOmnAPI benchmark — cost at fixed offered loads');
    console.log(`commit ${commitOfTree()}; load average ${LOAD_AT_START.join(' / ')} (1 / 5 / 15 min) at the start`);
    console.log(
      `(${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}; dynalite and in-process emulators: latencies and durations compare runs, counts and sizes are exact)`,
    );
    console.log(`worker batches: ${describeDelivery(model)}${DELIVERY ? ' (BENCH_DELIVERY)' : ', from the template'}\n`);

    const e2e: E2eFigures[] = [];
    /** When the end-to-end figures were measured: this run, or (BENCH_E2E=0) the run they are carried from. */
    let endToEndMeasuredAt = 'this run';
    if (process.env.BENCH_E2E === '0') {
      // The shape-independent figures (the gateway's time, log bytes) and the end-to-end check from the last run that made them
      // (a machine too loaded to send the loads on time cannot make them: its functions time out).
      const last = JSON.parse(fs.readFileSync(path.join(__dirname, 'results', 'latest.json'), 'utf8')) as {
        at: string;
        endToEnd: E2eFigures[];
        endToEndMeasuredAt?: string;
      };
      e2e.push(...last.endToEnd.map((f) => ({ ...f, latencies: [] })));
      endToEndMeasuredAt = last.endToEndMeasuredAt && last.endToEndMeasuredAt !== 'this run' ? last.endToEndMeasuredAt : last.at;
      console.log(`(end to end: carried from the run of ${endToEndMeasuredAt})`);
    } else for (const load of matrix.filter((l) => l.e2e)) e2e.push(await driveLoad(runtime, dynamo, funded, load));
    console.log(
      table([
        ['end to end, paced', ...e2e.map((f) => f.name)],
        ['offered / achieved calls a second', ...e2e.map((f) => `${f.offeredRate.toFixed(1)} / ${f.achievedRate.toFixed(1)}`)],
        ['calls sent late by > 1 s', ...e2e.map((f) => String(f.late))],
        [
          'calls (200 / 402 / 429 / upstream timed out or failed, refunded)',
          ...e2e.map(
            (f) =>
              `${f.statuses[200] ?? 0} / ${f.statuses[402] ?? 0} / ${f.statuses[429] ?? 0} / ${(f.statuses[502] ?? 0) + (f.statuses[504] ?? 0)}`,
          ),
        ],
        ['latency p50 / p95 / p99 ms', ...e2e.map((f) => [50, 95, 99].map((p) => percentile(f.latencies, p).toFixed(1)).join(' / '))],
        [
          'key lookups / admit writes / SendMessage a call',
          ...e2e.map(
            (f) => `${f.perCall.keyLookups.toFixed(3)} / ${f.perCall.meterWrites.toFixed(3)} / ${f.perCall.usageMessages.toFixed(3)}`,
          ),
        ],
        ['other AWS calls a call (worker: address watch)', ...e2e.map((f) => f.perCall.other.toFixed(3))],
        ['events per worker batch', ...e2e.map((f) => f.eventsPerBatch.toFixed(1))],
        [
          'SQS receives (empty) / deletes a call, counted',
          ...e2e.map((f) => `${f.sqs.receives.toFixed(3)} (${f.sqs.empty.toFixed(3)}) / ${f.sqs.deletes.toFixed(3)}`),
        ],
        [
          'write units a call: admit / worker (logs, rollups, ledger, other)',
          ...e2e.map(
            (f) =>
              `${f.admitWriteUnits.toFixed(2)} / ${f.workerWriteUnits.toFixed(2)} (${f.workerUnitsByTable.usageLogs.toFixed(2)}, ${f.workerUnitsByTable.usageAggregates.toFixed(2)}, ${f.workerUnitsByTable.ledger.toFixed(2)}, ${f.workerUnitsByTable.other.toFixed(2)})`,
          ),
        ],
        [
          'calls per log item / stored log bytes a call',
          ...e2e.map((f) => `${f.callsPerLogItem.toFixed(1)} / ${f.storedBytesPerCall.toFixed(0)}`),
        ],
        [
          'gateway ms a call, one at a time (own, upstream wait apart) / worker ms an event (local, one process)',
          ...e2e.map((f) => `${f.gatewayOwnMs.toFixed(2)} / ${f.workerMsPerEvent.toFixed(2)}`),
        ],
        ['upstream wait ms a call (demo echo, local)', ...e2e.map((f) => f.upstreamMs.toFixed(2))],
      ]),
    );

    // What does not depend on the traffic's shape comes from the end-to-end runs: the gateway's own time and log bytes.
    // The gateway's billed time a call, modelled as the worker's is (a local wall time follows this
    // machine's load, not Lambda's: 10 ms on a quiet machine, 31–35 ms at a load of 3–5): its own CPU,
    // measured apart in a process of its own with zero-latency AWS clients and upstream, at its memory's
    // share of a vCPU, plus its round trips one after another — the key lookup when the cache misses,
    // the admit write, the SendMessage.
    const gatewayCpuMs = (overhead.handlerUs / 1000) * Math.max(1, MODEL.lambdaMbPerVcpu / deployed.gatewayMemoryMb);
    const gatewayMsAt = (keyLookups: number) => gatewayCpuMs + MODEL.dynamoRoundTripMs * (keyLookups + 1) + MODEL.sqsSendRoundTripMs;
    /** Warm gateway containers a load keeps busy (at least one): the key cache's, and the lone calls' stores. */
    const gatewayContainersOf = (load: OfferedLoad) => Math.max(1, Math.ceil(totalRate(load) * (gatewayMsAt(0) / 1000) * 4));

    // The matrix through the real store, in the batches the same pollers would form.
    const simulated: { load: OfferedLoad; figures: StoreFigures }[] = [];
    // Each row on a day of its own, so the sweep of one row's hour lists only that row's accounts.
    for (const [i, load] of matrix.entries())
      simulated.push({
        load,
        figures: await simulateLoad(dynamo, load, model, {
          refusedApart: true,
          legacyForm: LEGACY_FORM,
          start: simulatedDay(i),
          gatewayContainers: gatewayContainersOf(load),
        }),
      });
    if (LEGACY_FORM || WINDOW !== undefined)
      console.log(
        `\n(matrix simulated with ${LEGACY_FORM ? 'the earlier form: every admitted call paged' : 'the current form'}, ${describeDelivery(model)})`,
      );

    const loneLogBytes = loneCallMetricsBytes();
    const appLogBytes = mean(e2e.map((f) => f.appLogBytesPerCall));
    const keyLookupsOf = (load: OfferedLoad) => keyLookupsPerCall(load, gatewayMsAt(0), deployed.keyCacheSeconds);
    const inputsOf = (load: OfferedLoad, f: StoreFigures): RowInputs => ({
      admitWriteUnits: 1,
      workerWriteUnits: f.workerWriteUnits,
      workerReadUnits: f.workerReadUnits,
      sweepWriteUnits: f.sweepWriteUnits,
      sweepReadUnits: f.sweepReadUnits,
      keyLookupsPerCall: keyLookupsOf(load),
      storedBytesPerCall: f.storedBytesPerCall,
      workerInvocationsPerCall: f.batches / f.events,
      sqsReceivesPerCall: f.receivesPerCall,
      sqsDeletesPerCall: f.deletesPerCall,
      gatewayMs: gatewayMsAt(keyLookupsOf(load)),
      workerMsPerEvent: f.workerMsPerEvent,
      appLogBytesPerCall: appLogBytes,
      loneShare: f.loneShare,
      loneWriteUnits: f.loneWriteUnits,
      loneReadUnits: f.loneReadUnits,
      // A lone call: its recording's round trips in place of the SendMessage, and the store's CPU for one event (the worker's, taken high).
      loneGatewayMs:
        gatewayMsAt(keyLookupsOf(load)) - MODEL.sqsSendRoundTripMs + f.loneRoundTrips * MODEL.dynamoRoundTripMs + WORKER_CPU_MS_PER_EVENT,
      // A line a minute at most per gateway container, for the lone calls it recorded in it.
      loneLogBytes: loneLogBytes * Math.min(1, gatewayContainersOf(load) / Math.max(1e-9, f.loneShare * totalRate(load) * 60)),
    });
    const rows = simulated.map(({ load, figures }) => {
      const inputs = inputsOf(load, figures);
      const ours = platformCost(inputs, deployed);
      const rest = restUsagePlansCost(inputs, deployed);
      const plain = plainLogItemCost(inputs, deployed);
      return { load, figures, inputs, ours, rest, plain };
    });

    console.log(
      `\n${table([
        [
          'traffic matrix (through the real store)',
          'calls/s',
          'accounts/batch',
          'calls a log item',
          'worker units a call',
          'of which address watch',
          'stored B a call',
          'this platform $/M',
          'REST + usage plans $/M',
          'HTTP API + plain log item $/M',
        ],
        ...rows.map(({ load, figures, ours, rest, plain }) => [
          load.name,
          totalRate(load).toFixed(0),
          figures.accountsPerBatch.toFixed(0),
          figures.callsPerLogItem.toFixed(1),
          figures.workerWriteUnits.toFixed(2),
          figures.addressWatchUnits.toFixed(2),
          figures.storedBytesPerCall.toFixed(0),
          total(ours).toFixed(2),
          total(rest).toFixed(2),
          total(plain).toFixed(2),
        ]),
      ])}`,
    );
    console.log(
      `\n${table([
        ['cost per million calls, this platform (USD)', ...rows.map((r) => r.load.name.replace(/:.*$/, ''))],
        ...rows[0]!.ours.map(([name], i) => [name.replace(/\(.*\)/, '').trim(), ...rows.map((r) => r.ours[i]![1].toFixed(3))]),
        ['total', ...rows.map((r) => total(r.ours).toFixed(2))],
        ['REST API + usage plans + Lambda + DynamoDB counter', ...rows.map((r) => total(r.rest).toFixed(2))],
        ['HTTP API + admit write + one plain log item a call', ...rows.map((r) => total(r.plain).toFixed(2))],
        ['this platform against the plain log item', ...rows.map((r) => `${((total(r.ours) / total(r.plain) - 1) * 100).toFixed(1)} %`)],
      ])}`,
    );

    // The simulation against the end-to-end runs of the same loads.
    const checks = e2e.flatMap((f) => {
      const sim = rows.find((r) => r.load.name === f.name);
      if (!sim) return [];
      const e2eInputs: RowInputs = {
        ...sim.inputs,
        workerWriteUnits: f.workerWriteUnits,
        storedBytesPerCall: f.storedBytesPerCall,
        workerInvocationsPerCall: 1 / f.eventsPerBatch,
        sqsReceivesPerCall: f.sqs.receives,
        sqsDeletesPerCall: f.sqs.deletes,
        keyLookupsPerCall: f.perCall.keyLookups,
      };
      return {
        name: f.name,
        e2e: total(platformCost(e2eInputs, deployed)),
        sim: total(sim.ours),
        e2eUnits: f.workerWriteUnits,
        simUnits: sim.figures.workerWriteUnits,
        e2ePage: f.callsPerLogItem,
        simPage: sim.figures.callsPerLogItem,
        e2eStored: f.storedBytesPerCall,
        simStored: sim.figures.storedBytesPerCall,
        e2eReceives: f.sqs.receives,
        simReceives: sim.figures.receivesPerCall,
      };
    });
    console.log(
      `\n${table([
        [
          'simulation against end to end',
          'worker units a call',
          'calls a log item',
          'stored B a call',
          'receives a call',
          '$/M',
          'difference',
        ],
        ...checks.map((c) => [
          c.name,
          `${c.simUnits.toFixed(2)} / ${c.e2eUnits.toFixed(2)}`,
          `${c.simPage.toFixed(1)} / ${c.e2ePage.toFixed(1)}`,
          `${c.simStored.toFixed(0)} / ${c.e2eStored.toFixed(0)}`,
          `${c.simReceives.toFixed(2)} / ${c.e2eReceives.toFixed(2)}`,
          `${c.sim.toFixed(2)} / ${c.e2e.toFixed(2)}`,
          `${((c.sim / c.e2e - 1) * 100).toFixed(1)} %`,
        ]),
      ])}`,
    );

    const echo = { ms: mean(e2e.map((f) => f.echoMs)), memoryMb: deployed.echoMemoryMb, tracing: deployed.echoTracing };
    const demo = demoProductCost(deployed, echo);
    const fixed = fixedMonthly(fixedChargesOf(prodSynth()));
    const fixedTotal = fixed.reduce((sum, [, usd]) => sum + usd, 0);
    console.log(
      `\n${table([
        ['outside the rows', 'USD'],
        [`upstream wait: each ms the gateway waits for a product, per million calls`, upstreamWaitPerMs(deployed).toFixed(4)],
        ...demo.map(([name, usd]) => [`the demo echo product, per million of its calls: ${name}`, usd.toFixed(3)]),
        ["the demo echo product through the stack's own HTTP API, per million: the product's, not in the rows", total(demo).toFixed(2)],
        ...fixed.map(([name, usd]) => [`fixed monthly: ${name}`, usd.toFixed(2)]),
        ['fixed monthly, total', fixedTotal.toFixed(2)],
        ['calls a month at which the fixed charges fall under $0.10 per million', `${(fixedTotal / 0.1).toFixed(0)} M`],
      ])}`,
    );
    console.log(
      `from the template: gateway ${deployed.gatewayMemoryMb} MB, worker ${deployed.workerMemoryMb} MB, tracing ${deployed.tracing ? 'active' : 'off'}, PITR on usage logs ${deployed.logsPitr ? 'on' : 'off'}, access log line ${deployed.accessLogBytes} B (${deployed.accessLogClass}), CloudWatch Logs kept ${deployed.logRetentionDays} days (stage ${deployed.stage}), usage logs ${deployed.usageLogDays} days`,
    );
    console.log(`prices: bench/prices.ts (${PRICES_AS_OF})`);

    if (MATRIX_FILE) {
      fs.writeFileSync(
        path.join(__dirname, 'results', `${path.basename(MATRIX_FILE)}.json`),
        `${JSON.stringify(
          {
            commit: commitOfTree(),
            loadAverage: { atStart: LOAD_AT_START, atEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
            matrix: matrixFile(rows),
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    const bundles = bundleFigures(runtime.model.functions);
    console.log(
      `\n${table([['function bundle', 'KiB', 'init ms'], ...bundles.map((b) => [b.name, (b.bytes / 1024).toFixed(0), b.initMs.toFixed(0)])])}`,
    );
    const consoleBundle = await consoleFigures();
    console.log(`\n${table(consoleRows(consoleBundle))}`);
    const us = (n: number) => n.toFixed(n < 10 ? 2 : 0);
    console.log(
      `\n${table([
        ['gateway CPU per call, in-process', 'µs'],
        ['bare pass-through handler', us(overhead.bareUs)],
        ['domain logic against zero-latency in-memory ports', us(overhead.domainUs)],
        ['deployed handler: real SDK clients and fetch, zero-latency stub', us(overhead.handlerUs)],
        ['  of which SDK and HTTP layers', us(overhead.sdkAndHttpUs)],
        [
          '  one UpdateItem / one SendMessage / one fetch, each alone',
          `${us(overhead.updateItemUs)} / ${us(overhead.sendMessageUs)} / ${us(overhead.fetchUs)}`,
        ],
      ])}`,
    );

    const oneAccount = rows[0]!;
    const ceiling = await ceilingBench(
      runtime,
      dynamo,
      await funded.account({ plan: SHARDED_PLAN }),
      oneAccount.figures.logPartitionUnitsPerCall,
      deployed,
    );
    console.log(
      `\n${table([
        [
          `per-account ceiling: one \`${SHARDED_PLAN}\` account (${ceiling.shards} balance shards) driven as hard as this machine allows`,
          '',
        ],
        [
          'calls / concurrency / achieved calls a second on this machine (upstream timed out, refunded / gateway timed out)',
          `${ceiling.calls} / ${ceiling.concurrency} / ${ceiling.achievedRate.toFixed(0)} (${ceiling.upstreamFailures} / ${ceiling.gatewayTimeouts})`,
        ],
        [
          'admit writes on the busiest shard, share of calls (least)',
          `${(ceiling.busiestShare * 100).toFixed(1)} % (${(ceiling.leastShare * 100).toFixed(1)} %)`,
        ],
        [
          'refills and retried admit writes per 1,000 calls',
          `${(ceiling.refillsPerCall * 1000).toFixed(1)} / ${(ceiling.extraWritesPerCall * 1000).toFixed(1)}`,
        ],
        ['bound 1, shards: calls/s before the busiest shard takes 1,000 writes/s', ceiling.shardBound.toFixed(0)],
        [
          `bound 2, log partition: 1,000 units/s at ${ceiling.logUnitsPerCall.toFixed(3)} log-table units a call (measured: the ${oneAccount.load.name} row)`,
          ceiling.logBound.toFixed(0),
        ],
        [
          `bound 3, stage throttle: ${deployed.throttleRate} requests/s (prod), 1 request a call (${deployed.throttleRate / 2} with the demo echo through the same API)`,
          String(deployed.throttleRate),
        ],
        ["the plan's own limit, calls a second", (CONTEXT.catalog.plans[SHARDED_PLAN]!.requestsPerMinute / 60).toFixed(0)],
        ['binds first', ceiling.binds],
      ])}`,
    );

    // Comparisons (another form, window or poller count) go to a file of their own; latest.json holds the deployed design.
    if (LEGACY_FORM || WINDOW !== undefined || POLLERS !== undefined || DELIVERY) {
      fs.writeFileSync(
        path.join(
          __dirname,
          'results',
          `matrix-${LEGACY_FORM ? 'legacy' : 'current'}-${model.kind === 'drain' ? `drain-${model.everySeconds}` : `window-${model.windowSeconds}-pollers-${model.pollers}`}.json`,
        ),
        `${JSON.stringify(matrixFile(rows), null, 2)}\n`,
      );
      return;
    }
    writeResults({
      delivery: model,
      receiveRoundTripMs: RECEIVE_ROUND_TRIP_MS,
      endToEnd: e2e.map((f) => ({ ...f, latencies: undefined })),
      endToEndMeasuredAt,
      matrix: rows.map((r) => ({
        load: r.load,
        offeredCallsPerSecond: totalRate(r.load),
        figures: r.figures,
        inputs: r.inputs,
        platform: { lines: Object.fromEntries(r.ours), total: total(r.ours) },
        restUsagePlans: { lines: Object.fromEntries(r.rest), total: total(r.rest) },
        plainLogItem: { lines: Object.fromEntries(r.plain), total: total(r.plain) },
      })),
      simulationCheck: checks,
      outside: {
        upstreamWaitPerMsPerMillion: upstreamWaitPerMs(deployed),
        demoEchoPerMillion: total(demo),
        demoEchoLines: Object.fromEntries(demo),
        fixedMonthly: Object.fromEntries(fixed),
        fixedMonthlyTotal: fixedTotal,
        millionsAMonthForFixedUnder10Cents: fixedTotal / 0.1,
      },
      deployed,
      bundles,
      console: consoleBundle,
      overhead,
      ceiling,
    });
    if (process.env.BENCH_EXPORT !== '0') await exportBench(dynamo);
    const { checks: authorizations, totalMs } = runtime.iam.timing;
    console.log(
      `\nLocal IAM (${runtime.iam.mode}): ${authorizations} authorizations at the local endpoints, ${authorizations ? ((totalMs / authorizations) * 1000).toFixed(0) : 0} µs each on average (decisions cached per caller, action and resource); ${runtime.iam.records.size} distinct decisions`,
    );
  } finally {
    await runtime.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/**
 * Key lookups a call: the gateway caches a key for the template's KEY_CACHE_SECONDS per container. With as many warm containers
 * as the load keeps busy (rate × duration, at least one), a key calling `r` times a second is looked
 * up again when its container has not seen it within the minute.
 */
function keyLookupsPerCall(load: OfferedLoad, gatewayMs: number, cacheSeconds: number): number {
  const rates =
    'perAccountPerMinute' in load.rate
      ? Array.from({ length: load.accounts }, () => (load.rate as { perAccountPerMinute: number }).perAccountPerMinute / 60)
      : zipfRates(load);
  const containers = Math.max(1, Math.ceil(totalRate(load) * (gatewayMs / 1000) * 4));
  const all = rates.reduce((a, b) => a + b, 0);
  return rates.reduce((sum, r) => sum + (r / all) * Math.exp(((-r / load.keysPerAccount) * cacheSeconds) / containers), 0);
}

function zipfRates(load: OfferedLoad): number[] {
  const { zipf, totalPerSecond } = load.rate as { zipf: number; totalPerSecond: number };
  const w = Array.from({ length: load.accounts }, (_, i) => 1 / (i + 1) ** zipf);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (totalPerSecond * x) / sum);
}

/** Accounts and keys made for the bench; refused calls go to two accounts set up to refuse them. */
function fundedAccounts(dynamo: DynamoDBDocumentClient) {
  const account = async (options: { plan?: string; credits?: number; keys?: number } = {}) => {
    const accountId = newId('acc');
    const now = new Date().toISOString();
    await new DynamoDbAccountStore(dynamo, 'accounts').create({
      accountId,
      email: `bench-${accountId}@example.org`,
      name: 'Bench',
      profile: {},
      preferences: DEFAULT_PREFERENCES,
      passwordHash: 'x',
      emailVerified: true,
      plan: options.plan ?? 'pro',
      createdAt: now,
      updatedAt: now,
    });
    const secrets: string[] = [];
    for (let i = 0; i < (options.keys ?? 1); i++) {
      const secret = `omn_live_${randomSecret()}`;
      await new DynamoDbKeyStore(dynamo, 'apiKeys').put({
        keyId: newId('key'),
        secretHash: sha256(secret),
        prefix: secret.slice(0, 13),
        accountId,
        name: `bench ${i}`,
        plan: options.plan ?? 'pro',
        status: 'active',
        createdAt: now,
      });
      secrets.push(secret);
    }
    if (options.credits !== 0)
      await new DynamoDbLedger(dynamo, 'ledger').post(
        accountId,
        { type: 'grant', amountMicro: (options.credits ?? 1e9) * MICRO_PER_CREDIT, reason: 'bench' },
        `grant:bench:${accountId}`,
      );
    return { accountId, secrets };
  };
  return { account };
}

interface E2eFigures {
  name: string;
  calls: number;
  offeredRate: number;
  achievedRate: number;
  late: number;
  statuses: Record<number, number>;
  latencies: number[];
  perCall: { keyLookups: number; meterWrites: number; usageMessages: number; other: number };
  eventsPerBatch: number;
  sqs: { receives: number; empty: number; deletes: number };
  admitWriteUnits: number;
  workerWriteUnits: number;
  workerUnitsByTable: { usageLogs: number; usageAggregates: number; ledger: number; other: number };
  callsPerLogItem: number;
  storedBytesPerCall: number;
  gatewayOwnMs: number;
  upstreamMs: number;
  echoMs: number;
  workerMsPerEvent: number;
  appLogBytesPerCall: number;
}

/**
 * Sends a load's calls through the local HTTP API at their due times (never faster; late calls are
 * counted), waits for the worker to drain the queue, and reads what the local endpoints counted.
 */
async function driveLoad(
  runtime: Runtime,
  dynamo: DynamoDBDocumentClient,
  funded: ReturnType<typeof fundedAccounts>,
  load: OfferedLoad,
): Promise<E2eFigures> {
  const plan = load.accounts === 1 ? 'bench-busy' : 'pro';
  const accounts: { accountId: string; secrets: string[] }[] = [];
  for (let i = 0; i < load.accounts; i++) accounts.push(await funded.account({ plan, keys: load.keysPerAccount }));
  const poor = await funded.account({ credits: 0 });
  const trial = await funded.account({ plan: 'bench-trial' });
  const calls = plannedCalls(load);
  const secretOf = (call: PlannedCall) =>
    call.status === 402 ? poor.secrets[0]! : call.status === 429 ? trial.secrets[0]! : accounts[call.account]!.secrets[call.key]!;
  const statuses: Record<number, number> = {};
  const latencies: number[] = [];
  const send = async (call: PlannedCall) => {
    // 502/504: the demo upstream did not answer in time on a loaded machine — a refunded call, logged like any other, and counted.
    const { status, ms } = await meteredCall(runtime, call.path, secretOf(call), call.userAgent, [200, 402, 429, 502, 504]);
    statuses[status] = (statuses[status] ?? 0) + 1;
    return ms;
  };
  // Functions write their logs to stdout, as Lambda ships them to CloudWatch: kept off the console and counted.
  let appLogBytes = 0;
  const stat = (entry: string) => ({
    ...(runtime.functions.stats.get(meteringFunction(runtime, entry).logicalId) ?? { invocations: 0, totalMs: 0 }),
  });
  const delta = (now: { invocations: number; totalMs: number }, was: { invocations: number; totalMs: number }) => ({
    invocations: now.invocations - was.invocations,
    totalMs: now.totalMs - was.totalMs,
  });
  let sequential = { gateway: { invocations: 0, totalMs: 0 }, echo: { invocations: 0, totalMs: 0 } };
  let late = 0;
  let seconds = 0;
  let before: Map<string, number>;
  let unitsBefore: Map<string, number>;
  let sqsBefore: typeof runtime.sqs.requests;
  let statsBefore: Record<string, { invocations: number; totalMs: number }>;
  await withStdout(
    (chunk) => void (appLogBytes += Buffer.byteLength(chunk)),
    async () => {
      // Warm-up: bundles loaded, every key cached once (a container would have them after its first minute).
      for (const secret of [...accounts.flatMap((a) => a.secrets), poor.secrets[0]!, trial.secrets[0]!]) {
        await meteredCall(runtime, '/v1/api/echo/ping', secret, USER_AGENTS[0]!, [200, 402, 429, 502, 504]);
      }
      await settle(runtime);
      // Durations from calls one at a time: under concurrency, in-process handlers share one thread and
      // their wall time says nothing about a Lambda's billed duration.
      const sequentialFrom = { gateway: stat('gateway'), echo: stat('echo') };
      for (const call of calls.filter((c) => c.status === 200).slice(0, SEQUENTIAL_CALLS)) await send(call);
      sequential = { gateway: delta(stat('gateway'), sequentialFrom.gateway), echo: delta(stat('echo'), sequentialFrom.echo) };
      await settle(runtime);
      appLogBytes = 0;
      for (const key of Object.keys(statuses)) delete statuses[Number(key)];
      before = new Map(runtime.awsCalls());
      unitsBefore = runtime.writeUnits();
      sqsBefore = { ...runtime.sqs.requests };
      statsBefore = { gateway: stat('gateway'), worker: stat('usage-worker'), echo: stat('echo') };
      const started = performance.now();
      const pending: Promise<void>[] = [];
      for (const call of calls) {
        const wait = call.dueAt * 1000 - (performance.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else if (wait < -1000) late++;
        pending.push(send(call).then((ms) => void latencies.push(ms)));
      }
      await Promise.all(pending);
      seconds = (performance.now() - started) / 1000;
      await settle(runtime);
    },
  );
  latencies.sort((a, b) => a - b);
  const n = calls.length;
  const counted = new Map([...runtime.awsCalls()].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
  const sum = (match: (key: string) => boolean) => [...counted].filter(([k]) => match(k)).reduce((t, [, v]) => t + v, 0);
  const units = new Map([...runtime.writeUnits()].map(([k, v]) => [k, v - (unitsBefore.get(k) ?? 0)]));
  const unitsOf = (match: (key: string) => boolean) => [...units].filter(([k]) => match(k)).reduce((t, [, v]) => t + v, 0);
  const admit = unitsOf((k) => k === 'UpdateItem ledger');
  const workerAll = unitsOf((k) => k !== 'UpdateItem ledger' && !/^(PutItem|UpdateItem) (accounts|apiKeys)$/.test(k));
  const byTable = {
    usageLogs: unitsOf((k) => k.endsWith(' usageLogs')),
    usageAggregates: unitsOf((k) => k.endsWith(' usageAggregates')),
    ledger: unitsOf((k) => k.endsWith(' ledger') && k !== 'UpdateItem ledger'),
  };
  const stored = await storedLogs(dynamo, [...accounts.map((a) => a.accountId), poor.accountId, trial.accountId]);
  const worker = stat('usage-worker');
  const invocations = (now: { invocations: number }, was: { invocations: number }) => now.invocations - was.invocations;
  const ms = (now: { totalMs: number }, was: { totalMs: number }) => now.totalMs - was.totalMs;
  const batches = Math.max(1, invocations(worker, statsBefore!.worker));
  const echoMs = sequential.echo.totalMs / Math.max(1, sequential.echo.invocations);
  const gatewayMs = sequential.gateway.totalMs / Math.max(1, sequential.gateway.invocations);
  // The gateway waited for the echo call: the echo Lambda's own time is the product's, priced apart (the local HTTP hop stays in the gateway's).
  const upstreamMs = echoMs;
  const sqs = runtime.sqs.requests;
  return {
    name: load.name,
    calls: n,
    offeredRate: n / load.seconds,
    achievedRate: n / seconds,
    late,
    statuses: { ...statuses },
    latencies,
    perCall: {
      keyLookups: sum((k) => k === 'GetItem apiKeys') / n,
      meterWrites: sum((k) => k === 'UpdateItem ledger') / n,
      usageMessages: sum((k) => k === 'AmazonSQS.SendMessage') / n,
      other:
        sum(
          (k) =>
            !/^(GetItem|Query|BatchGetItem|TransactWriteItems|TransactGetItems|PutItem|UpdateItem|DeleteItem|BatchWriteItem)/.test(k) &&
            !k.startsWith('AmazonSQS.'),
        ) / n,
    },
    eventsPerBatch: n / batches,
    sqs: {
      receives: (sqs.receives - sqsBefore!.receives) / n,
      empty: (sqs.emptyReceives - sqsBefore!.emptyReceives) / n,
      deletes: (sqs.deletes - sqsBefore!.deletes) / n,
    },
    admitWriteUnits: admit / n,
    workerWriteUnits: workerAll / n,
    workerUnitsByTable: {
      usageLogs: byTable.usageLogs / n,
      usageAggregates: byTable.usageAggregates / n,
      ledger: byTable.ledger / n,
      other: (workerAll - byTable.usageLogs - byTable.usageAggregates - byTable.ledger) / n,
    },
    callsPerLogItem: stored.logs / Math.max(1, stored.logItems),
    storedBytesPerCall: stored.bytes / Math.max(1, stored.logs),
    gatewayOwnMs: Math.max(0, gatewayMs - upstreamMs),
    upstreamMs,
    echoMs,
    workerMsPerEvent: ms(worker, statsBefore!.worker) / n,
    appLogBytesPerCall: appLogBytes / n,
  };
}

/** Every stored log item of these accounts: items holding logs, logs, bytes with item overhead, mean upstream wait. */
async function storedLogs(dynamo: DynamoDBDocumentClient, accountIds: string[]) {
  const logs = new DynamoDbUsageLogs(dynamo, 'usageLogs');
  let bytes = 0;
  let logItems = 0;
  let count = 0;
  let upstream = 0;
  let upstreamCalls = 0;
  for (const accountId of accountIds) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: 'usageLogs',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        bytes += itemSize(item) + MODEL.dynamoItemOverheadBytes;
        // Items holding calls (an agent item holds a user agent, not a call: its bytes count, it is no log item).
        if (/^[LM]#/.test(String(item.sk)) && !isAgentKey(String(item.sk))) {
          logItems++;
          count += Number(item.n ?? 1);
        }
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    for await (const log of accountLogs(logs, accountId))
      if (log.upstreamLatencyMs !== undefined) (upstream += log.upstreamLatencyMs), upstreamCalls++;
  }
  return { bytes, logItems, logs: count, upstreamMsMean: upstream / Math.max(1, upstreamCalls) };
}

interface Deployed extends Deployment {
  stage: string;
  /** How the worker gets its events, as the template wires it. */
  delivery: DeliveryModel;
  echoMemoryMb: number;
  echoTracing: boolean;
  throttleRate: number;
  keyCacheSeconds: number;
}

/**
 * Typical values of the access-log variables for a metered call that succeeded, as API Gateway
 * renders them (a missing value is `-`); an unknown variable stops the bench rather than be priced
 * at a guess.
 */
const ACCESS_LOG_SAMPLE: Record<string, string> = {
  '$context.requestId': 'Vq3xTgQ5IAMEb2Q=',
  '$context.requestTime': '25/Nov/2026:19:20:11 +0000',
  '$context.requestTimeEpoch': '1764098411123',
  '$context.httpMethod': 'GET',
  '$context.path': '/v1/api/echo/customers/cus_8f2a91/invoices',
  '$context.routeKey': 'ANY /v1/api/{product}/{proxy+}',
  '$context.status': '200',
  '$context.responseLatency': '31',
  '$context.integrationLatency': '29',
  '$context.responseLength': '412',
  '$context.identity.sourceIp': '203.0.113.10',
  '$context.identity.userAgent': USER_AGENTS[0]!,
  '$context.error.message': '-',
  '$context.integrationErrorMessage': '-',
};

/** A delivery model, in words. */
function describeDelivery(model: DeliveryModel): string {
  return model.kind === 'drain'
    ? `the usage drain every ${model.everySeconds} s, batches of up to ${model.batchSize}, ${model.lanes} receives at once`
    : `${model.pollers} concurrent pollers (${POLLERS === undefined ? 'as Lambda starts them for a mapping' : 'BENCH_POLLERS'}), batch ${model.batchSize}, window ${model.windowSeconds} s`;
}

/** What the cost depends on, read from the synthesized template the local platform runs. */
function deployedSettings(runtime: Runtime): Deployed {
  const gateway = meteringFunction(runtime, 'gateway');
  const worker = meteringFunction(runtime, 'usage-worker');
  const echo = meteringFunction(runtime, 'echo');
  const source = runtime.model.eventSources.find((s) => s.functionId === worker.logicalId);
  const drain = runtime.model.schedules.find((s) => s.functionId === worker.logicalId && s.drainsQueue);
  if (!source && !drain) throw new Error('bench: the usage worker has neither an event source nor a drain schedule in the template');
  const delivery: DeliveryModel = drain
    ? { kind: 'drain', everySeconds: drain.everyMs / 1000, batchSize: Number(worker.environment.DRAIN_BATCH_SIZE), lanes: DRAIN_LANES }
    : {
        pollers: pollersFor(source!, POLLERS),
        batchSize: source!.batchSize,
        windowSeconds: source!.maxBatchingWindowSeconds,
        receiveRoundTripMs: RECEIVE_ROUND_TRIP_MS,
      };
  const resources = Object.values(runtime.model.template.Resources) as { Type: string; Properties?: Record<string, any> }[];
  const logsTable = runtime.model.tables.find((t) => t.name === 'usageLogs' || /UsageLogs/.test(t.logicalId))!;
  const logsResource = runtime.model.template.Resources[logsTable.logicalId] as { Properties?: Record<string, any> };
  const stage = resources.find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
  const destination = stage.Properties?.AccessLogSettings?.DestinationArn as { 'Fn::GetAtt': [string, string] } | undefined;
  if (!destination) throw new Error('bench: the stage has no access-log destination in the template');
  const [accessLogGroupId] = destination['Fn::GetAtt'];
  const accessLogGroup = runtime.model.template.Resources[accessLogGroupId] as { Properties?: Record<string, any> };
  const tracingOf = (id: string) =>
    (runtime.model.template.Resources[id] as { Properties?: Record<string, any> }).Properties?.TracingConfig?.Mode === 'Active';
  const systemLogLevel = (id: string) =>
    (runtime.model.template.Resources[id] as { Properties?: Record<string, any> }).Properties?.LoggingConfig?.SystemLogLevel ?? 'INFO';
  // An access-log line as API Gateway would render it for a metered call that succeeded.
  const format = String(stage.Properties?.AccessLogSettings?.Format ?? '');
  const sample = format.replace(/\$context\.[A-Za-z.]+/g, (v) => {
    const value = ACCESS_LOG_SAMPLE[v];
    if (value === undefined) throw new Error(`bench: no typical value for the access-log variable ${v} (add it to ACCESS_LOG_SAMPLE)`);
    return value;
  });
  // The prod stage's figures, which the bench prices: its log retention and throttle (the local synth is dev's).
  const prod = prodSynth().config;
  // A plain per-call log item of the same calls: the earlier one-call form, key and envelope included.
  const plainItem = {
    pk: 'ACCOUNT#acc_01JD3X7K9QWERTYUIOPASDFGH',
    sk: '2026-11-02T10:00:00.123Z#req_01JD3X7K9QWERTYUIOPASDFGH',
    keyId: 'key_01JD3X7K9QWERTYUIOPASDFGH',
    product: 'echo',
    method: 'GET',
    path: '/customers/cus_8f2a91/invoices',
    status: 200,
    outcome: 'ok',
    priceMicroCredits: 1000,
    latencyMs: 31,
    upstreamLatencyMs: 24,
    requestBytes: 0,
    responseBytes: 412,
    ip: '203.0.113.10',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    expiresAt: 1790000000,
  };
  return {
    stage: 'prod',
    gatewayMemoryMb: gateway.memoryMb,
    workerMemoryMb: worker.memoryMb,
    echoMemoryMb: echo.memoryMb,
    delivery,
    tracing: tracingOf(gateway.logicalId),
    echoTracing: tracingOf(echo.logicalId),
    logsPitr: Boolean(logsResource.Properties?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled),
    accessLogBytes: Buffer.byteLength(sample),
    accessLogClass: accessLogGroup.Properties?.LogGroupClass ?? 'STANDARD',
    platformLinesGateway: systemLogLevel(gateway.logicalId) !== 'WARN',
    platformLinesWorker: systemLogLevel(worker.logicalId) !== 'WARN',
    logRetentionDays: prod.cloudWatchLogRetentionDays,
    usageLogDays: prod.usageLogRetentionDays,
    plainLogItemBytes: itemSize(plainItem),
    throttleRate: prod.api.throttlingRateLimit,
    keyCacheSeconds: Number(gateway.environment.KEY_CACHE_SECONDS ?? 10),
  };
}

/**
 * The prod stage as `cdk deploy -c stage=prod` would synthesize it (without bundling): its config
 * (log retention, throttle) and its template, whose monthly charges differ from the local synth's
 * (the local runtime replaces the stack's own secrets with keys in its data directory).
 */
const prodSynth = (() => {
  let built: { config: StageConfig; template: { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> } };
  return () => {
    if (!built) {
      const { app, stack, config } = buildApp({ context: { stage: 'prod', alarmEmail: 'ops@example.org', 'aws:cdk:bundling-stacks': [] } });
      built = { config, template: app.synth().getStackArtifact(stack.artifactId).template };
    }
    return built;
  };
})();

/** The template's resources that are charged by the month, whatever the traffic. */
function fixedChargesOf({ template, config }: ReturnType<typeof prodSynth>) {
  const resources = Object.values(template.Resources);
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  // Custom metrics: each metric name the code emits (Powertools, one service dimension).
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) for (const m of fs.readFileSync(file, 'utf8').matchAll(/addMetric\(\s*'(\w+)'/g)) names.add(m[1]!);
    }
  };
  walk(path.join(__dirname, '..', 'lambdas'));
  return {
    kmsKeys: count('AWS::KMS::Key'),
    // The stack's own secrets, and the ones it reads that the runbook has the operator create (Stripe; the edge's origin secret when set).
    secrets: count('AWS::SecretsManager::Secret') + [config.stripeSecretName, config.originSecretName].filter(Boolean).length,
    alarms: count('AWS::CloudWatch::Alarm'),
    dashboards: count('AWS::CloudWatch::Dashboard'),
    customMetrics: names.size,
    sqsMappings: count('AWS::Lambda::EventSourceMapping'),
    drains: drainsOf(template),
  };
}

/** The scheduled drains of the template: each function a rule runs that receives from a queue itself, with its period and memory. */
function drainsOf(template: ReturnType<typeof prodSynth>['template']): FixedCharges['drains'] {
  const resources = template.Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::Events::Rule' && /^rate\(/.test(String(r.Properties?.ScheduleExpression)))
    .flatMap((rule) =>
      (rule.Properties!.Targets as { Arn: { 'Fn::GetAtt'?: [string, string] } }[]).flatMap((target) => {
        const fn = resources[target.Arn['Fn::GetAtt']?.[0] ?? ''];
        if (fn?.Properties?.Environment?.Variables?.DRAIN_BATCH_SIZE === undefined) return [];
        const [, n, unit] = /^rate\((\d+) (minutes?|hours?)\)$/.exec(String(rule.Properties!.ScheduleExpression))!;
        return [
          {
            everyMinutes: Number(n) * (unit!.startsWith('hour') ? 60 : 1),
            memoryMb: Number(fn.Properties.MemorySize ?? 128),
            lanes: DRAIN_LANES,
          },
        ];
      }),
    );
}

/** bench/results/latest.json: the figures of this run, machine-readable. */
function writeResults(figures: unknown): void {
  const file = path.join(__dirname, 'results', 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.versions.node,
    // The machine is shared: its load average (1, 5, 15 minutes) when the run started and when it ended.
    loadAverage: { atStart: LOAD_AT_START, atEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
  };
  fs.writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), commit: commitOfTree(), machine, prices: PRICES, pricesAsOf: PRICES_AS_OF, ...(figures as object) }, null, 2)}\n`,
  );
}

const LOAD_AT_START = os.loadavg().map((l) => Number(l.toFixed(2)));

/** The commit the bench ran from, marked when the working tree had changes beside it. */
function commitOfTree(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: path.join(__dirname, '..'), encoding: 'utf8' }).stdout.trim();
  const head = git('rev-parse', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--', '.', ':!bench/results') ? `${head} (with uncommitted changes)` : head;
}

/**
 * Privacy export against the same local store: 10,000 and 100,000 log items of one account, the raw
 * paged Query throughput over them, and the export (data.json + CSV, zipped, streamed) — and the ratio.
 */
async function exportBench(dynamo: DynamoDBDocumentClient): Promise<void> {
  const rows: (string | number)[][] = [['privacy export', 'log items', 'raw Query items/s', 'export items/s', 'export s', 'ratio']];
  const erasures: (string | number)[][] = [
    ['privacy erasure of the logs', 'log items', 'steps', 'longest step s', 'total s', 'items/s', 'raw BatchWrite items/s', 'ratio'],
  ];
  const logs = new DynamoDbUsageLogs(dynamo, 'usageLogs');
  for (const count of [10_000, 100_000]) {
    const accountId = newId('acc');
    const now = Date.now();
    // Seeded as the worker stores them — one page per account and minute, a call a second — by BatchWriteItem: its
    // throughput (in calls) is the raw write speed of this store, for the erasure's ratio.
    const seedStarted = performance.now();
    const byMinute = new Map<string, UsageLog[]>();
    for (let i = 0; i < count; i++) {
      const at = new Date(now - 1000 * i - 60_000).toISOString();
      const log = {
        requestId: `r${i}`,
        keyId: 'key_bench',
        product: 'echo',
        method: 'GET',
        path: `/bench/${i}`,
        status: 200,
        outcome: 'ok' as const,
        priceMicroCredits: 1_000_000,
        latencyMs: 4,
        requestBytes: 0,
        responseBytes: 120,
        ip: '203.0.113.10',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
        at,
      };
      byMinute.set(minuteOf(at), [...(byMinute.get(minuteOf(at)) ?? []), log]);
    }
    const pages = [...byMinute.values()].map((logs, i) => logPageItem(accountId, pageSortKey(newestAt(logs), 1 + i * 60), logs));
    for (let i = 0; i < pages.length; i += 25) {
      let requests = pages.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length) {
        const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { usageLogs: requests } }));
        requests = (result.UnprocessedItems?.usageLogs ?? []) as typeof requests;
      }
    }
    const rawWriteRate = count / ((performance.now() - seedStarted) / 1000);
    const rawStarted = performance.now();
    let read = 0;
    for await (const _ of accountLogs(logs, accountId)) read++;
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const data = new DynamoDbSubjectData(
      dynamo,
      {
        accounts: 'accounts',
        sessions: 'sessions',
        apiKeys: 'apiKeys',
        ledger: 'ledger',
        usageLogs: 'usageLogs',
        usageAggregates: 'usageAggregates',
        privacyRequests: 'privacyRequests',
        securityEvents: 'securityEvents',
        tickets: 'tickets',
        auditEvents: 'auditEvents',
      },
      logs,
    );
    const archive = archiver('zip');
    let bytes = 0;
    const sink = {
      add: (name: string, content: AsyncIterable<string>) => archive.append(Readable.from(content), { name }),
      finish: async () => {
        const out = new Writable({ write: (chunk: Buffer, _e, done) => ((bytes += chunk.length), done()) });
        const finished = new Promise((resolve) => out.on('finish', resolve));
        archive.pipe(out);
        await archive.finalize();
        await finished;
        return { bytes };
      },
    };
    const exportStarted = performance.now();
    const result = await buildExport(
      { requestId: 'prq_bench', accountId, email: 'bench@example.org', type: 'portability' } as PrivacyRequest,
      data,
      sink,
      new Date(),
    );
    const exportSeconds = (performance.now() - exportStarted) / 1000;
    if (read !== count || result.files['usage-logs.csv'] !== count)
      throw new Error(`export bench read ${read} and exported ${result.files['usage-logs.csv']} of ${count}`);
    rows.push([
      `${(bytes / 1024 / 1024).toFixed(1)} MiB zip`,
      count,
      (read / rawSeconds).toFixed(0),
      (count / exportSeconds).toFixed(0),
      exportSeconds.toFixed(1),
      `${(rawSeconds / exportSeconds).toFixed(2)}×`,
    ]);

    // Erasure through the same port, a workflow step (ERASURE_PAGE items) at a time, as the state machine loops it.
    const erasureStarted = performance.now();
    let steps = 0;
    let longest = 0;
    let erased = 0;
    for (let remaining = true; remaining; steps++) {
      const stepStarted = performance.now();
      const page = await logs.erasePage(accountId, ERASURE_PAGE);
      longest = Math.max(longest, (performance.now() - stepStarted) / 1000);
      erased += page.erased;
      remaining = page.remaining;
    }
    const erasureSeconds = (performance.now() - erasureStarted) / 1000;
    if (erased !== count || (await logs.any(accountId))) throw new Error(`erasure bench erased ${erased} of ${count}, or left some`);
    erasures.push([
      '',
      count,
      steps,
      longest.toFixed(2),
      erasureSeconds.toFixed(1),
      (count / erasureSeconds).toFixed(0),
      rawWriteRate.toFixed(0),
      `${(count / erasureSeconds / rawWriteRate).toFixed(2)}×`,
    ]);
  }
  console.log(`\n${table(rows)}`);
  console.log('(ratio = export speed / raw Query speed over the same items: the export reads the logs twice, for data.json and the CSV)');
  console.log(`\n${table(erasures)}`);
  console.log(
    `(one step = one Lambda invocation of the workflow, ${ERASURE_PAGE} items by BatchWriteItem with unprocessed items retried; the function may run 15 minutes)`,
  );
}

/** The default catalog's plan with balance shards. */
const SHARDED_PLAN = 'scale';

/**
 * The per-account ceiling, measured: one account on a sharded plan driven as hard as this machine
 * allows (rising concurrency, keeping the best rate), then how the admit writes spread over its
 * balance items (each shard's `seq` counts the calls it admitted) — and the three limits in the
 * arithmetic: the busiest shard's partition, the account's log partition, the stage's throttle.
 */
async function ceilingBench(
  runtime: Runtime,
  dynamo: DynamoDBDocumentClient,
  account: { accountId: string; secrets: string[] },
  logUnitsPerCall: number,
  deployed: Deployed,
) {
  const shards = CONTEXT.catalog.plans[SHARDED_PLAN]!.balanceShards!;
  const before = new Map(runtime.awsCalls());
  const perStep = Number(process.env.BENCH_CEILING_CALLS ?? 1000);
  let calls = 0;
  let best = { rate: 0, concurrency: 0 };
  /** Calls the demo upstream did not answer in time (refunded): admitted all the same, so counted in the rate. */
  let upstreamFailures = 0;
  let gatewayTimeouts = 0;
  // The functions' own log lines stay off the console, as in the loads.
  await withStdout(
    () => undefined,
    async () => {
      for (const concurrency of [8, 16, 32, 64]) {
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < perStep) {
              // 500: the local gateway function itself timed out (a machine loaded past its timeout); counted, not admitted.
              const { status } = await meteredCall(
                runtime,
                PATHS[next % PATHS.length]!,
                account.secrets[0]!,
                USER_AGENTS[0]!,
                [200, 500, 502, 504],
              );
              if (status === 502 || status === 504) upstreamFailures++;
              else if (status === 500) gatewayTimeouts++;
            }
          }),
        );
        const rate = perStep / ((performance.now() - started) / 1000);
        calls += perStep;
        if (rate > best.rate) best = { rate, concurrency };
        else break;
      }
      await settle(runtime);
    },
  );
  const delta = (key: string) => (runtime.awsCalls().get(key) ?? 0) - (before.get(key) ?? 0);
  const admitted = (await balanceShardItems(dynamo, account.accountId, shards)).map((item) => Number(item?.seq ?? 0));
  const sum = admitted.reduce((a, b) => a + b, 0);
  const busiestShare = Math.max(...admitted) / sum;
  const shardBound = 1000 / busiestShare;
  const logBound = 1000 / Math.max(1e-9, logUnitsPerCall);
  const bounds: [string, number][] = [
    ['the busiest balance shard', shardBound],
    ["the account's log partition", logBound],
    ['the stage throttle', deployed.throttleRate],
  ];
  const [first, at] = bounds.reduce((low, b) => (b[1] < low[1] ? b : low));
  return {
    calls,
    concurrency: best.concurrency,
    achievedRate: best.rate,
    shards,
    admittedPerShard: admitted,
    busiestShare,
    leastShare: Math.min(...admitted) / sum,
    refillsPerCall: delta('TransactWriteItems ledger') / calls,
    extraWritesPerCall: (delta('UpdateItem ledger') - calls) / calls,
    shardBound,
    logUnitsPerCall,
    logBound,
    binds: `${first}, at ~${at.toFixed(0)} calls/s (this machine drove ${best.rate.toFixed(0)})`,
    upstreamFailures,
    gatewayTimeouts,
  };
}

async function balanceShardItems(dynamo: DynamoDBDocumentClient, accountId: string, shards: number) {
  return Promise.all(
    Array.from(
      { length: shards },
      async (_, shard) => (await dynamo.send(new GetCommand({ TableName: 'ledger', Key: balanceShardKey(accountId, shard) }))).Item,
    ),
  );
}

/**
 * One metered call through the local HTTP API, the way a client sends it: its status and how long
 * it took. A status outside `expected` stops the bench (a refused call the load did not plan).
 */
async function meteredCall(runtime: Runtime, callPath: string, secret: string, userAgent: string, expected: number[]) {
  const started = performance.now();
  const response = await fetch(`${runtime.urls.api}${callPath}`, {
    headers: { authorization: `Bearer ${secret}`, 'user-agent': userAgent, accept: 'application/json' },
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (!expected.includes(response.status))
    throw new Error(`metered call answered ${response.status}: ${body.toString('utf8').slice(0, 300)}`);
  return { status: response.status, ms: performance.now() - started };
}

/** Runs `body` with stdout going to `sink`, not the console: the functions write their log lines there, as Lambda ships them to CloudWatch. */
async function withStdout<T>(sink: (chunk: string | Uint8Array) => void, body: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (sink(chunk), true)) as typeof process.stdout.write;
  try {
    return await body();
  } finally {
    process.stdout.write = write;
  }
}

/**
 * The metering function whose handler is `lambdas/metering/handlers/<entry>.ts`, as the template deploys it;
 * `usage-worker` is the usage worker whichever its delivery (the drain's handler, or the event source's).
 */
function meteringFunction(runtime: Runtime, entry: string) {
  const entries = (entry === 'usage-worker' ? ['usage-drain', 'usage-worker'] : [entry]).map((e) => `lambdas/metering/handlers/${e}.ts`);
  const fn = [...runtime.model.functions.values()].find((f) => entries.includes(f.entry));
  if (!fn) throw new Error(`bench: no function for ${entries.join(' or ')} in the template`);
  return fn;
}

/** Every log of an account, page by page through the usage store's port (as the usage API and the export read them). */
async function* accountLogs(logs: DynamoDbUsageLogs, accountId: string): AsyncGenerator<UsageLog> {
  let cursor: string | undefined;
  do {
    const page = await logs.page(accountId, { limit: 500, cursor, now: new Date() });
    yield* page.logs;
    cursor = page.nextCursor;
  } while (cursor);
}

/** Waits until the usage queue is drained, so counts include the worker's writes. */
async function settle(runtime: Awaited<ReturnType<typeof startLocal>>): Promise<void> {
  for (;;) {
    const pending = runtime.model.queues.filter((q) => !/Dlq/.test(q.name)).reduce((n, q) => n + runtime.sqs.peek(q.url).length, 0);
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Each bundle's size, and how long a fresh Node process takes to load it: the module-init part of a cold start. */
function bundleFigures(functions: Map<string, { logicalId: string; entry: string; environment: Record<string, string> }>) {
  return [...functions.values()]
    .filter((fn) => /metering|accounts\/handlers\/(auth-login|keys)|mail|privacy/.test(fn.entry))
    .map((fn) => {
      const file = path.join(DEFAULT_BUNDLE_CACHE, `${fn.logicalId}.js`);
      const script = bundleInitScript(fn.logicalId);
      const result = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...fn.environment }, encoding: 'utf8' });
      const initMs = Number(result.stdout.trim().split('\n').pop() || Number.NaN);
      if (result.status !== 0 || !Number.isFinite(initMs))
        throw new Error(
          `bench: ${fn.entry}'s bundle did not load in a fresh process: ${
            result.stderr
              .trim()
              .split('\n')
              .find((l) => /Error/.test(l)) ?? result.status
          }`,
        );
      return { name: fn.entry.replace(/^lambdas\//, '').replace(/\.ts$/, ''), bytes: fs.statSync(file).size, initMs };
    });
}

/** bench/overhead.ts in a child process: process.cpuUsage there counts the handler alone, not this process's platform. */
function measureOverheadApart(): Overhead {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'overhead.ts'), '--json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bench/overhead.ts failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Overhead;
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
