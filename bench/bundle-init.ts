import * as path from 'node:path';
import { CLS_HOOK, clsHookedPath, DEFAULT_BUNDLE_CACHE } from '../local/functions';

/**
 * A script for a fresh Node process that loads a function's bundle — from where the local runtime keeps
 * it, built as cdk deploy builds it — and prints how long that took: the module-init part of a cold start.
 * A local bundle takes cls-hooked from the runtime (one instance for all of them): loaded first, in the
 * time, as the bundle would load it on Lambda.
 */
export function bundleInitScript(logicalId: string): string {
  return [
    'const t=process.hrtime.bigint();',
    `globalThis[${JSON.stringify(CLS_HOOK)}]=require(${JSON.stringify(clsHookedPath())});`,
    `require(${JSON.stringify(path.join(DEFAULT_BUNDLE_CACHE, `${logicalId}.js`))});`,
    'console.log(Number(process.hrtime.bigint()-t)/1e6)',
  ].join('');
}
