import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ResourceMap } from '../../local/runtime';

const ROOT = path.resolve(__dirname, '..', '..');

export interface LocalProcess {
  api: string;
  ports: { api: number; smtp: number; dynamodb: number; s3: number; aws: number };
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
  /** Kills the runtime at once (SIGKILL), as a crash would: nothing is flushed or finished. */
  kill: () => Promise<void>;
  /** With `probeWhileStarting`: what GET /health got while the runtime started (a refused connection is left out). */
  whileStarting: { status: number | 'no answer in 15 s'; retryAfter?: string | null; body: string }[];
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** How long `npm start` may take to print its ready line: ~100 s was seen on a loaded 2-core machine. */
const START_TIMEOUT_MS = Number(process.env.E2E_START_TIMEOUT_MS ?? 240_000);
/** What a beforeAll that starts a runtime must allow: the start, and a stop on failure. */
export const SETUP_TIMEOUT_MS = START_TIMEOUT_MS + 30_000;
/** How long a stopped runtime may take to exit before its whole process group is killed. */
const STOP_GRACE_MS = 10_000;

/** Every runtime this test process started and has not seen exit: killed with it, whatever happens. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/** Signals the child's whole process group (tsx and the runtime under it), not just the child. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops a runtime: SIGTERM to its group, SIGKILL if it has not exited after a grace period. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      return resolve();
    }
    const force = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      live.delete(child);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

/** The key sets a runtime generates in a new data folder, shared by the tests' runtimes (see freshDataDir). */
const LOCAL_KEY_SETS = ['pseudonym-keys.json', 'notice-link-keys.json'];
const SHARED_KEYS_DIR = path.join(ROOT, 'node_modules', '.cache', 'omnapi-local', 'e2e-keys');

/**
 * A new, empty data folder — but for the key sets, which every test runtime shares: they are part of
 * the synthesized template, so runtimes with the same settings then synthesize the same template,
 * and all but the first reuse it (local/template-cache.ts).
 */
export function freshDataDir(): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-e2e-'));
  fs.mkdirSync(SHARED_KEYS_DIR, { recursive: true });
  for (const name of LOCAL_KEY_SETS) {
    const shared = path.join(SHARED_KEYS_DIR, name);
    if (!fs.existsSync(shared)) {
      // Written aside and renamed: two test processes racing here each end up with one whole key set.
      const partial = `${shared}.${process.pid}.tmp`;
      fs.writeFileSync(partial, JSON.stringify({ current: 1, k1: randomBytes(32).toString('base64url') }), { mode: 0o600 });
      fs.renameSync(partial, shared);
    }
    fs.copyFileSync(shared, path.join(dataDir, name));
  }
  return dataDir;
}

/**
 * Environment for a runtime whose tests wait for the usage worker but test neither its batching window
 * nor retries: the window (30 s deployed) shrinks to 1.5 s, visibility timeouts stay as deployed.
 */
export const SHORT_BATCHING_WINDOW = { LOCAL_BATCHING_WINDOW_SCALE: '0.05' } as const;

/**
 * scrypt's log2 N for the tests' runtimes (the deployed cost is 17): 2⁴ times cheaper, 28 ms of a core
 * a hash instead of most of a second. Every hash records its cost, so sign-ins verify whatever it was.
 */
const TEST_SCRYPT_LOG_N = '12';

/**
 * Runs `local/start.ts` — what `npm start` runs — as its own process group on free ports, and resolves
 * once it prints its ready line. Whatever goes wrong (timeout, early exit), the group is stopped before
 * the promise rejects, so no runtime outlives the test that started it. Pass `dataDir` to restart on
 * the state of an earlier run. Passwords are hashed at a test cost (`TEST_SCRYPT_LOG_N`) unless
 * `deployedPasswordCost`: the file that tests sign-up and sign-in themselves keeps the deployed one.
 */
