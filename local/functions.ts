import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../lib/constructs/omnapi-function';
import type { LocalFunction } from './assembly';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  constructor(name: string, seconds: number) {
    super(`Task timed out after ${seconds} seconds (${name})`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * Runs the app's Lambda handlers in this process. Each function is bundled on its own with esbuild,
 * as `cdk deploy` bundles it, so each has its own module instances — its own clients, config and
 * bindings read from its own environment — just as separate Lambda functions do.
 */
export class LocalFunctions {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private bundled?: Promise<void>;
  /** Invocations and their total duration per function, as Lambda would bill them. */
  readonly stats = new Map<string, { invocations: number; totalMs: number }>();

  constructor(
    private readonly functions: Map<string, LocalFunction>,
    private readonly buildDir: string,
  ) {}

  get(functionId: string): LocalFunction {
    const fn = this.functions.get(functionId);
    if (!fn) throw new Error(`No function ${functionId}`);
    return fn;
  }

  /**
   * Invokes a function as Lambda would, synchronously: its environment applied, a Context with the
   * remaining time, and its configured timeout enforced. Throws what the handler throws.
   */
  async invoke(functionId: string, event: unknown): Promise<unknown> {
    const fn = this.get(functionId);
    applyEnvironment(fn);
    const handler = await this.load(fn);
    applyEnvironment(fn);
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = lambdaContext(fn, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeoutError(fn.name, fn.timeoutSeconds)), fn.timeoutSeconds * 1000);
    });
    const started = performance.now();
    try {
      return await Promise.race([handler(event, context), timeout]);
    } finally {
      clearTimeout(timer);
      const stats = this.stats.get(functionId) ?? { invocations: 0, totalMs: 0 };
      this.stats.set(functionId, { invocations: stats.invocations + 1, totalMs: stats.totalMs + performance.now() - started });
    }
  }

  /** Bundles and loads every handler now, so the first request does not pay for it. */
  async warm(): Promise<void> {
    for (const fn of this.functions.values()) {
      applyEnvironment(fn);
      await this.load(fn);
    }
  }

  /** One esbuild run for all functions; each entry becomes a self-contained bundle. */
  private bundleAll(): Promise<void> {
    this.bundled ??= build({
      entryPoints: Object.fromEntries([...this.functions.values()].map((fn) => [fn.logicalId, path.join(PROJECT_ROOT, fn.entry)])),
      outdir: this.buildDir,
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      mainFields: ['module', 'main'],
      // As cdk deploy bundles them: minified, with source maps beside them.
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
    }).then(() => undefined);
    return this.bundled;
  }

  private load(fn: LocalFunction): Promise<Handler> {
    let handler = this.loaded.get(fn.logicalId);
    if (!handler) {
      handler = this.bundleAll().then(() => {
        const file = path.join(this.buildDir, `${fn.logicalId}.js`);
        const module = createRequire(file)(file) as Record<string, unknown>;
        const exported = module[fn.handlerExport];
        if (typeof exported !== 'function') throw new Error(`${fn.entry} exports no ${fn.handlerExport}`);
        return exported as Handler;
      });
      this.loaded.set(fn.logicalId, handler);
    }
    return handler;
  }
}

/** The function's own variables win; config modules read them at import (cold start). */
function applyEnvironment(fn: LocalFunction): void {
  Object.assign(process.env, fn.environment, {
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
  });
}

function lambdaContext(fn: LocalFunction, deadline: number): Context {
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
