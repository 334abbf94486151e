import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAccountStore, DynamoDbKeyStore } from '../lambdas/accounts/adapters/dynamodb-stores';
import { DEFAULT_PREFERENCES } from '../lambdas/accounts/domain/model';
import { newId, randomSecret, sha256 } from '../lambdas/shared/crypto';
import { DynamoDbLedger } from '../lambdas/billing/adapters/dynamodb-ledger';
import { Readable, Writable } from 'node:stream';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import archiver from 'archiver';
import { DynamoDbSubjectData } from '../lambdas/privacy/adapters/dynamodb-subject-data';
import { ERASURE_PAGE } from '../lambdas/privacy/domain/erasure-steps';
import { buildExport } from '../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../lambdas/privacy/domain/model';
import type { UsageLog } from '../lambdas/shared/usage-logs';
import { DynamoDbUsageLogs, logPageItem, minuteOf, newestAt, pageSortKey } from '../lambdas/shared/adapters/dynamodb-usage-logs';
import { startLocal } from '../local/runtime';
import { type Catalog, DEFAULT_CATALOG } from '../lambdas/metering/catalog';
import { balanceKey, balanceShardKey, MICRO_PER_CREDIT } from '../lambdas/shared/credits';
import { itemSize, writeUnits as writeUnitsOf } from './item-size';
import type { Overhead } from './overhead';
import { MODEL, PRICES, PRICES_AS_OF } from './prices';

