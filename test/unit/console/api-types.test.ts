import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

  it('are not rendered again while docs/openapi.json and the types are as the last rendering left them; edited by hand, they are', async () => {
    // The rendering stands in for openapi-typescript (ESM only, it cannot load here): it renders the committed types.
    const current = fs.readFileSync(API_TYPES_FILE, 'utf8');
    const header = current.slice(0, current.indexOf('\n') + 1);
    const renders = jest.fn(() => current.slice(header.length));
    jest.doMock('openapi-typescript', () => ({ __esModule: true, default: async () => [], astToString: renders }), { virtual: true });
    const { writeApiTypes } = await import('../../../console/build');
    const stamp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-api-types-')), 'api-types.json');
    try {
      expect(await writeApiTypes({ stamp })).toBe(false);
      expect(renders).toHaveBeenCalledTimes(1);
      // Nothing changed since: current without rendering (a start of the local runtime pays nothing).
      expect(await writeApiTypes({ stamp })).toBe(false);
      expect(renders).toHaveBeenCalledTimes(1);
      fs.writeFileSync(API_TYPES_FILE, `${current}export type EditedByHand = true;\n`);
      expect(await writeApiTypes({ stamp })).toBe(true);
      expect(renders).toHaveBeenCalledTimes(2);
      expect(fs.readFileSync(API_TYPES_FILE, 'utf8')).toBe(current);
    } finally {
      fs.writeFileSync(API_TYPES_FILE, current);
      fs.rmSync(path.dirname(stamp), { recursive: true, force: true });
    }
  });
});
