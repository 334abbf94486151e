import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { LocalProcess } from './local-process';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `npm run ops -- <args>` against a local runtime; resolves with its output and exit code, whatever the code. */
export function ops(local: LocalProcess, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/ops/index.ts', ...args],
      { cwd: ROOT, env: { ...process.env, OMNAPI_DATA_DIR: local.dataDir }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
