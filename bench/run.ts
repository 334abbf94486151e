import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAccountStore, DynamoDbKeyStore } from '../lambdas/accounts/adapters/dynamodb-stores';
import { DEFAULT_PREFERENCES } from '../lambdas/accounts/domain/model';
import { newId, randomSecret, sha256 } from '../lambdas/shared/crypto';
import { DynamoDbLedger } from '../lambdas/billing/adapters/dynamodb-ledger';
import { Readable, Writable } from 'node:stream';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import archiver from 'archiver';
import { DynamoDbSubjectData } from '../lambdas/privacy/adapters/dynamodb-subject-data';
import { buildExport } from '../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../lambdas/privacy/domain/model';
import { DynamoDbUsageLogs } from '../lambdas/shared/adapters/dynamodb-usage-logs';
import { startLocal } from '../local/runtime';
import { PRICES } from './prices';

/**
 * `npm run bench`: drives the metered hot path of the local platform and prints
 *  - latency and throughput (local: dynalite and in-process emulators, so relative, not AWS figures),
 *  - synchronous AWS calls per metered request and asynchronous ones per usage event (counted at the
 *    local AWS endpoints, so they are exact),
 *  - bundle sizes and cold-start module init per function,
 *  - the AWS cost of a million metered calls from those counts and the prices in bench/prices.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const SEQUENTIAL = Number(process.env.BENCH_CALLS ?? 1000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const table = (rows: (string | number)[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ')).join('\n');
};

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-bench-'));
  const runtime = await startLocal({ port: 0, smtpPort: 0, dynamodbPort: 0, s3Port: 0, awsPort: 0, dataDir, log: () => undefined });
  try {
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.urls.dynamodb, region: 'us-east-1' }));
    // A funded account with a key on the pro plan, so neither credit nor the limit cuts the run short.
    const accountId = newId('acc');
    const now = new Date().toISOString();
    await new DynamoDbAccountStore(dynamo, 'accounts').create({
      accountId, email: `bench-${accountId}@example.org`, name: 'Bench', profile: {}, preferences: DEFAULT_PREFERENCES,
      passwordHash: 'x', emailVerified: true, plan: 'pro', createdAt: now, updatedAt: now,
    });
    const secret = `omn_live_${randomSecret()}`;
    await new DynamoDbKeyStore(dynamo, 'apiKeys').put({ keyId: newId('key'), secretHash: sha256(secret), prefix: secret.slice(0, 13), accountId, name: 'bench', plan: 'pro', status: 'active', createdAt: now });
    await new DynamoDbLedger(dynamo, 'ledger').post(accountId, { type: 'grant', amountMicro: 1e15, reason: 'bench' }, 'grant:bench');

    const call = async () => {
      const started = performance.now();
      const response = await fetch(`${runtime.urls.api}/v1/api/echo/bench?n=1`, { headers: { authorization: `Bearer ${secret}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`metered call answered ${response.status}`);
      return performance.now() - started;
    };

    for (let i = 0; i < 50; i++) await call(); // warm-up: bundles loaded, key cached
    await settle(runtime);
    const before = new Map(runtime.awsCalls());
    const statsBefore = new Map([...runtime.functions.stats].map(([k, v]) => [k, { ...v }]));

    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await call());
    sequential.sort((a, b) => a - b);
    // Function durations from the sequential run only: under concurrency, in-process handlers share one thread.
    const statsSequential = new Map([...runtime.functions.stats].map(([k, v]) => [k, { ...v }]));

    const concurrentStarted = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CONCURRENT) await call();
    }));
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
    await settle(runtime);

    const requests = SEQUENTIAL + CONCURRENT;
    const delta = new Map([...runtime.awsCalls()].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
    const per = (match: (key: string) => boolean) => [...delta].filter(([k]) => match(k)).reduce((sum, [, v]) => sum + v, 0) / requests;
    const sync = {
      keyLookups: per((k) => k === 'GetItem apiKeys'),
      meterWrites: per((k) => k === 'UpdateItem ledger'),
      usageMessages: per((k) => k === 'AmazonSQS.SendMessage'),
    };
    const syncOther = per((k) => !['GetItem apiKeys', 'UpdateItem ledger', 'AmazonSQS.SendMessage'].includes(k) && !k.startsWith('TransactWriteItems') && k !== 'GetItem accounts');
    const workerTransactions = per((k) => k.startsWith('TransactWriteItems') && k !== 'TransactWriteItems items');
    const workerItems = per((k) => k === 'TransactWriteItems items');
    const billed = (prefix: string, until: Map<string, { invocations: number; totalMs: number }>) => {
      const id = [...runtime.model.functions.values()].find((fn) => fn.entry === `lambdas/metering/handlers/${prefix}.ts`)!.logicalId;
      const after = until.get(id) ?? { invocations: 0, totalMs: 0 };
      const earlier = statsBefore.get(id) ?? { invocations: 0, totalMs: 0 };
      return { invocations: after.invocations - earlier.invocations, ms: after.totalMs - earlier.totalMs };
    };
    const gatewayBilled = billed('gateway', statsSequential);
    const workerBilled = billed('usage-worker', runtime.functions.stats);

    console.log('\nOmnAPI benchmark — metered hot path on the local platform');
    console.log(`(${os.cpus().length} cores, Node ${process.versions.node}; dynalite and in-process emulators: compare runs, not AWS)\n`);
    console.log(table([
      ['hot path latency (ms)', 'p50', 'p95', 'p99', 'max'],
      [`sequential, ${SEQUENTIAL} calls`, ...[50, 95, 99, 100].map((p) => percentile(sequential, p).toFixed(1))],
    ]));
    console.log(`throughput at concurrency ${CONCURRENCY}: ${(CONCURRENT / concurrentSeconds).toFixed(0)} calls/s (${CONCURRENT} calls in ${concurrentSeconds.toFixed(1)} s)\n`);

    console.log(table([
      ['AWS calls per metered request', 'count'],
      ['key lookups (GetItem, cached 30 s)', sync.keyLookups.toFixed(4)],
      ['conditional admit-and-debit writes (UpdateItem)', sync.meterWrites.toFixed(4)],
      ['usage messages (SQS SendMessage)', sync.usageMessages.toFixed(4)],
      ['any other synchronous call', syncOther.toFixed(4)],
      ['worker transactions per event (async)', workerTransactions.toFixed(4)],
      ['worker transaction items per event (async)', workerItems.toFixed(4)],
      ['worker invocations per event (async)', (workerBilled.invocations / requests).toFixed(4)],
    ]));
    console.log(`gateway function: ${(gatewayBilled.ms / gatewayBilled.invocations).toFixed(2)} ms per call (sequential); worker: ${(workerBilled.ms / requests).toFixed(2)} ms per event`);

    const bundles = bundleFigures(dataDir, runtime.model.functions);
    console.log(`\n${table([['function bundle', 'KiB', 'init ms'], ...bundles.map((b) => [b.name, (b.bytes / 1024).toFixed(0), b.initMs.toFixed(0)])])}`);

    // Cost of one million metered calls, from the counts and durations above. Items under 1 KB cost one
    // write unit; in a transaction, two.
    const gatewayMs = gatewayBilled.ms / gatewayBilled.invocations;
    const workerMsPerEvent = workerBilled.ms / requests;
    const workerInvocations = workerBilled.invocations / requests;
    const millions = 1;
    const wruPerCall = sync.meterWrites * 1 + workerItems * 2;
    const cost = [
      ['API Gateway (HTTP API)', PRICES.apiGatewayHttpPerMillion],
      ['Lambda requests (gateway + worker batches)', PRICES.lambdaRequestPerMillion * (1 + workerInvocations)],
      [`Lambda compute, gateway (1 GB × ${gatewayMs.toFixed(1)} ms)`, PRICES.lambdaArmGbSecond * 1 * (gatewayMs / 1000) * 1e6],
      [`Lambda compute, worker (0.5 GB × ${workerMsPerEvent.toFixed(2)} ms per event)`, PRICES.lambdaArmGbSecond * 0.5 * (workerMsPerEvent / 1000) * 1e6],
      ['DynamoDB writes', PRICES.dynamoWriteUnitPerMillion * wruPerCall],
      ['DynamoDB reads (key lookups)', PRICES.dynamoReadUnitPerMillion * 0.5 * sync.keyLookups],
      ['SQS (send; receive and delete per worker batch)', PRICES.sqsRequestPerMillion * (sync.usageMessages + 2 * workerInvocations)],
      ['CloudWatch Logs (≈600 B of access and function log per call)', PRICES.cloudWatchLogsIngestPerGb * (600 * 1e6) / 1e9],
    ] as [string, number][];
    const total = cost.reduce((sum, [, usd]) => sum + usd, 0) * millions;
    console.log(`\n${table([['cost per million metered calls (USD, us-east-1 list)', 'USD'], ...cost.map(([n, usd]) => [n, usd.toFixed(3)]), ['total', total.toFixed(2)]])}`);
    console.log(`\nprices: bench/prices.ts; DynamoDB write units per call: ${wruPerCall.toFixed(2)}`);
    if (process.env.BENCH_EXPORT !== '0') await exportBench(dynamo);
  } finally {
    await runtime.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Privacy export against the same local store: 10,000 and 100,000 log items of one account, the raw
 * paged Query throughput over them, and the export (data.json + CSV, zipped, streamed) — and the ratio.
 */
