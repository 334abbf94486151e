import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { build, type Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../lib/template-keys';
import type { LocalFunction } from './assembly';
import { withBuildLock } from './build-lock';
import { LOCAL_REGION } from './intrinsics';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  constructor(name: string, seconds: number) {
    super(`Task timed out after ${seconds} seconds (${name})`);
    this.name = 'FunctionTimeoutError';
  }
}

/** Where bundles are kept between starts: shared by every data folder, reused while their inputs are unchanged. */
export const DEFAULT_BUNDLE_CACHE = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'omnapi-local', 'bundles');

/** The secret half of every function's local credentials: the access key id (its role) is what names the caller. */
export const FUNCTION_SECRET_KEY = 'omnapi-local-function';

/**
 * The global each bundle asks, when it loads, for the `process` it should see. A bundle declares its own
 * `process` (see BANNER), so `process.env` inside it is the function's own environment and nothing else.
 */
const PROCESS_HOOK = '__omnapiLambdaProcess';
/** Shadows `process` for everything bundled in the file; outside the local runtime, the real one. */
const BANNER = `var process=globalThis.${PROCESS_HOOK}?.(__filename)??globalThis.process;`;
/** Changes when the bundling options change, so old bundles are not reused. */
const BUNDLE_OPTIONS_VERSION = 'v3';

/** `import process from 'node:process'` in a dependency gets the bundle's own process too. */
const shadowProcessImport: Plugin = {
  name: 'omnapi-shadow-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?process$/ }, () => ({ path: 'process', namespace: 'omnapi-process' }));
    b.onLoad({ filter: /.*/, namespace: 'omnapi-process' }, () => ({ contents: 'module.exports = process;', loader: 'js' }));
  },
};

/**
 * The global each bundle asks, when it loads, for the X-Ray SDK's context store (cls-hooked). On Lambda
 * a process loads one bundle, so one copy of the SDK creates one namespace and installs one async hook.
 * Here every function of the app shares one process, and each bundle's own copy would install one
 * more: every promise, timer and socket of every function would run a hook per bundle loaded (28
 * hooks with the app's functions: about half of this process's CPU on the metered path, measured). The bundles share
 * one cls-hooked instead, whose `createNamespace` hands back the namespace a first bundle made: one
 * hook, as in each Lambda process. X-Ray is off outside Lambda (no segment is ever recorded here), so
 * what the namespace holds is never read.
 */
export const CLS_HOOK = '__omnapiClsHooked';

/** `cls-hooked` (and `cls-hooked/context`, which the X-Ray SDK requires) in a bundle is the runtime's one instance. */
const shareClsHooked: Plugin = {
  name: 'omnapi-share-cls-hooked',
  setup(b) {
    b.onResolve({ filter: /^cls-hooked(\/context)?$/ }, () => ({ path: 'cls-hooked', namespace: 'omnapi-cls-hooked' }));
    b.onLoad({ filter: /.*/, namespace: 'omnapi-cls-hooked' }, () => ({
      contents: `module.exports = globalThis.${CLS_HOOK};`,
      loader: 'js',
    }));
  },
};

interface ClsHooked {
  getNamespace(name: string): unknown;
  createNamespace(name: string): unknown;
}

/** The cls-hooked the bundles' X-Ray SDK would load, resolved as esbuild resolves it: the tracer's X-Ray SDK, then its cls-hooked. */
export function clsHookedPath(): string {
  const from = (file: string, request: string) => createRequire(file).resolve(request);
  const tracer = from(path.join(PROJECT_ROOT, 'package.json'), '@aws-lambda-powertools/tracer');
  return from(from(tracer, 'aws-xray-sdk-core'), 'cls-hooked/context');
}

/** This process's cls-hooked, the one the X-Ray SDK depends on, with a namespace made at most once per name. */
function sharedClsHooked(): ClsHooked {
  const hooks = globalThis as unknown as Record<string, ClsHooked | undefined>;
  if (!hooks[CLS_HOOK]) {
    const cls = createRequire(path.join(PROJECT_ROOT, 'package.json'))(clsHookedPath()) as ClsHooked;
    hooks[CLS_HOOK] = { ...cls, createNamespace: (name) => cls.getNamespace(name) ?? cls.createNamespace(name) };
  }
  return hooks[CLS_HOOK];
}