/**
 * `npm run bench`: drives the metered hot path of the local platform with two mixes — one account
 * with one key, and 25 accounts with three keys each, browser user agents, realistic paths and a
 * share of 402/429 refusals — and prints for each
 *  - latency and throughput (local: dynalite and in-process emulators, so relative, not AWS figures),
 *  - AWS calls per metered request and per usage event, counted at the local AWS endpoints,
 *  - item sizes and DynamoDB write units per call, from the items actually written,
 *  - the AWS cost of a million calls, with memory, batching, tracing, PITR and log formats read from
 *    the synthesized template and prices from bench/prices.ts, beside the REST-API alternative;
 * then bundle sizes and cold-start init, the gateway's own CPU per call (bench/overhead.ts), and the
 * privacy export.
 */

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Of the calls, how many go one at a time first, for the functions' durations. */
const SEQUENTIAL = Math.min(CALLS, Number(process.env.BENCH_SEQUENTIAL_CALLS ?? 500));
const port = (name: string) => Number(process.env[name] ?? 0);

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'python-requests/2.32.3',
  'axios/1.7.7',
];
const PATHS = ['/v1/api/echo/customers/cus_8f2a91/invoices?limit=20&status=open', '/v1/api/echo/search?q=wireless+noise+cancelling+headphones&page=2', '/v1/api/echo/orders/ord_20261125_004411/items', '/v1/api/echo/ping'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const table = (rows: (string | number)[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ')).join('\n');
};

type Runtime = Awaited<ReturnType<typeof startLocal>>;
interface Caller { accountId: string; secret: string; weight: number }
interface Mix { name: string; accounts: string[]; callers: Caller[] }

/**
 * The bench runs with one extra plan, `bench-trial` (30 calls a minute), beside the stage's own, so
 * a share of calls meets the rate limit; nothing else of the catalog changes.
 */
const CONTEXT: { catalog: Catalog } = { catalog: { ...DEFAULT_CATALOG, plans: { ...DEFAULT_CATALOG.plans, 'bench-trial': { requestsPerMinute: 30 } } } };

async function main(): Promise<void> {
  // First, before the platform runs in this process: the gateway's own CPU, in a process of its own.
  const overhead = measureOverheadApart();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-bench-'));
  const runtime = await startLocal({
    port: port('PORT'), smtpPort: port('SMTP_PORT'), dynamodbPort: port('DYNAMODB_PORT'), s3Port: port('S3_PORT'), awsPort: port('LOCAL_AWS_PORT'),
    dataDir, context: CONTEXT, log: () => undefined,
  });
  try {
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.urls.dynamodb, region: 'us-east-1' }));
    const funded = async (options: { plan?: string; credits?: number; keys?: number } = {}) => {
      const accountId = newId('acc');
      const now = new Date().toISOString();
      await new DynamoDbAccountStore(dynamo, 'accounts').create({
        accountId, email: `bench-${accountId}@example.org`, name: 'Bench', profile: {}, preferences: DEFAULT_PREFERENCES,
        passwordHash: 'x', emailVerified: true, plan: options.plan ?? 'pro', createdAt: now, updatedAt: now,
      });
      const secrets: string[] = [];
      for (let i = 0; i < (options.keys ?? 1); i++) {
        const secret = `omn_live_${randomSecret()}`;
        await new DynamoDbKeyStore(dynamo, 'apiKeys').put({ keyId: newId('key'), secretHash: sha256(secret), prefix: secret.slice(0, 13), accountId, name: `bench ${i}`, plan: options.plan ?? 'pro', status: 'active', createdAt: now });
        secrets.push(secret);
      }
      await new DynamoDbLedger(dynamo, 'ledger').post(accountId, { type: 'grant', amountMicro: (options.credits ?? 1e9) * MICRO_PER_CREDIT, reason: 'bench' }, `grant:bench:${accountId}`);
      return { accountId, secrets };
    };

    const one = await funded();
    const mixes: Mix[] = [{ name: '1 account, 1 key', accounts: [one.accountId], callers: [{ ...one, secret: one.secrets[0]!, weight: 1 }] }];
    // 25 accounts: 23 funded on pro with three keys each; one nearly out of credit (402s); one on
    // the 30-a-minute plan (429s). About 2 % of calls go to each of the last two.
    const many: Caller[] = [];
    const manyAccounts: string[] = [];
    for (let a = 0; a < 23; a++) {
      const account = await funded({ keys: 3 });
      manyAccounts.push(account.accountId);
      for (const secret of account.secrets) many.push({ accountId: account.accountId, secret, weight: 96 / 69 });
    }
    const poor = await funded({ credits: 15 });
    const trial = await funded({ plan: 'bench-trial' });
    manyAccounts.push(poor.accountId, trial.accountId);
    many.push({ ...poor, secret: poor.secrets[0]!, weight: 2 }, { ...trial, secret: trial.secrets[0]!, weight: 2 });
    mixes.push({ name: '25 accounts, 3 keys each', accounts: manyAccounts, callers: many });

    const results: MixFigures[] = [];
    for (const mix of mixes) results.push(await driveMix(runtime, dynamo, mix));

    console.log('\nOmnAPI benchmark — metered hot path on the local platform');
    console.log(`(${os.cpus().length} cores, Node ${process.versions.node}; dynalite and in-process emulators: compare runs, not AWS)\n`);
    const column = (label: string, of: (f: MixFigures) => string | number) => [label, ...results.map(of)];
    const header = ['', ...results.map((r) => r.name)];
    console.log(table([
      header,
      column('calls (200 / 402 / 429)', (f) => `${f.statuses[200] ?? 0} / ${f.statuses[402] ?? 0} / ${f.statuses[429] ?? 0}`),
      column(`latency p50 / p95 / p99 ms (concurrency ${CONCURRENCY})`, (f) => [50, 95, 99].map((p) => percentile(f.latencies, p).toFixed(1)).join(' / ')),
      column('throughput, calls/s', (f) => f.throughput.toFixed(0)),
      column('key lookups per call (GetItem, cached)', (f) => f.perCall.keyLookups.toFixed(4)),
      column('admit-and-debit writes per call (UpdateItem)', (f) => f.perCall.meterWrites.toFixed(4)),
      column('usage messages per call (SendMessage)', (f) => f.perCall.usageMessages.toFixed(4)),
      column('other synchronous calls per call', (f) => f.perCall.other.toFixed(4)),
      column('usage events per worker invocation', (f) => f.eventsPerInvocation.toFixed(1)),
      column('worker transaction items per event', (f) => f.perEvent.transactionItems.toFixed(3)),
      column('  log page puts / seq-block updates / aggregate updates / ledger', (f) => `${f.perEvent.logPuts.toFixed(3)} / ${f.perEvent.seqUpdates.toFixed(3)} / ${f.perEvent.aggregateUpdates.toFixed(3)} / ${f.perEvent.ledgerItems.toFixed(3)}`),
      column('worker reads per event', (f) => f.perEvent.reads.toFixed(3)),
      column('calls per log page (mean)', (f) => f.sizes.logsPerPage.toFixed(1)),
      column('log page bytes (mean / max)', (f) => `${f.sizes.pageMean.toFixed(0)} / ${f.sizes.pageMax}`),
      column('seq block bytes (mean)', (f) => f.sizes.seqMean.toFixed(0)),
      column('stored log bytes per call (with item overhead)', (f) => f.sizes.storedPerCall.toFixed(1)),
      column('aggregate item bytes (mean)', (f) => f.sizes.aggregateMean.toFixed(0)),
      column('DynamoDB write units per call', (f) => f.writeUnitsPerCall.toFixed(2)),
      column('gateway ms per call / worker ms per event', (f) => `${f.gatewayMs.toFixed(2)} / ${f.workerMsPerEvent.toFixed(2)}`),
      column('function log bytes per call (application)', (f) => f.appLogBytesPerCall.toFixed(0)),
    ]));

    const deployed = deployedSettings(runtime);
    const costs = results.map((f) => costPerMillion(f, deployed, overhead.handlerUs / 1000));
    console.log(`\n${table([
      ['cost per million calls (USD)', ...results.map((r) => r.name)],
      ...costs[0]!.map(([name], i) => [name, ...costs.map((c) => c[i]![1].toFixed(3))]),
      ['total', ...costs.map((c) => c.reduce((sum, [, usd]) => sum + usd, 0).toFixed(2))],
      ['alternative: API Gateway REST + usage plans, before any compute', ...results.map(() => PRICES.apiGatewayRestPerMillion.toFixed(2))],
    ])}`);
    console.log(`\nfrom the template: gateway ${deployed.gatewayMemoryMb} MB, worker ${deployed.workerMemoryMb} MB, batch ${deployed.batchSize} / window ${deployed.batchWindowSeconds} s, tracing ${deployed.tracing ? 'active' : 'off'}, PITR on usage logs ${deployed.logsPitr ? 'on' : 'off'}, access log line ${deployed.accessLogBytes} B`);
    console.log(`prices: bench/prices.ts (${PRICES_AS_OF}); storage counts each call's log item for the 90 days it is kept`);

    const bundles = bundleFigures(dataDir, runtime.model.functions);
    console.log(`\n${table([['function bundle', 'KiB', 'init ms'], ...bundles.map((b) => [b.name, (b.bytes / 1024).toFixed(0), b.initMs.toFixed(0)])])}`);
    const us = (n: number) => n.toFixed(n < 10 ? 2 : 0);
    console.log(`\n${table([
      ['gateway CPU per call, in-process', 'µs'],
      ['bare pass-through handler', us(overhead.bareUs)],
      ['domain logic against zero-latency in-memory ports', us(overhead.domainUs)],
      ['deployed handler: real SDK clients and fetch, zero-latency stub', us(overhead.handlerUs)],
      ['  of which SDK and HTTP layers', us(overhead.sdkAndHttpUs)],
      ['  one UpdateItem / one SendMessage / one fetch, each alone', `${us(overhead.updateItemUs)} / ${us(overhead.sendMessageUs)} / ${us(overhead.fetchUs)}`],
    ])}`);
    const ceiling = await ceilingBench(runtime, dynamo, await funded({ plan: SHARDED_PLAN }));
    console.log(`\n${table([
      ['per-account ceiling (one partition takes 1,000 write units a second)', `1 balance item (${'pro'})`, `${ceiling.shards} shards (${SHARDED_PLAN})`],
      ['admit writes on the busiest balance item, share of calls', '100 %', `${(ceiling.busiestShare * 100).toFixed(1)} % (least ${(ceiling.leastShare * 100).toFixed(1)} %)`],
      ['refills (balance item → shard) and retried writes per 1,000 calls', '0 / 0', `${(ceiling.refillsPerCall * 1000).toFixed(1)} / ${(ceiling.extraWritesPerCall * 1000).toFixed(1)}`],
      ['calls a second before the busiest balance item reaches 1,000 writes/s', '1000', ceiling.callsPerSecond.toFixed(0)],
      ["the plan's own limit, calls a second", String(Math.round((CONTEXT.catalog.plans.pro!.requestsPerMinute) / 60)), String(Math.round(CONTEXT.catalog.plans[SHARDED_PLAN]!.requestsPerMinute / 60))],
    ])}`);
    console.log(`(${ceiling.calls} calls of one account at concurrency ${CONCURRENCY}; the log side needs ~0.07 units a call: see the one-account mix)`);
    writeResults({ mixes: results.map((f, i) => ({ ...f, latencies: undefined, costPerMillion: Object.fromEntries(costs[i]!), totalPerMillion: costs[i]!.reduce((sum, [, usd]) => sum + usd, 0) })), deployed, bundles, overhead, ceiling });
    if (process.env.BENCH_EXPORT !== '0') await exportBench(dynamo);
    const { checks, totalMs } = runtime.iam.timing;
    console.log(`\nLocal IAM (${runtime.iam.mode}): ${checks} authorizations at the local endpoints, ${checks ? ((totalMs / checks) * 1000).toFixed(0) : 0} µs each on average (decisions cached per caller, action and resource); ${runtime.iam.records.size} distinct decisions`);
  } finally {
    await runtime.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface MixFigures {
  name: string;
  calls: number;
  statuses: Record<number, number>;
  latencies: number[];
  throughput: number;
  perCall: { keyLookups: number; meterWrites: number; usageMessages: number; other: number };
  eventsPerInvocation: number;
  perEvent: { transactionItems: number; logPuts: number; seqUpdates: number; aggregateUpdates: number; ledgerItems: number; reads: number };
  sizes: { pageMean: number; pageMax: number; logsPerPage: number; seqMean: number; storedPerCall: number; aggregateMean: number; balance: number };
  writeUnitsPerCall: number;
  gatewayMs: number;
  workerMsPerEvent: number;
  appLogBytesPerCall: number;
}

/** Drives one mix at the configured concurrency, then reads back what it wrote. */
async function driveMix(runtime: Runtime, dynamo: DynamoDBDocumentClient, mix: Mix): Promise<MixFigures> {
  const statuses: Record<number, number> = {};
  const totalWeight = mix.callers.reduce((sum, c) => sum + c.weight, 0);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = () => {
    let r = random() * totalWeight;
    for (const caller of mix.callers) if ((r -= caller.weight) <= 0) return caller;
    return mix.callers[mix.callers.length - 1]!;
  };
  const call = async (caller: Caller) => {
    const started = performance.now();
    const response = await fetch(`${runtime.urls.api}${PATHS[Math.floor(random() * PATHS.length)]}`, {
      headers: { authorization: `Bearer ${caller.secret}`, 'user-agent': USER_AGENTS[Math.floor(random() * USER_AGENTS.length)]!, accept: 'application/json' },
    });
    await response.arrayBuffer();
    if (![200, 402, 429].includes(response.status)) throw new Error(`metered call answered ${response.status}`);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    return performance.now() - started;
  };

  // Functions write their logs to stdout, as Lambda ships them to CloudWatch: kept off the console
  // for the whole mix and counted during the measured part.
  let appLogBytes = 0;
  let counting = false;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => ((appLogBytes += counting ? Buffer.byteLength(chunk) : 0), true)) as typeof process.stdout.write;
  const latencies: number[] = [];
  let seconds = 0;
  let before: Map<string, number>;
  let statsBefore: Map<string, { invocations: number; totalMs: number }>;
  let statsSequential: Map<string, { invocations: number; totalMs: number }>;
  try {
    for (const caller of mix.callers) await call(caller); // warm-up: bundles loaded, every key cached
    await settle(runtime);
    for (const key of Object.keys(statuses)) delete statuses[Number(key)];
    before = new Map(runtime.awsCalls());
    statsBefore = new Map([...runtime.functions.stats].map(([k, v]) => [k, { ...v }]));
    counting = true;
    // Function durations from a sequential part: under concurrency, in-process handlers share one
    // thread and their wall time says nothing about a Lambda's billed duration.
    for (let i = 0; i < SEQUENTIAL; i++) await call(pick());
    statsSequential = new Map([...runtime.functions.stats].map(([k, v]) => [k, { ...v }]));
    const started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS - SEQUENTIAL) latencies.push(await call(pick()));
    }));
    seconds = (performance.now() - started) / 1000;
    await settle(runtime);
  } finally {
    process.stdout.write = write;
  }
  latencies.sort((a, b) => a - b);

  const delta = new Map([...runtime.awsCalls()].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
  const sum = (match: (key: string) => boolean) => [...delta].filter(([k]) => match(k)).reduce((total, [, v]) => total + v, 0);
  const sync = { keyLookups: sum((k) => k === 'GetItem apiKeys'), meterWrites: sum((k) => k === 'UpdateItem ledger'), usageMessages: sum((k) => k === 'AmazonSQS.SendMessage') };
  const events = sync.usageMessages;
  const logPuts = sum((k) => k === 'TransactWriteItems items Put usageLogs');
  const seqUpdates = sum((k) => k === 'TransactWriteItems items Update usageLogs');
  const aggregateUpdates = sum((k) => k === 'TransactWriteItems items Update usageAggregates');
  const ledgerItems = sum((k) => /^TransactWriteItems items \w+ ledger$/.test(k));
  const reads = sum((k) => /^(GetItem|Query|BatchGetItem) /.test(k) && k !== 'GetItem apiKeys');
  const other = sum((k) => !/^(GetItem|Query|BatchGetItem|TransactWriteItems) /.test(k) && !['UpdateItem ledger', 'AmazonSQS.SendMessage'].includes(k) && !k.startsWith('AmazonSQS.') && !k.startsWith('TransactWriteItems'));

  // Sizes of what was written: every log item of the mix's accounts, their aggregates and balances.
  const pageSizes: number[] = [];
  const seqSizes: number[] = [];
  let logsHeld = 0;
  const aggregateSizes: number[] = [];
  const balanceSizes: number[] = [];
  for (const accountId of mix.accounts) {
    for (const [tableName, pk, into] of [['usageLogs', `ACCOUNT#${accountId}`, pageSizes], ['usageAggregates', `ACCOUNT#${accountId}#H`, aggregateSizes], ['usageAggregates', `ACCOUNT#${accountId}#D`, aggregateSizes]] as const) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey }));
        for (const item of page.Items ?? []) {
          if (tableName === 'usageLogs' && String(item.sk).startsWith('SEQ#')) seqSizes.push(itemSize(item));
          else into.push(itemSize(item));
          if (tableName === 'usageLogs' && String(item.sk).startsWith('L#')) logsHeld += Number(item.n);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    const { Item } = await dynamo.send(new GetCommand({ TableName: 'ledger', Key: balanceKey(accountId) }));
    if (Item) balanceSizes.push(itemSize(Item));
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const total = (values: number[]) => values.reduce((sum, v) => sum + v, 0);
  const sizes = {
    pageMean: mean(pageSizes),
    pageMax: Math.max(...pageSizes),
    logsPerPage: logsHeld / Math.max(1, pageSizes.length),
    seqMean: mean(seqSizes),
    // What 90 days of storage and PITR are paid on: pages, seq blocks and DynamoDB's per-item overhead, per call logged.
    storedPerCall: (total(pageSizes) + total(seqSizes) + MODEL.dynamoItemOverheadBytes * (pageSizes.length + seqSizes.length)) / Math.max(1, logsHeld),
    aggregateMean: mean(aggregateSizes),
    balance: mean(balanceSizes),
  };
  // Write units: each page put at its measured size and each seq-block update at the block's final size
  // (an update pays for the larger of the item before and after), doubled in the transaction; the admit
  // write at the balance item's size (a refused conditional write still costs one unit).
  const writeUnits = sync.meterWrites * writeUnitsOf(sizes.balance, false)
    + pageSizes.reduce((sum, size) => sum + writeUnitsOf(size, true), 0) * (logPuts / Math.max(1, pageSizes.length))
    + seqUpdates * writeUnitsOf(sizes.seqMean, true)
    + aggregateUpdates * writeUnitsOf(sizes.aggregateMean, true)
    + ledgerItems * writeUnitsOf(sizes.balance, true);

  const billed = (entry: string, until: Map<string, { invocations: number; totalMs: number }>) => {
    const id = [...runtime.model.functions.values()].find((fn) => fn.entry === `lambdas/metering/handlers/${entry}.ts`)!.logicalId;
    const after = until.get(id) ?? { invocations: 0, totalMs: 0 };
    const earlier = statsBefore.get(id) ?? { invocations: 0, totalMs: 0 };
    return { invocations: after.invocations - earlier.invocations, ms: after.totalMs - earlier.totalMs };
  };
  const gateway = billed('gateway', statsSequential);
  const worker = billed('usage-worker', runtime.functions.stats);
  return {
    name: mix.name,
    calls: CALLS,
    statuses: { ...statuses },
    latencies,
    throughput: (CALLS - SEQUENTIAL) / seconds,
    perCall: { keyLookups: sync.keyLookups / CALLS, meterWrites: sync.meterWrites / CALLS, usageMessages: sync.usageMessages / CALLS, other: other / CALLS },
    eventsPerInvocation: events / Math.max(1, worker.invocations),
    perEvent: { transactionItems: (logPuts + seqUpdates + aggregateUpdates + ledgerItems) / events, logPuts: logPuts / events, seqUpdates: seqUpdates / events, aggregateUpdates: aggregateUpdates / events, ledgerItems: ledgerItems / events, reads: reads / events },
    sizes,
    writeUnitsPerCall: writeUnits / CALLS,
    gatewayMs: gateway.ms / Math.max(1, gateway.invocations),
    workerMsPerEvent: worker.ms / Math.max(1, events),
    appLogBytesPerCall: appLogBytes / CALLS,
  };
}