async function exportBench(dynamo: DynamoDBDocumentClient): Promise<void> {
  const rows: (string | number)[][] = [['privacy export', 'log items', 'raw Query items/s', 'export items/s', 'export s', 'ratio']];
  const logs = new DynamoDbUsageLogs(dynamo, 'usageLogs');
  for (const count of [10_000, 100_000]) {
    const accountId = newId('acc');
    const now = Date.now();
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => {
        const at = new Date(now - 1000 * (i + j) - 60_000).toISOString();
        return { PutRequest: { Item: { pk: `ACCOUNT#${accountId}`, sk: `${at}#r${i + j}`, requestId: `r${i + j}`, keyId: 'key_bench', product: 'echo', method: 'GET', path: `/bench/${i + j}`, status: 200, outcome: 'ok', priceMicroCredits: 1_000_000, latencyMs: 4, requestBytes: 0, responseBytes: 120, ip: '203.0.113.10', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', at, expiresAt: Math.floor(now / 1000) + 86_400 } } };
      });
      let requests = batch;
      while (requests.length) {
        const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { usageLogs: requests } }));
        requests = (result.UnprocessedItems?.usageLogs ?? []) as typeof batch;
      }
    }
    const rawStarted = performance.now();
    let read = 0;
    let cursor: string | undefined;
    do {
      const page = await logs.page(accountId, { limit: 500, cursor, now: new Date() });
      read += page.logs.length;
      cursor = page.nextCursor;
    } while (cursor);
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const data = new DynamoDbSubjectData(dynamo, { accounts: 'accounts', sessions: 'sessions', apiKeys: 'apiKeys', ledger: 'ledger', usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', privacyRequests: 'privacyRequests', securityEvents: 'securityEvents', tickets: 'tickets' }, logs);
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
  }
  console.log(`\n${table(rows)}`);
  console.log('(ratio = export speed / raw Query speed over the same items: the export reads the logs twice, for data.json and the CSV)');
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

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