export interface LocalFunctionsOptions {
  /** Bundles live and are reused here. @default DEFAULT_BUNDLE_CACHE */
  cacheDir?: string;
  /** Local service endpoints: the stand-ins for the regional endpoints Lambda code reaches. */
  endpoints?: Record<string, string>;
  /** Variables from the runtime's own environment passed to every function (e.g. POWERTOOLS_LOG_LEVEL in tests). */
  passThrough?: Record<string, string>;
  /** Role logical id of each function: its local access key id. */
  roleOf?: (fn: LocalFunction) => string | undefined;
  progress?: (line: string) => void;
  /** Invocations each function runs at once; the rest wait their turn. @default DEFAULT_FUNCTION_CONCURRENCY */
  concurrency?: number;
}

/**
 * Invocations one local function runs at once. Lambda gives each concurrent invocation an environment
 * of its own, so a burst does not slow any of them; here every invocation shares one process, and a
 * burst of 600 made each take 600 times its CPU and every one of them time out (a 500 no deployed
 * function would give). Past this many, an invocation waits for a free environment, and its timeout
 * starts when it runs, as Lambda's does; the burst takes as long as the machine needs, none fails for it.
 */
export const DEFAULT_FUNCTION_CONCURRENCY = 8;

/** Checks a caller may invoke a function (a Lambda permission or the caller's role); throws when not. */
export type InvokeAuthorizer = (fn: LocalFunction, caller: InvokeCaller) => Promise<void>;
/** Who invokes: a service principal with the ARN it acts for, or a role's access key id. */
export interface InvokeCaller {
  principal: string;
  sourceArn?: string;
}

/**
 * Runs the app's Lambda handlers in this process. Each function is bundled on its own with esbuild,
 * as `cdk deploy` bundles it, so each has its own module instances — its own clients, config and
 * bindings — and its own `process.env`: exactly its template environment plus what Lambda sets,
 * with its role's logical id as its access key, never a variable of another function or the runtime.
 */
export class LocalFunctions {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private bundled?: Promise<void>;
  private readonly cacheDir: string;
  /** Invocations and their total duration per function, as Lambda would bill them. */
  readonly stats = new Map<string, { invocations: number; totalMs: number }>();
  /** The environment each function sees, by logical id. */
  readonly environments = new Map<string, Record<string, string>>();
  /** Each function's environments: how many are running an invocation, and the invocations waiting for one. */
  private readonly environmentsInUse = new Map<string, { running: number; waiting: (() => void)[] }>();
  authorizeInvoke?: InvokeAuthorizer;

  constructor(
    private readonly functions: Map<string, LocalFunction>,
    private readonly options: LocalFunctionsOptions = {},
  ) {
    this.cacheDir = options.cacheDir ?? DEFAULT_BUNDLE_CACHE;
    for (const fn of functions.values()) this.environments.set(fn.logicalId, lambdaEnvironment(fn, options));
  }

  get(functionId: string): LocalFunction {
    const fn = this.functions.get(functionId);
    if (!fn) throw new Error(`No function ${functionId}`);
    return fn;
  }

