import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ArchiveSink } from '../../../lambdas/privacy/adapters/s3-archive';
import { buildExport, type SubjectData } from '../../../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../../../lambdas/privacy/domain/model';
import type { ProbeResult } from './export-heap-probe';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LOGS = 100_000;
const LOG_ITEM = {
  keyId: 'key_1',
  product: 'echo',
  method: 'GET',
  status: 200,
  outcome: 'ok',
  priceMicroCredits: 1,
  latencyMs: 3,
  requestBytes: 0,
  responseBytes: 12,
  ip: '203.0.113.1',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  at: '2026-01-01T00:00:00.000Z',
};

/**
 * Runs export-heap-probe.ts in a Node of its own, where the heap holds nothing but the export: a jest worker's
 * heap also holds what the worker's earlier test files left, which changes while the export runs. Only the
 * probe's type is imported here, as the probe runs when loaded.
 */
function probe(mode: 'streamed' | 'buffered'): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'export-heap-probe.ts'), mode],
      { cwd: ROOT, maxBuffer: 1024 * 1024, timeout: 540_000 },
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

describe('the S3 archive sink', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());

  it('reads the store only as far ahead of the upload as the parts S3 is taking', async () => {
    // Hex does not compress much, so 100,000 logs make an archive of several 5 MiB parts.
    let itemsRead = 0;
    const data: SubjectData = {
      async *items(table) {
        if (table !== 'usageLogs') return;
        for (let i = 0; i < LOGS; i++) {
          itemsRead++;
          const noise = createHash('sha512').update(String(i)).digest('hex');
          yield { ...LOG_ITEM, requestId: `r${i}`, path: `/p/${noise}${noise.split('').reverse().join('')}` };
        }
      },
    };
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload_1' });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const readAtPart: number[] = [];
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => {
      readAtPart[input.PartNumber - 1] = itemsRead;
      return { ETag: `etag_${input.PartNumber}` };
    });
    const request = { requestId: 'prq_x', accountId: 'acc_a', email: 'ann@example.org', type: 'portability' } as PrivacyRequest;

    const result = await buildExport(request, data, new S3ArchiveSink(new S3Client({}), 'exports', 'prq_x.zip'), new Date());

    expect(result.files['usage-logs.csv']).toBe(LOGS);
    const parts = readAtPart.length;
    expect(parts).toBeGreaterThanOrEqual(4);
    // When S3 is asked for part n, the export has read what fills parts 1 to n and the next one at most (the upload
    // sends two at a time); the streams between hold a few hundred items, well inside the over-estimate of a full
    // part (the last part is short). An export that held a file would have read all of it before the first part.
    const itemsPerFullPart = (2 * LOGS) / (parts - 1);
    const tooFarAhead = readAtPart.flatMap((read, i) => (read > (i + 2) * itemsPerFullPart ? [{ part: i + 1, read }] : []));
    expect(tooFarAhead).toEqual([]);
  }, 600_000);
});
