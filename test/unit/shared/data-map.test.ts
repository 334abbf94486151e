import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_MAP, renderDataMap } from '../../../lambdas/shared/data-map';

describe('data map', () => {
  it('is what docs/data-map.md shows (run npm run docs:data-map after changing it)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'data-map.md'), 'utf8');
    expect(doc).toBe(renderDataMap());
  });

  it('gives a legal reason wherever personal data is kept or pseudonymised rather than deleted', () => {
    for (const entry of Object.values(DATA_MAP)) {
      if (entry.erasure.kind !== 'delete') expect(entry.erasure.reason.length).toBeGreaterThan(10);
    }
  });
});
