import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withBuildLockSync } from './build-lock';
import type { Template } from './intrinsics';

const ROOT = path.resolve(__dirname, '..');
/** Where synthesized templates are kept, one file per input hash (ignored by git with node_modules). */
export const TEMPLATE_CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'omnapi-local', 'templates');
/** Templates kept beside the newest: a few contexts (tests, a developer's runtime) each keep theirs. */
const KEPT_TEMPLATES = 40;

/** Folders whose every file the synthesis may read: the app, its constructs, the functions' manifests and the console. */
const SOURCE_DIRS = ['bin', 'lib', 'lambdas', 'console'];
/** Single files it reads, or that decide how it runs. */
const SOURCE_FILES = [
  'package-lock.json',
  'cdk.json',
  'tsconfig.json',
  'docs/openapi.json',
  'local/assembly.ts',
  'local/template-cache.ts',
];
/** Entries under those folders that are outputs, not inputs. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'cdk.out']);

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !NOT_SOURCES.has(entry.name) && !entry.name.startsWith('.'))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

/**
 * A hash of everything a synthesis of the app reads: the context it is given, the environment it
 * reads, and the content of every source file. Two syntheses with the same hash give the same
 * template, so the second can be the first's.
 */
export function templateInputsHash(context: Record<string, unknown>, root = ROOT): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(context)).update('\0');
  hash.update(`${process.env.CDK_DEFAULT_ACCOUNT ?? ''}/${process.env.CDK_DEFAULT_REGION ?? ''}`).update('\0');
  const files = [...SOURCE_DIRS.flatMap((dir) => filesUnder(path.join(root, dir))), ...SOURCE_FILES.map((file) => path.join(root, file))];
  for (const file of files) {
    hash.update(path.relative(root, file)).update('\0');
    if (fs.existsSync(file)) hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * The template `synthesize` returns for `context`, from the cache when nothing it reads has changed
 * since it was last synthesized (a synthesis takes seconds; a restart, or the next test's runtime,
 * pays it once). `OMNAPI_TEMPLATE_CACHE=off` always synthesizes.
 */
export function cachedTemplate(
  context: Record<string, unknown>,
  synthesize: () => Template,
  { root = ROOT, cacheDir = TEMPLATE_CACHE_DIR }: { root?: string; cacheDir?: string } = {},
): Template {
  if (process.env.OMNAPI_TEMPLATE_CACHE === 'off') return synthesize();
  const file = path.join(cacheDir, `${templateInputsHash(context, root)}.json`);
  const cached = readCached(file);
  if (cached) return cached;
  // One runtime synthesizes a context, those started beside it with the same one wait and read its template.
  return withBuildLockSync(`${file}.lock`, () => {
    const meanwhile = readCached(file);
    if (meanwhile) return meanwhile;
    const template = synthesize();
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written whole under a private name, then renamed: a concurrent reader sees the old file or the new one.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(template));
    fs.renameSync(partial, file);
    prune(cacheDir);
    return template;
  });
}

/** The cached template, touched so that pruning keeps the templates in use; undefined when not cached (or torn by a crash). */
function readCached(file: string): Template | undefined {
  try {
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
    const now = new Date();
    fs.utimesSync(file, now, now);
    return template;
  } catch {
    return undefined;
  }
}

/** Removes all but the most recently used templates. */
function prune(cacheDir: string): void {
  const entries = fs
    .readdirSync(cacheDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const file = path.join(cacheDir, name);
      try {
        return { file, used: fs.statSync(file).mtimeMs };
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry !== undefined)
    .sort((a, b) => b.used - a.used);
  for (const { file } of entries.slice(KEPT_TEMPLATES)) fs.rmSync(file, { force: true });
}