  /**
   * Invokes a function as Lambda would, synchronously: a Context with the remaining time, and its
   * configured timeout enforced. With a caller, its right to invoke is checked first. Throws what the
   * handler throws.
   */
  async invoke(functionId: string, event: unknown, caller?: InvokeCaller): Promise<unknown> {
    const fn = this.get(functionId);
    if (caller && this.authorizeInvoke) await this.authorizeInvoke(fn, caller);
    const handler = await this.load(fn);
    const release = await this.environmentFor(fn.logicalId);
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
      release();
      const stats = this.stats.get(functionId) ?? { invocations: 0, totalMs: 0 };
      this.stats.set(functionId, { invocations: stats.invocations + 1, totalMs: stats.totalMs + performance.now() - started });
    }
  }

  /** Waits for one of the function's environments to be free and takes it; the returned function gives it back. */
  private async environmentFor(functionId: string): Promise<() => void> {
    const limit = this.options.concurrency ?? DEFAULT_FUNCTION_CONCURRENCY;
    let use = this.environmentsInUse.get(functionId);
    if (!use) this.environmentsInUse.set(functionId, (use = { running: 0, waiting: [] }));
    const inUse = use;
    if (inUse.running >= limit) await new Promise<void>((resolve) => inUse.waiting.push(resolve));
    else inUse.running++;
    // A finished invocation hands its environment straight to the next in line, so the count stays at the limit.
    return () => {
      const next = inUse.waiting.shift();
      if (next) next();
      else inUse.running--;
    };
  }

  /** Bundles (or reuses) and loads every handler now, so the first request does not pay for it. */
  async warm(): Promise<void> {
    await this.bundleAll();
    const all = [...this.functions.values()];
    const started = performance.now();
    for (const [index, fn] of all.entries()) {
      await this.load(fn);
      if ((index + 1) % 10 === 0 || index + 1 === all.length) this.options.progress?.(`loaded ${index + 1} of ${all.length} functions`);
    }
    this.options.progress?.(`functions loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Bundles (or reuses) every handler without loading any: each then loads on its first call, its cold start, as on Lambda. */
  bundle(): Promise<void> {
    return this.bundleAll();
  }

  /** Loads one function's module (its cold start) with its own environment; rejects with what the module throws. */
  coldStart(functionId: string): Promise<unknown> {
    return this.load(this.get(functionId));
  }

  /** Rebuilds only the bundles whose inputs changed since they were built; one esbuild run for those. */
  private bundleAll(): Promise<void> {
    this.bundled ??= (async () => {
      const progress = this.options.progress ?? (() => undefined);
      fs.mkdirSync(this.cacheDir, { recursive: true });
      const all = [...this.functions.values()];
      this.copyBesideBundles(all);
      if (all.every((fn) => this.isFresh(fn))) return progress(`reused all ${all.length} bundles (inputs unchanged)`);
      // One runtime builds, those started beside it wait and reuse its bundles (e2e files start theirs at once).
      await withBuildLock(
        path.join(this.cacheDir, '.lock'),
        () => this.build(all, progress),
        () => progress('waiting for the bundles another runtime is building…'),
      );
    })();
    return this.bundled;
  }

  /** One esbuild run for the functions whose bundles are stale, checked again now that this runtime holds the lock. */
  private async build(all: LocalFunction[], progress: (line: string) => void): Promise<void> {
    const stale = all.filter((fn) => !this.isFresh(fn));
    if (stale.length === 0) return progress(`reused all ${all.length} bundles (built by another runtime meanwhile)`);
    progress(`bundling ${stale.length} of ${all.length} functions (${all.length - stale.length} reused)…`);
    const started = performance.now();
    const result = await build({
      entryPoints: Object.fromEntries(stale.map((fn) => [fn.logicalId, path.join(PROJECT_ROOT, fn.entry)])),
      outdir: this.cacheDir,
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      mainFields: ['module', 'main'],
      // As cdk deploy bundles them: minified, with source maps beside them.
      minify: true,
      charset: 'utf8',
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
      banner: { js: BANNER },
      plugins: [shadowProcessImport, shareClsHooked],
      metafile: true,
      write: false,
      absWorkingDir: PROJECT_ROOT,
    });
    // Written under temporary names and renamed: another runtime reading the cache never sees half a bundle.
    for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
    for (const fn of stale) {
      const output = result.metafile.outputs[path.relative(PROJECT_ROOT, path.join(this.cacheDir, `${fn.logicalId}.js`))];
      const inputs = Object.keys(output?.inputs ?? {}).filter((input) => !/^omnapi-(process|cls-hooked):/.test(input));
      writeAtomically(
        this.manifestOf(fn),
        Buffer.from(JSON.stringify({ key: this.keyOf(fn), inputs: Object.fromEntries(inputs.map((i) => [i, stamp(i)])) })),
      );
    }
    progress(`bundled ${stale.length} functions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /**
   * The files each bundle reads from beside it (the privacy replies' catalogues), copied into the cache
   * where the bundles are, as the function construct copies them beside `index.js`. Every bundle shares
   * the directory, so two functions may not want different files of one name.
   */
  private copyBesideBundles(all: LocalFunction[]): void {
    const sources = new Map<string, string>();
    for (const fn of all)
      for (const file of fn.besideBundle) {
        const name = path.basename(file);
        const seen = sources.get(name);
        if (seen !== undefined && seen !== file) throw new Error(`${fn.entry} wants ${file} beside its bundle, another function ${seen}`);
        sources.set(name, file);
      }
    for (const [name, file] of sources) writeAtomically(path.join(this.cacheDir, name), fs.readFileSync(path.join(PROJECT_ROOT, file)));
  }

  private manifestOf(fn: LocalFunction): string {
    return path.join(this.cacheDir, `${fn.logicalId}.inputs.json`);
  }

  private keyOf(fn: LocalFunction): string {
    return createHash('sha256')
      .update(`${BUNDLE_OPTIONS_VERSION}|${fn.entry}|${process.versions.node.split('.')[0]}|${BANNER}`)
      .digest('hex');
  }

  /** A bundle is reused when its key and every input's size and modification time are as they were. */
  private isFresh(fn: LocalFunction): boolean {
    try {
      if (!fs.existsSync(path.join(this.cacheDir, `${fn.logicalId}.js`))) return false;
      const manifest = JSON.parse(fs.readFileSync(this.manifestOf(fn), 'utf8')) as { key: string; inputs: Record<string, string> };
      if (manifest.key !== this.keyOf(fn)) return false;
      return Object.entries(manifest.inputs).every(([input, seen]) => stamp(input) === seen);
    } catch {
      return false;
    }
  }

  private load(fn: LocalFunction): Promise<Handler> {
    let handler = this.loaded.get(fn.logicalId);
    if (!handler) {
      handler = this.bundleAll().then(() => {
        const file = path.join(this.cacheDir, `${fn.logicalId}.js`);
        const requireBundle = createRequire(file);
        // A fresh module instance per runtime: a second runtime in this process must not share the first's clients.
        delete requireBundle.cache[file];
        sharedClsHooked();
        const shadow = processWithEnv(this.environments.get(fn.logicalId)!);
        const hooks = globalThis as unknown as Record<string, ((file: string) => NodeJS.Process | undefined) | undefined>;
        const previous = hooks[PROCESS_HOOK];
        hooks[PROCESS_HOOK] = (loading) => (loading === file ? shadow : previous?.(loading));
        let module: Record<string, unknown>;
        try {
          module = requireBundle(file) as Record<string, unknown>;
        } finally {
          hooks[PROCESS_HOOK] = previous;
        }
        const exported = module[fn.handlerExport];
        if (typeof exported !== 'function') throw new Error(`${fn.entry} exports no ${fn.handlerExport}`);
        return exported as Handler;
      });
      this.loaded.set(fn.logicalId, handler);
    }
    return handler;
  }
}

/** `size:mtime` of a file, or `missing`: cheap, and enough to notice an edit, a checkout or an install. */
function stamp(file: string): string {
  try {
    const stat = fs.statSync(path.resolve(PROJECT_ROOT, file));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function writeAtomically(file: string, contents: Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

/** The real process, but with `env` replaced: what one function's code sees as `process`. */
function processWithEnv(env: Record<string, string>): NodeJS.Process {
  return new Proxy(process, {
    get: (target, key) => (key === 'env' ? env : Reflect.get(target, key, target)),
  });
}

/**
 * What a function's code finds in its environment: its template variables, then what Lambda sets
 * (region, name, memory, log group, handler, its role's credentials) and the local endpoints that
 * stand in for the regional ones. Nothing else from the runtime's own environment.
 */
export function lambdaEnvironment(
  fn: LocalFunction,
  options: Pick<LocalFunctionsOptions, 'endpoints' | 'passThrough' | 'roleOf'> = {},
): Record<string, string> {
  const role = options.roleOf?.(fn) ?? fn.roleId ?? fn.logicalId;
  return {
    ...fn.environment,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName ?? `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    ...(fn.logFormat ? { AWS_LAMBDA_LOG_FORMAT: fn.logFormat } : {}),
    ...(fn.applicationLogLevel ? { AWS_LAMBDA_LOG_LEVEL: fn.applicationLogLevel } : {}),
    AWS_ACCESS_KEY_ID: role,
    AWS_SECRET_ACCESS_KEY: FUNCTION_SECRET_KEY,
    AWS_SESSION_TOKEN: `local-session-${role}`,
    _HANDLER: `index.${fn.handlerExport}`,
    LAMBDA_TASK_ROOT: '/var/task',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    ...(options.endpoints ?? {}),
    ...(options.passThrough ?? {}),
  };
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
    logGroupName: fn.logGroupName ?? `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
