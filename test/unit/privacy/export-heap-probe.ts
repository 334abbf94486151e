/**
 * One export of 100,000 usage logs into a ZIP, in a Node process of its own (started with
 * --expose-gc by export-streaming.test.ts); prints as JSON how much more heap was alive at the export's
 * fullest than before it began. Its own process, because a jest worker's heap also holds whatever the
 * worker's earlier test files left alive or still running, and a full CI run once counted 95 MB of that.
 *
 * `streamed` feeds each file to archiver as a stream, as the S3 sink does; `buffered` collects each file
 * first, as an export that held its data would, so the test can show that the measurement sees that.
 */
import { Readable, Writable } from 'node:stream';
import archiver from 'archiver';
import { type ArchiveSink, buildExport, type SubjectData } from '../../../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../../../lambdas/privacy/domain/model';

const LOGS = 100_000;
/** A full collection before each sample: what is alive, not garbage a busy machine has not collected yet. */
const SAMPLE_EVERY_ITEMS = 2_000;
const SAMPLE_EVERY_CHUNKS = 20;

export interface ProbeResult {
  /** Most heap alive at any sample, less what was alive before the export. */
  peakGrowth: number;
  samples: number;
  /** Log items read from the store, and ZIP bytes written, when the heap was at its fullest. */
  atPeak: { itemsRead: number; bytesWritten: number };
  files: Record<string, number>;
  bytes: number;
}

const gc = globalThis.gc;
if (!gc) throw new Error('export-heap-probe needs --expose-gc');

const mode = process.argv[2];
if (mode !== 'streamed' && mode !== 'buffered') throw new Error(`mode must be streamed or buffered, not ${mode}`);

let before = 0;
let itemsRead = 0;
let bytesWritten = 0;
let samples = 0;
const peak = { growth: Number.NEGATIVE_INFINITY, itemsRead: 0, bytesWritten: 0 };
function sample() {
  gc!();
  samples++;
  const growth = process.memoryUsage().heapUsed - before;
  if (growth > peak.growth) Object.assign(peak, { growth, itemsRead, bytesWritten });
}

const data: SubjectData = {
  async *items(table) {
    if (table === 'accounts')
      yield {
        accountId: 'acc_a',
        email: 'ann@example.org',
        name: 'Ann',
        profile: {},
        preferences: {},
        createdAt: '2026-01-01T00:00:00Z',
      };
    if (table !== 'usageLogs') return;
    for (let i = 0; i < LOGS; i++) {
      if (++itemsRead % SAMPLE_EVERY_ITEMS === 0) sample();
      yield {
        requestId: `r${i}`,
        keyId: 'key_1',
        product: 'echo',
        method: 'GET',
        path: `/p/${i}`,
        status: 200,
        outcome: 'ok',
        priceMicroCredits: 1,
        latencyMs: 3,
        requestBytes: 0,
        responseBytes: 12,
        ip: '203.0.113.1',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      };
    }
  },
};

/** archiver's zip into a writer that takes a turn of the event loop per chunk, so nothing upstream is held back by it. */
function zipSink(): ArchiveSink {
  const archive = archiver('zip');
  let chunks = 0;
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytesWritten += chunk.length;
      if (++chunks % SAMPLE_EVERY_CHUNKS === 0) sample();
      setImmediate(done);
    },
  });
  const written = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  archive.on('error', (error) => out.destroy(error));
  archive.pipe(out);
  const pending: Promise<void>[] = [];
  return {
    add(name, content) {
      if (mode === 'streamed') {
        archive.append(Readable.from(content), { name });
        return;
      }
      pending.push(
        (async () => {
          const parts: string[] = [];
          for await (const part of content) parts.push(part);
          archive.append(Buffer.from(parts.join('')), { name });
        })(),
      );
    },
    async finish() {
      await Promise.all(pending);
      await archive.finalize();
      await written;
      return { bytes: archive.pointer() };
    },
  };
}

async function main() {
  const request = { requestId: 'prq_x', accountId: 'acc_a', email: 'ann@example.org', type: 'portability' } as PrivacyRequest;
  // One empty export first: what is loaded once (message catalogues, formatters, archiver) is not what an export keeps alive.
  await buildExport(request, { async *items() {} }, zipSink(), new Date());
  gc!();
  before = process.memoryUsage().heapUsed;
  Object.assign(peak, { growth: Number.NEGATIVE_INFINITY, itemsRead: 0, bytesWritten: 0 });
  samples = itemsRead = bytesWritten = 0;
  const { bytes, files } = await buildExport(request, data, zipSink(), new Date());
  const result: ProbeResult = {
    peakGrowth: peak.growth,
    samples,
    atPeak: { itemsRead: peak.itemsRead, bytesWritten: peak.bytesWritten },
    files,
    bytes,
  };
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
