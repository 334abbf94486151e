import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The files the PDF reader runs from, relative to the project root: its worker and pdf.js (unpdf's
 * serverless build, one ESM file with no dependencies). A function that reads mail carries both beside
 * its bundle (`besideBundle`), where this module finds them as it finds them beside itself in the source.
 */
export const PDF_READER_FILES: readonly string[] = ['lambdas/mail/adapters/pdf-text-worker.mjs', 'node_modules/unpdf/dist/pdfjs.mjs'];

/** How much of a PDF is read, and what reading it may cost: a hostile file gets no more. */
export interface PdfLimits {
  /** Larger files are not opened at all. */
  maxBytes: number;
  /** A letter says what it asks on its first pages. */
  maxPages: number;
  maxChars: number;
  /** The worker is stopped after this long, whatever it is doing (the mail parser gives all of a mail's PDFs this long). */
  timeoutMs: number;
  /**
   * The worker's old generation (its young one is an eighth, at least 4 MB): past it, the worker dies and the parent reads
   * nothing. At least 8: below that Node cannot start an isolate, and aborts the whole process instead.
   */
  maxHeapMb: number;
}

export const PDF_LIMITS: PdfLimits = { maxBytes: 5_000_000, maxPages: 10, maxChars: 100_000, timeoutMs: 6_000, maxHeapMb: 128 };

const MIN_HEAP_MB = 8;
const WORKER = path.join(__dirname, 'pdf-text-worker.mjs');
/** Beside the bundle in Lambda; in the source tree, where npm put it. */
const PDFJS = [path.join(__dirname, 'pdfjs.mjs'), path.resolve(__dirname, '../../../node_modules/unpdf/dist/pdfjs.mjs')].find((file) =>
  fs.existsSync(file),
);

/**
 * The text of a PDF's text layer, read in a worker thread bounded in time and memory; undefined when
 * there is none to read (a scan, a broken or encrypted file, one too large, or one that costs more than
 * `limits` allows). It never throws.
 */
export function pdfText(bytes: Uint8Array, limits: PdfLimits = PDF_LIMITS): Promise<string | undefined> {
  if (!PDFJS || bytes.byteLength === 0 || bytes.byteLength > limits.maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER, {
        workerData: { bytes, pdfjs: PDFJS, maxPages: limits.maxPages, maxChars: limits.maxChars },
        resourceLimits: {
          maxOldGenerationSizeMb: Math.max(MIN_HEAP_MB, limits.maxHeapMb),
          maxYoungGenerationSizeMb: Math.max(4, limits.maxHeapMb / 8),
        },
        stdout: true,
        stderr: true,
      });
    } catch {
      resolve(undefined);
      return;
    }
    let settled = false;
    const done = (text: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(text !== undefined && /\p{L}/u.test(text) ? text.trim() : undefined);
      void worker.terminate();
    };
    const timer = setTimeout(() => done(undefined), limits.timeoutMs);
    worker.once('message', (text: unknown) => done(typeof text === 'string' ? text : undefined));
    worker.once('error', () => done(undefined));
    worker.once('exit', () => done(undefined));
  });
}
