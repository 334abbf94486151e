import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LAMBDAS = path.join(ROOT, 'lambdas');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of a file, resolved to a path under the project root. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s)));
}

describe('context boundaries', () => {
  const files = sources(LAMBDAS);

  it('finds the runtime code it checks', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importsOf(path.join(LAMBDAS, 'metering', 'handlers', 'usage.ts'))).toContain('lambdas/shared/middleware/http-handler');
  });

  it('lets no context import another, nor anything under lambdas/ import lib/ or local/', () => {
    const violations: string[] = [];
    for (const file of files) {
      const own = path.relative(LAMBDAS, file).split(path.sep)[0]!;
      for (const target of importsOf(file)) {
        const [top, context] = target.split(path.sep);
        const crossesContext = top === 'lambdas' && context !== own && context !== 'shared';
        const sharedReachesContext = own === 'shared' && top === 'lambdas' && context !== 'shared';
        if (crossesContext || sharedReachesContext || top === 'lib' || top === 'local')
          violations.push(`${path.relative(ROOT, file)} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps password hashing out of the usage and ledger readers (no scrypt at their cold start)', async () => {
    const entries = ['lambdas/metering/handlers/usage.ts', 'lambdas/billing/handlers/credits.ts'];
    for (const entry of entries) {
      const { metafile } = await build({
        entryPoints: [path.join(ROOT, entry)],
        bundle: true,
        platform: 'node',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(metafile.inputs).filter((input) => input.startsWith('lambdas/'));
      expect({ entry, accounts: inputs.filter((input) => input.startsWith('lambdas/accounts/')) }).toEqual({ entry, accounts: [] });
    }
  });

  it('keeps zod out of the metered hot path (half its bundle and cold start)', async () => {
    const { metafile } = await build({
      entryPoints: [path.join(ROOT, 'lambdas/metering/handlers/gateway.ts')],
      bundle: true,
      platform: 'node',
      write: false,
      metafile: true,
      minify: true,
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    const zod = Object.keys(metafile.outputs)
      .flatMap((out) => Object.keys(metafile.outputs[out]!.inputs))
      .filter((input) => input.includes('node_modules/zod/'));
    expect(zod).toEqual([]);
  });
});