interface Deployed {
  gatewayMemoryMb: number;
  workerMemoryMb: number;
  batchSize: number;
  batchWindowSeconds: number;
  tracing: boolean;
  logsPitr: boolean;
  accessLogBytes: number;
  /** Lambda sends its START and REPORT lines only at system log level INFO or DEBUG. */
  platformLinesGateway: boolean;
  platformLinesWorker: boolean;
}

/** What the cost depends on, read from the synthesized template the local platform runs. */
function deployedSettings(runtime: Runtime): Deployed {
  const fn = (entry: string) => [...runtime.model.functions.values()].find((f) => f.entry === `lambdas/metering/handlers/${entry}.ts`)!;
  const gateway = fn('gateway');
  const worker = fn('usage-worker');
  const source = runtime.model.eventSources.find((s) => s.functionId === worker.logicalId)!;
  const resources = Object.values(runtime.model.template.Resources) as { Type: string; Properties?: Record<string, any> }[];
  const lambda = runtime.model.template.Resources[gateway.logicalId] as { Properties?: Record<string, any> } | undefined;
  const logsTable = runtime.model.tables.find((t) => t.name === 'usageLogs' || /UsageLogs/.test(t.logicalId))!;
  const logsResource = runtime.model.template.Resources[logsTable.logicalId] as { Properties?: Record<string, any> };
  const stage = resources.find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
  const systemLogLevel = (id: string) => (runtime.model.template.Resources[id] as { Properties?: Record<string, any> }).Properties?.LoggingConfig?.SystemLogLevel ?? 'INFO';
  // An access-log line as API Gateway would render it: every $context variable given a typical value.
  const format = String(stage.Properties?.AccessLogSettings?.Format ?? '');
  const sample = format.replace(/\$context\.[A-Za-z.]+/g, (v) => (/Time$/.test(v) ? '25/Nov/2026:19:20:11 +0000' : /[Ll]atency|status|Length/.test(v) ? '123' : /requestId/.test(v) ? 'Vq3xTgQ5IAMEb2Q=' : /ip$/i.test(v) ? '203.0.113.10' : /userAgent/.test(v) ? USER_AGENTS[0]! : /path/.test(v) ? PATHS[0]! : 'GET /v1/api/{proxy+}'));
  return {
    gatewayMemoryMb: gateway.memoryMb,
    workerMemoryMb: worker.memoryMb,
    batchSize: source.batchSize,
    batchWindowSeconds: source.maxBatchingWindowSeconds,
    tracing: lambda?.Properties?.TracingConfig?.Mode === 'Active',
    logsPitr: Boolean(logsResource.Properties?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled),
    accessLogBytes: Buffer.byteLength(sample),
    platformLinesGateway: systemLogLevel(gateway.logicalId) !== 'WARN',
    platformLinesWorker: systemLogLevel(worker.logicalId) !== 'WARN',
  };
}