export async function startLocalProcess(
  options: { dataDir?: string; env?: Record<string, string>; deployedPasswordCost?: boolean; probeWhileStarting?: boolean } = {},
): Promise<LocalProcess> {
  const dataDir = options.dataDir ?? freshDataDir();
  // Empty is unset (local/start.ts), whatever this process's environment says.
  const env = { LOCAL_SCRYPT_LOG_N: options.deployedPasswordCost ? '' : TEST_SCRYPT_LOG_N, ...options.env };
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(dataDir, env, options.probeWhileStarting === true);
    } catch (error) {
      // Test files run side by side: a port found free may be taken by another's runtime before ours binds it.
      if (attempt === 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startOnFreePorts(dataDir: string, env: Record<string, string>, probe: boolean): Promise<LocalProcess> {
  // On a shared machine a session may be given five ports to use (`E2E_PORT_BASE=4350` takes 4350–4354): the files then run one at a time (`jest -i`).
  const base = Number(process.env.E2E_PORT_BASE) || undefined;
  const ports = base
    ? { api: base, smtp: base + 1, dynamodb: base + 2, s3: base + 3, aws: base + 4 }
    : { api: await freePort(), smtp: await freePort(), dynamodb: await freePort(), s3: await freePort(), aws: await freePort() };
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(ports.api),
      SMTP_PORT: String(ports.smtp),
      DYNAMODB_PORT: String(ports.dynamodb),
      S3_PORT: String(ports.s3),
      LOCAL_AWS_PORT: String(ports.aws),
      OMNAPI_DATA_DIR: dataDir,
      // A test uses a few of the functions: each loads on its first call, as on Lambda, not all before ready.
      LOCAL_WARM_FUNCTIONS: 'off',
      // Each run's IAM decisions, for `npm run iam:unused` after the e2e tests.
      OMNAPI_IAM_REPORT_DIR: process.env.OMNAPI_IAM_REPORT_DIR ?? path.join(ROOT, '.omnapi', 'iam-report'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const whileStarting: LocalProcess['whileStarting'] = [];
  let started = false;
  const probing = (async () => {
    while (probe && !started) {
      try {
        const response = await fetch(`http://localhost:${ports.api}/health`, { signal: AbortSignal.timeout(15_000) });
        whileStarting.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') whileStarting.push({ status: 'no answer in 15 s', body: '' });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`local runtime not ready in ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        if (/OmnAPI local ready at http:\/\/localhost:\d+/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`local runtime exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    started = true;
    await probing;
  }

  return {
    api: `http://localhost:${ports.api}`,
    ports,
    dataDir,
    output: () => output,
    whileStarting,
    stop: () => stopChild(child),
    kill: async () => {
      const exited = new Promise<void>((resolve) =>
        child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
      );
      killGroup(child, 'SIGKILL');
      await exited;
      live.delete(child);
    },
  };
}

/**
 * How long a condition may take to hold: generous, since it only bounds a failing run — a passing one
 * returns as soon as the condition holds — and e2e files share a loaded machine.
 */
const CONDITION_TIMEOUT_MS = 45_000;

/** Polls `check` until it stops throwing. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = CONDITION_TIMEOUT_MS, intervalMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** SDK client settings for the local runtime's services. */
export function localAws(local: LocalProcess) {
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    dynamodb: { endpoint: `http://127.0.0.1:${local.ports.dynamodb}`, region: 'us-east-1', credentials },
    s3: { endpoint: `http://127.0.0.1:${local.ports.s3}`, region: 'us-east-1', credentials, forcePathStyle: true },
    aws: { endpoint: `http://127.0.0.1:${local.ports.aws}`, region: 'us-east-1', credentials },
  };
}

/**
 * The stack's outputs as the runtime resolved them (its resource map, `RESOURCE_MAP_FILE`, which ops commands read):
 * names and URLs the way a deployed stage's tools find them, without synthesizing the app in the test.
 */
export function outputsOf(local: LocalProcess): ResourceMap['outputs'] {
  return (JSON.parse(fs.readFileSync(path.join(local.dataDir, 'resources.json'), 'utf8')) as ResourceMap).outputs;
}

/** The URL of the dead-letter queue a queue redrives to, from the queue's own RedrivePolicy. */
export async function deadLetterQueueOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const target = JSON.parse(Attributes!.RedrivePolicy!).deadLetterTargetArn as string;
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: target.split(':').pop() }))).QueueUrl!;
}

/**
 * Resolves once every queue's consumer has finished what it was given: no message in flight on any
 * queue, and none waiting on a queue a function reads (dead-letter queues may hold what failed). What
 * a handler would have done in reaction to a message is then done — the condition before asserting
 * that something did *not* happen. Pass a longer `timeoutMs` when a message waits for a drain (usage
 * events: its period is a minute as deployed, unless the runtime scales batching windows).
 */
export async function queuesSettled(local: LocalProcess, timeoutMs = CONDITION_TIMEOUT_MS): Promise<void> {
  const sqs = new SQSClient(localAws(local).aws);
  try {
    await eventually(async () => {
      const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
      const queues = await Promise.all(
        urls.map(async (url) => ({
          url,
          ...(await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes,
        })),
      );
      const deadLetterArns = new Set(queues.map((q) => q.RedrivePolicy && JSON.parse(q.RedrivePolicy).deadLetterTargetArn).filter(Boolean));
      const busy = queues.filter(
        (q) =>
          Number(q.ApproximateNumberOfMessagesNotVisible) > 0 ||
          (!deadLetterArns.has(q.QueueArn) && Number(q.ApproximateNumberOfMessages) > 0),
      );
      if (busy.length) throw new Error(`queues still busy: ${busy.map((q) => q.url.split('/').pop()).join(', ')}`);
    }, timeoutMs);
  } finally {
    sqs.destroy();
  }
}

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, e.g. malformed JSON. */
  raw?: string;
  /** A session token, as `Authorization: Bearer`. */
  token?: string;
  /** An API key, as `x-api-key`. */
  key?: string;
  /** Any other request headers. */
  headers?: Record<string, string>;
}

/** One HTTP call to the local API; the answer's body parsed as JSON when there is one. */
export async function callApi(api: string, method: string, path: string, options: CallOptions = {}) {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.key ? { 'x-api-key': options.key } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
