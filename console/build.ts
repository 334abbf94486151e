import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withBuildLock } from '../local/build-lock';

/** The console's sources: what its build reads. */
export const CONSOLE_DIR = __dirname;
const ROOT = path.resolve(CONSOLE_DIR, '..');
/** Where `npm start` and the tests find the built console: one folder per source hash, never changed once complete. */
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');
/** Builds kept beside the newest (runtimes started a moment ago may still serve them). */
const KEPT_BUILDS = 3;
/** The API description every call's types are generated from. */
export const OPENAPI_FILE = path.join(ROOT, 'docs', 'openapi.json');
/** The generated types: committed, so the console typechecks on a fresh clone, and kept current by every build. */
export const API_TYPES_FILE = path.join(CONSOLE_DIR, 'src', 'api', 'openapi.d.ts');
/** Entries of the console folder that are not sources. */
export const NOT_SOURCES = ['dist', 'node_modules'];
/** Modules outside console/ that the console imports (shared with the functions, so both count money and show addresses alike). */
export const SHARED_SOURCES = [path.join(ROOT, 'lambdas', 'shared', 'money.ts'), path.join(ROOT, 'lambdas', 'shared', 'idn-display.ts')];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !NOT_SOURCES.includes(entry.name))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

/** A hash of everything a build reads: the console's files, the shared modules it imports, the API description and the locked dependencies. */
export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(CONSOLE_DIR), ...SHARED_SOURCES, OPENAPI_FILE, path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The TypeScript types of every API call, generated from docs/openapi.json. */
export async function renderApiTypes(): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')) as Parameters<typeof openapiTS>[0]);
  return `// Generated from docs/openapi.json by console/build.ts: do not edit.\n${astToString(ast)}`;
}

/**
 * What the last rendering read (docs/openapi.json, the lockfile that pins openapi-typescript, this file)
 * and wrote: while both are as they were, the types are current without rendering them again — which
 * loads openapi-typescript, Redocly and TypeScript, seconds of CPU at every start of the local runtime.
 */
const API_TYPES_STAMP = path.join(ROOT, 'node_modules', '.cache', 'omnapi-local', 'api-types.json');

function apiTypesStamp(): { inputs: string; output: string } {
  const digest = (...files: string[]) => {
    const hash = createHash('sha256');
    for (const file of files) hash.update(fs.existsSync(file) ? fs.readFileSync(file) : '\0missing').update('\0');
    return hash.digest('hex');
  };
  return { inputs: digest(OPENAPI_FILE, path.join(ROOT, 'package-lock.json'), __filename), output: digest(API_TYPES_FILE) };
}

/** Rewrites the generated API types when docs/openapi.json changed; true when they were rewritten. */
export async function writeApiTypes({ stamp = API_TYPES_STAMP }: { stamp?: string } = {}): Promise<boolean> {
  const before = apiTypesStamp();
  try {
    if (JSON.stringify(JSON.parse(fs.readFileSync(stamp, 'utf8'))) === JSON.stringify(before)) return false;
  } catch {
    // No stamp yet (or a torn one): render.
  }
  const rendered = await renderApiTypes();
  const changed = !(fs.existsSync(API_TYPES_FILE) && fs.readFileSync(API_TYPES_FILE, 'utf8') === rendered);
  if (changed) fs.writeFileSync(API_TYPES_FILE, rendered);
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  const partial = `${stamp}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(apiTypesStamp()));
  fs.renameSync(partial, stamp);
  return changed;
}

/** Builds the console into `outDir` (types first, then Vite). */
export async function buildConsole(outDir: string, log: (line: string) => void = () => undefined): Promise<void> {
  if (await writeApiTypes()) log('console: API types regenerated from docs/openapi.json');
  const { build } = await import('vite');
  const started = performance.now();
  await build({
    configFile: false,
    root: CONSOLE_DIR,
    logLevel: 'warn',
    // Preact's JSX runtime, without a Babel-based plugin.
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      // No inline script or style may be emitted: the CSP forbids them.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
      // The API reference renderer is a large chunk on purpose: it loads only on its own page.
      chunkSizeWarningLimit: 2_000,
      rolldownOptions: { checks: { pluginTimings: false } },
    },
  });
  log(`console: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The built console for the current sources, built first when there is none. Each build goes to a
 * private folder, then is renamed to `dist/<source hash>`: runtimes starting at once (parallel tests)
 * never see a half-written or emptied folder, and one that serves an older build keeps it.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<string> {
  // The types are part of the sources: bring them up to date first, so the hash names what is built.
  if (await writeApiTypes()) log('console: API types regenerated from docs/openapi.json');
  const target = path.join(CONSOLE_DIST, consoleSourceHash().slice(0, 16));
  if (fs.existsSync(path.join(target, 'index.html'))) return target;
  // One runtime builds, those started beside it wait and serve its build.
  return withBuildLock(
    `${path.join(CONSOLE_DIST, `.${path.basename(target)}`)}.lock`,
    async () => {
      if (fs.existsSync(path.join(target, 'index.html'))) return target;
      log('console: building…');
      const scratch = path.join(CONSOLE_DIST, `.building-${process.pid}-${Date.now()}`);
      await buildConsole(scratch, log);
      try {
        fs.renameSync(scratch, target);
      } catch (error) {
        // Another process finished the same build first (one that took over a lock it thought abandoned): theirs is identical.
        if (!fs.existsSync(path.join(target, 'index.html'))) throw error;
        fs.rmSync(scratch, { recursive: true, force: true });
      }
      pruneBuilds(target);
      return target;
    },
    () => log('console: waiting for the build another runtime is making…'),
  );
}

function pruneBuilds(current: string): void {
  const builds = fs
    .readdirSync(CONSOLE_DIST, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && path.join(CONSOLE_DIST, entry.name) !== current)
    .map((entry) => ({ dir: path.join(CONSOLE_DIST, entry.name), at: fs.statSync(path.join(CONSOLE_DIST, entry.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(KEPT_BUILDS - 1)) fs.rmSync(old.dir, { recursive: true, force: true });
}

// `tsx console/build.ts [--out DIR]`: what the CDK asset's local bundling runs; `--print-types` writes the generated types to stdout.
if (require.main === module && process.argv.includes('--print-types')) {
  renderApiTypes().then((types) => process.stdout.write(types));
} else if (require.main === module) {
  const at = process.argv.indexOf('--out');
  (at > 0
    ? buildConsole(path.resolve(process.argv[at + 1]!), (line) => console.log(line))
    : ensureConsoleBuilt((line) => console.log(line))
  ).catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}
