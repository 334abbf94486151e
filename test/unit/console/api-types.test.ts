import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { API_TYPES_FILE } from '../../../console/build';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe("the console's API types", () => {
  it('are generated from docs/openapi.json as it is now (npx tsx console/build.ts regenerates them)', () => {
    // openapi-typescript's dependencies are ESM only: it runs in its own Node, as the build runs it.
    const rendered = execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'console/build.ts', '--print-types'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(rendered).toContain('export interface paths');
    expect(fs.readFileSync(API_TYPES_FILE, 'utf8')).toBe(rendered);
  });
});
