import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONSOLE_DIR, consoleSourceHash, SHARED_SOURCES } from '../../../console/build';

function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourcesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .filter((file) => /\.tsx?$/.test(file));
}

describe("the console build's sources", () => {
  it('count every module outside console/ that the console imports, so changing one builds the console again', () => {
    const outside = new Set<string>();
    for (const file of sourcesUnder(path.join(CONSOLE_DIR, 'src'))) {
      for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const resolved = path.resolve(path.dirname(file), specifier!);
        if (!resolved.startsWith(CONSOLE_DIR + path.sep)) outside.add(`${resolved}.ts`);
      }
    }
    expect(outside.size).toBeGreaterThan(0);
    expect([...outside].sort()).toEqual([...SHARED_SOURCES].sort());
    expect(consoleSourceHash()).toMatch(/^[0-9a-f]{64}$/);
  });
});
