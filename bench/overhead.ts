import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { DEFAULT_CATALOG } from '../lambdas/metering/catalog';
import { Gateway } from '../lambdas/metering/domain/gateway';
import { randomSecret } from '../lambdas/shared/crypto';

/**
 * The gateway's own CPU per call, in-process, with nothing to wait for:
 *  - a bare pass-through handler (the floor of any handler),
 *  - the gateway's domain logic against zero-latency in-memory ports,
 *  - the deployed handler with its real SDK clients and fetch, against a stub that answers DynamoDB,
 *    SQS and the upstream at once — from another process, so only the handler's CPU is counted.
 * The difference between the last two is what the SDK and HTTP layers cost per call.
 */
export interface Overhead {
  bareUs: number;
  domainUs: number;
  handlerUs: number;
  sdkAndHttpUs: number;
  /** Each outside call alone, CPU per call: the admit UpdateItem, the SendMessage, the upstream fetch. */
  updateItemUs: number;
  sendMessageUs: number;
  fetchUs: number;
}

const SECRET = `omn_live_${randomSecret()}`;

/** CPU microseconds per call of `call`, after a warm-up. */
async function cpuPerCall(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(500, calls); i++) await call(i);
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

/** A zero-latency stand-in for DynamoDB (GetItem, UpdateItem), SQS (SendMessage) and the upstream, in a child process. */
const STUB = `
const http = require('node:http');
const { createHash } = require('node:crypto');
const json = (res, body) => { res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }); res.end(JSON.stringify(body)); };
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const target = req.headers['x-amz-target'] || '';
    if (target.endsWith('.GetItem')) return json(res, { Item: { accountId: { S: 'acc_bench' }, keyId: { S: 'key_bench' }, plan: { S: 'pro' }, status: { S: 'active' } } });
    // The balance item as the admit write found it (ALL_OLD): the account called a moment ago, so the call is queued, not a lone call.
    if (target.endsWith('.UpdateItem')) return json(res, { Attributes: { balance: { N: '1000000000000' }, seq: { N: '1' }, lastCallAt: { S: new Date().toISOString() }, ['w' + Math.floor(Date.now() / 60000)]: { N: '1' } } });
    if (target.endsWith('.SendMessage')) {
      const body = JSON.parse(Buffer.concat(chunks).toString()).MessageBody;
      return json(res, { MessageId: 'm', MD5OfMessageBody: createHash('md5').update(body).digest('hex') });
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/**
 * The gateway's handler as deployed: one esbuild bundle, loaded on its own (middy 7 loads only as an
 * ES module, which a bundle resolves and `tsx` run as CommonJS cannot).
 */
async function deployedGateway(): Promise<unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-bench-'));
  const outfile = path.join(dir, 'gateway.js');
  try {
    await build({
      entryPoints: [path.join(__dirname, '../lambdas/metering/handlers/gateway.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      outfile,
      logLevel: 'silent',
    });
    return require(outfile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureOverhead(calls = 2000): Promise<Overhead> {
  const stub = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      stub.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      stub.once('exit', (code) => reject(new Error(`the stub exited with ${code}`)));
    });
    const endpoint = `http://127.0.0.1:${port}`;

    const bare = async (event: { body?: string }) => ({ statusCode: 200, body: event.body ?? '' });
    const bareUs = await cpuPerCall(calls * 10, () => bare({ body: 'x' }));

    const resolved = { accountId: 'acc_bench', keyId: 'key_bench', plan: 'pro', status: 'active' as const };
    const gateway = new Gateway({
      keys: { resolve: async () => resolved },
      meter: {
        admit: async ({ now }) => ({
          admitted: true,
          balanceMicro: 1e12,
          noticeArmed: true,
          used: 1,
          resetAt: Math.floor(now.getTime() / 60_000 + 1) * 60,
          seq: 1,
        }),
      },
      upstream: {
        forward: async () => ({
          kind: 'response',
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from('{"ok":true}'),
        }),
      },
      usage: { publish: async () => undefined },
      catalog: DEFAULT_CATALOG,
      upstreamBase: () => 'https://upstream.example',
      now: () => new Date(),
      onUnqueuedEvent: () => undefined,
    });
    const request = (i: number) => ({
      requestId: `req_${i}`,
      secret: SECRET,
      product: 'echo',
      path: 'customers/cus_1/invoices',
      rawPath: '/v1/api/echo/customers/cus_1/invoices',
      method: 'GET',
      rawQuery: 'limit=20',
      headers: { 'user-agent': 'bench' },
      body: undefined,
      ip: '203.0.113.10',
      userAgent: 'bench',
      receivedAt: new Date(),
    });
    const probe = await gateway.handle(request(0));
    if (probe.status !== 200) throw new Error(`the gateway's domain answered ${probe.status} with in-memory ports`);
    const domainUs = await cpuPerCall(calls * 5, (i) => gateway.handle(request(i)));

    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_SQS: endpoint,
      TABLE_API_KEYS: 'apiKeys',
      TABLE_LEDGER: 'ledger',
      TABLE_USAGE_LOGS: 'usageLogs',
      TABLE_ACCOUNTS: 'accounts',
      QUEUE_USAGE_URL: `${endpoint}/000000000000/usage`,
      CATALOG: JSON.stringify(DEFAULT_CATALOG),
      BUILTIN_ECHO_URL: `${endpoint}/v1/demo/echo`,
      KEY_CACHE_SECONDS: '60',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    const { handler } = (await deployedGateway()) as {
      handler: (event: APIGatewayProxyEventV2, context: unknown) => Promise<{ statusCode: number }>;
    };
    const context = { functionName: 'gateway', awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 };
    const event = (i: number) =>
      ({
        version: '2.0',
        routeKey: 'ANY /v1/api/{product}/{proxy+}',
        rawPath: '/v1/api/echo/customers/cus_1/invoices',
        rawQueryString: 'limit=20',
        headers: { authorization: `Bearer ${SECRET}`, 'user-agent': 'bench' },
        pathParameters: { product: 'echo', proxy: 'customers/cus_1/invoices' },
        requestContext: {
          requestId: `req_${i}`,
          timeEpoch: Date.now(),
          http: {
            method: 'GET',
            path: '/v1/api/echo/customers/cus_1/invoices',
            protocol: 'HTTP/1.1',
            sourceIp: '203.0.113.10',
            userAgent: 'bench',
          },
        },
        isBase64Encoded: false,
      }) as unknown as APIGatewayProxyEventV2;
    const first = await handler(event(0), context);
    if (first.statusCode !== 200) throw new Error(`the gateway answered ${first.statusCode} against the stub`);
    // Measured twice, the second kept: the first run still pays for JIT and connection warm-up.
    await cpuPerCall(calls, (i) => handler(event(i), context));
    const handlerUs = await cpuPerCall(calls, (i) => handler(event(i), context));

    const { documentClient, newDynamoDbClient, newSqsClient } =
      require('../lambdas/shared/clients/factories') as typeof import('../lambdas/shared/clients/factories');
    const { UpdateCommand } = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
    const { SendMessageCommand } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    const dynamo = documentClient(newDynamoDbClient());
    const sqs = newSqsClient();
    const updateItemUs = await cpuPerCall(calls, () =>
      dynamo.send(
        new UpdateCommand({
          TableName: 'ledger',
          Key: { pk: 'ACCOUNT#acc_bench', sk: 'BALANCE' },
          UpdateExpression: 'SET balance = balance - :p',
          ExpressionAttributeValues: { ':p': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const body = JSON.stringify({
      v: 1,
      requestId: 'req',
      accountId: 'acc_bench',
      path: '/customers/cus_1/invoices',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
    });
    const sendMessageUs = await cpuPerCall(calls, () =>
      sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/usage`, MessageBody: body })),
    );
    const fetchUs = await cpuPerCall(calls, async () => (await fetch(`${endpoint}/v1/demo/echo/x`)).arrayBuffer());
    return { bareUs, domainUs, handlerUs, sdkAndHttpUs: handlerUs - domainUs, updateItemUs, sendMessageUs, fetchUs };
  } finally {
    stub.kill();
  }
}

if (require.main === module) {
  measureOverhead().then((o) => console.log(process.argv.includes('--json') ? JSON.stringify(o) : o));
}
