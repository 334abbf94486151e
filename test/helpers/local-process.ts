import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface LocalProcess {
  api: string;
  ports: { api: number; smtp: number; dynamodb: number; s3: number; aws: number };
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
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

/**
 * Runs `local/start.ts` — what `npm start` runs — as its own process on free ports, and resolves
 * once it prints its ready line. Pass `dataDir` to restart on the state of an earlier run.
 */
export async function startLocalProcess(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<LocalProcess> {
  const ports = { api: await freePort(), smtp: await freePort(), dynamodb: await freePort(), s3: await freePort(), aws: await freePort() };
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-e2e-'));
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
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local runtime not ready in 60 s:\n${output}`)), 60_000);
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

  return {
    api: `http://localhost:${ports.api}`,
    ports,
    dataDir,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Polls `check` until it stops throwing. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
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

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, e.g. malformed JSON. */
  raw?: string;
  /** A session token, as `Authorization: Bearer`. */
  token?: string;
  /** An API key, as `x-api-key`. */
  key?: string;
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
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
