import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { build } from 'esbuild';
import { deriveModel, synthesizeTemplate } from '../local/assembly';
import { bundleInitScript } from './bundle-init';
import { DEFAULT_BUNDLE_CACHE, LocalFunctions } from '../local/functions';
import { PROJECT_ROOT } from '../lib/template-keys';

/**
 * `npx tsx bench/privacy-init.ts`: the privacy functions' module init (their bundles as the local runtime builds them, each
 * loaded in a fresh Node process, as bench/run.ts's "bundles' init" loads them), and the classifier's import and first
 * letter read, the median of `INIT_ROUNDS` fresh processes each.
 */
const ROUNDS = Number(process.env.INIT_ROUNDS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function fresh(script: string, env: Record<string, string>): number[] {
  const result = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const figures = result.stdout.trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  if (result.status !== 0 || !figures.length || figures.some((n) => !Number.isFinite(n)))
    throw new Error(
      `bench: a fresh process failed: ${
        result.stderr
          .trim()
          .split('\n')
          .find((l) => /Error/.test(l)) ?? result.status
      }`,
    );
  return figures;
}

async function main(): Promise<void> {
  const template = synthesizeTemplate({
    localPseudonymKeys: JSON.stringify({ current: 1, k1: 'a'.repeat(43) }),
    localNoticeLinkKeys: JSON.stringify({ current: 1, k1: 'b'.repeat(43) }),
    localStripe: { webhookSecret: 'whsec_test' },
  });
  const model = deriveModel(template, { aws: 'http://127.0.0.1:4566', api: 'http://localhost:3000' });
  await new LocalFunctions(model.functions).bundle();
  const rows: string[][] = [];
  for (const fn of model.functions.values()) {
    if (!/privacy|metering\/handlers\/gateway/.test(fn.entry)) continue;
    const script = bundleInitScript(fn.logicalId);
    const ms = Array.from({ length: ROUNDS }, () => fresh(script, fn.environment)[0]!);
    rows.push([fn.entry.replace(/^lambdas\//, '').replace(/\.ts$/, ''), median(ms).toFixed(0)]);
  }
  // The classifier alone, bundled and minified as the functions are: its import, then its first and second letter.
  const out = path.join(DEFAULT_BUNDLE_CACHE, '..', 'classify-bench.js');
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'lambdas/privacy/domain/classify.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minify: true,
    logLevel: 'silent',
  });
  const letter = JSON.stringify('Dear team, please delete my account and all my personal data (Art. 17 GDPR). Regards, A.');
  const script = [
    'const now=()=>Number(process.hrtime.bigint())/1e6;let t=now();',
    `const c=require(${JSON.stringify(out)});const load=now()-t;t=now();`,
    `c.readMail('Erasure',${letter});const first=now()-t;t=now();`,
    `c.readMail('Löschung','Bitte löschen Sie mein Konto.');const second=now()-t;`,
    'console.log(load+" "+first+" "+second)',
  ].join('');
  const runs = Array.from({ length: ROUNDS }, () => fresh(script, {}));
  for (const [i, name] of ['classify.ts import', 'first readMail()', 'second readMail()'].entries())
    rows.push([name, median(runs.map((r) => r[i]!)).toFixed(0)]);
  console.log(`load average ${(await import('node:os')).loadavg()[0]!.toFixed(2)}; median of ${ROUNDS} fresh processes`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(36)} ${ms.padStart(6)} ms`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