/** The cost of a million calls of a mix, line by line. */
function costPerMillion(f: MixFigures, d: Deployed, cpuMsPerCall: number): [string, number][] {
  const M = 1e6;
  const workerInvocations = 1 / Math.max(1, f.eventsPerInvocation); // per call: every call is one usage event
  const gb = (mb: number) => mb / 1024;
  const logBytes = f.sizes.storedPerCall;
  const monthsKept = 90 / 30;
  // SQS: one send per call; the poller receives and deletes in requests of at most 10 messages.
  const sqsPerCall = f.perCall.usageMessages + workerInvocations * 2 * Math.ceil(Math.min(f.eventsPerInvocation, d.batchSize) / 10);
  const platformBytes = MODEL.lambdaPlatformLogBytesPerInvocation * ((d.platformLinesGateway ? 1 : 0) + (d.platformLinesWorker ? workerInvocations : 0));
  const logBytesPerCall = f.appLogBytesPerCall + platformBytes + d.accessLogBytes;
  // Lambda gives a function CPU in proportion to its memory (one vCPU at 1,769 MB): the gateway's own CPU
  // per call, measured here on a whole core, takes that much longer at the template's memory.
  const gatewayMs = f.gatewayMs + cpuMsPerCall * Math.max(0, MODEL.lambdaMbPerVcpu / d.gatewayMemoryMb - 1);
  return [
    ['API Gateway (HTTP API)', PRICES.apiGatewayHttpPerMillion],
    ['Lambda requests (gateway + worker batches)', PRICES.lambdaRequestPerMillion * (1 + workerInvocations)],
    [`Lambda compute, gateway (${d.gatewayMemoryMb} MB × ${gatewayMs.toFixed(1)} ms, CPU scaled to its share)`, PRICES.lambdaArmGbSecond * gb(d.gatewayMemoryMb) * (gatewayMs / 1000) * M],
    [`Lambda compute, worker (${d.workerMemoryMb} MB × ${f.workerMsPerEvent.toFixed(2)} ms per event)`, PRICES.lambdaArmGbSecond * gb(d.workerMemoryMb) * (f.workerMsPerEvent / 1000) * M],
    [`DynamoDB writes (${f.writeUnitsPerCall.toFixed(2)} units per call, measured)`, PRICES.dynamoWriteUnitPerMillion * f.writeUnitsPerCall],
    ['DynamoDB reads (key lookups, worker reads)', PRICES.dynamoReadUnitPerMillion * 0.5 * (f.perCall.keyLookups + f.perEvent.reads)],
    [`DynamoDB storage, logs kept 90 days (${logBytes.toFixed(0)} B a call)`, PRICES.dynamoStoragePerGbMonth * ((logBytes * M) / 1e9) * monthsKept],
    [`PITR on usage logs (${d.logsPitr ? 'on' : 'off'})`, d.logsPitr ? PRICES.dynamoPitrPerGbMonth * ((logBytes * M) / 1e9) * monthsKept : 0],
    ['SQS (send; receive and delete per batch)', PRICES.sqsRequestPerMillion * sqsPerCall],
    [`X-Ray (${d.tracing ? 'default sampling, 5 %' : 'off'}; gateway + worker)`, d.tracing ? PRICES.xrayTracesRecordedPerMillion * MODEL.xrayDefaultSampledShare * (1 + workerInvocations) : 0],
    [`CloudWatch Logs (${logBytesPerCall.toFixed(0)} B per call: access, platform, application)`, (PRICES.cloudWatchLogsIngestPerGb + PRICES.cloudWatchLogsStoragePerGbMonth) * ((logBytesPerCall * M) / 1e9)],
  ];
}

