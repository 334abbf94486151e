import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { ProbeResult } from './export-heap-probe';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LOGS = 100_000;

/** Runs export-heap-probe.ts in a Node of its own, where the heap holds nothing but the export. */
function probe(mode: 'streamed' | 'buffered'): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'export-heap-probe.ts'), mode],
      { cwd: ROOT, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as ProbeResult)),
    );
  });
}

describe('export', () => {
  it('streams 100,000 log items into the archive without holding them in memory', async () => {
    const result = await probe('streamed');

    expect(result.files['usage-logs.csv']).toBe(LOGS);
    expect(result.files['data.json:usageLogs']).toBe(LOGS);
    expect(result.bytes).toBeGreaterThan(100_000);
    // The heap was looked at while the logs were being read and written, not only at the start or the end.
    expect(result.samples).toBeGreaterThan(50);
    // 100,000 logs are ~40 MB of JSON and CSV; a streamed export keeps well under a megabyte of it alive at a time.
    expect(result.peakGrowth).toBeLessThan(16 * 1024 * 1024);
  }, 600_000);

  it('would see an export that held its files in memory', async () => {
    const result = await probe('buffered');

    expect(result.files['usage-logs.csv']).toBe(LOGS);
    expect(result.peakGrowth).toBeGreaterThan(16 * 1024 * 1024);
  }, 600_000);
});