/** bench/results/latest.json: the figures of this run, machine-readable. */
function writeResults(figures: unknown): void {
  const file = path.join(__dirname, 'results', 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.versions.node }, calls: CALLS, concurrency: CONCURRENCY, prices: PRICES, pricesAsOf: PRICES_AS_OF, ...(figures as object) }, null, 2)}\n`);
}

/**
 * Privacy export against the same local store: 10,000 and 100,000 log items of one account, the raw
 * paged Query throughput over them, and the export (data.json + CSV, zipped, streamed) — and the ratio.
 */
async function exportBench(dynamo: DynamoDBDocumentClient): Promise<void> {
  const rows: (string | number)[][] = [['privacy export', 'log items', 'raw Query items/s', 'export items/s', 'export s', 'ratio']];
  const erasures: (string | number)[][] = [['privacy erasure of the logs', 'log items', 'steps', 'longest step s', 'total s', 'items/s', 'raw BatchWrite items/s', 'ratio']];
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
      const log = { requestId: `r${i}`, keyId: 'key_bench', product: 'echo', method: 'GET', path: `/bench/${i}`, status: 200, outcome: 'ok' as const, priceMicroCredits: 1_000_000, latencyMs: 4, requestBytes: 0, responseBytes: 120, ip: '203.0.113.10', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', at };
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
    let cursor: string | undefined;
    do {
      const page = await logs.page(accountId, { limit: 500, cursor, now: new Date() });
      read += page.logs.length;
      cursor = page.nextCursor;
    } while (cursor);
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const data = new DynamoDbSubjectData(dynamo, { accounts: 'accounts', sessions: 'sessions', apiKeys: 'apiKeys', ledger: 'ledger', usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', privacyRequests: 'privacyRequests', securityEvents: 'securityEvents', tickets: 'tickets', auditEvents: 'auditEvents' }, logs);
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
    const result = await buildExport({ requestId: 'prq_bench', accountId, email: 'bench@example.org', type: 'portability' } as PrivacyRequest, data, sink, new Date());
    const exportSeconds = (performance.now() - exportStarted) / 1000;
    if (read !== count || result.files['usage-logs.csv'] !== count) throw new Error(`export bench read ${read} and exported ${result.files['usage-logs.csv']} of ${count}`);
    rows.push([`${(bytes / 1024 / 1024).toFixed(1)} MiB zip`, count, (read / rawSeconds).toFixed(0), (count / exportSeconds).toFixed(0), exportSeconds.toFixed(1), `${(rawSeconds / exportSeconds).toFixed(2)}×`]);

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
    erasures.push(['', count, steps, longest.toFixed(2), erasureSeconds.toFixed(1), (count / erasureSeconds).toFixed(0), rawWriteRate.toFixed(0), `${(count / erasureSeconds / rawWriteRate).toFixed(2)}×`]);
  }
  console.log(`\n${table(rows)}`);
  console.log('(ratio = export speed / raw Query speed over the same items: the export reads the logs twice, for data.json and the CSV)');
  console.log(`\n${table(erasures)}`);
  console.log(`(one step = one Lambda invocation of the workflow, ${ERASURE_PAGE} items by BatchWriteItem with unprocessed items retried; the function may run 15 minutes)`);
}

/** The default catalog's plan with balance shards. */
const SHARDED_PLAN = 'scale';

/**
 * The per-account ceiling on a sharded plan, measured: calls of one account, then how the admit
 * writes spread over its balance items (each shard's `seq` counts the calls it admitted) and how
 * many refills and retried writes the spreading cost.
 */
async function ceilingBench(runtime: Runtime, dynamo: DynamoDBDocumentClient, account: { accountId: string; secrets: string[] }) {
  const calls = Math.min(CALLS, 2000);
  const shards = CONTEXT.catalog.plans[SHARDED_PLAN]!.balanceShards!;
  const before = new Map(runtime.awsCalls());
  let next = 0;
  // The functions' own log lines stay off the console, as in the mixes.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < calls) {
        const response = await fetch(`${runtime.urls.api}${PATHS[next % PATHS.length]}`, { headers: { authorization: `Bearer ${account.secrets[0]}`, 'user-agent': USER_AGENTS[0]! } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`sharded call answered ${response.status}`);
      }
    }));
    await settle(runtime);
  } finally {
    process.stdout.write = write;
  }
  const delta = (key: string) => (runtime.awsCalls().get(key) ?? 0) - (before.get(key) ?? 0);
  const admitted = (await balanceShardItems(dynamo, account.accountId, shards)).map((item) => Number(item?.seq ?? 0));
  const total = admitted.reduce((a, b) => a + b, 0);
  const busiestShare = Math.max(...admitted) / total;
  return {
    calls,
    shards,
    admittedPerShard: admitted,
    busiestShare,
    leastShare: Math.min(...admitted) / total,
    refillsPerCall: delta('TransactWriteItems ledger') / calls,
    extraWritesPerCall: (delta('UpdateItem ledger') - calls) / calls,
    callsPerSecond: 1000 / busiestShare,
  };
}

async function balanceShardItems(dynamo: DynamoDBDocumentClient, accountId: string, shards: number) {
  return Promise.all(Array.from({ length: shards }, async (_, shard) => (await dynamo.send(new GetCommand({ TableName: 'ledger', Key: balanceShardKey(accountId, shard) }))).Item));
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
function bundleFigures(dataDir: string, functions: Map<string, { logicalId: string; entry: string; environment: Record<string, string> }>) {
  return [...functions.values()]
    .filter((fn) => /metering|accounts\/handlers\/(auth-login|keys)|mail/.test(fn.entry))
    .map((fn) => {
      const file = path.join(dataDir, 'build', `${fn.logicalId}.js`);
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
      const result = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...fn.environment }, encoding: 'utf8' });
      return { name: fn.entry.replace(/^lambdas\//, '').replace(/\.ts$/, ''), bytes: fs.statSync(file).size, initMs: Number(result.stdout.trim().split('\n').pop()) };
    });
}

/** bench/overhead.ts in a child process: process.cpuUsage there counts the handler alone, not this process's platform. */
function measureOverheadApart(): Overhead {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'overhead.ts'), '--json'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench/overhead.ts failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Overhead;
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
