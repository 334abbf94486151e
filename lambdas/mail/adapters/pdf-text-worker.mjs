// Reads the text layer of one PDF in a worker thread of its own, so the parent can bound its memory
// (resourceLimits) and time (terminate): a hostile PDF costs at most this thread. Plain ESM because
// pdf.js is ESM only; it runs from the source tree and, copied beside the bundle, in Lambda.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { bytes, pdfjs, maxPages, maxChars } = workerData;
const { getDocument } = await import(pathToFileURL(pdfjs).href);
const document = await getDocument({
  data: new Uint8Array(bytes),
  // Nothing a PDF carries is run or fetched: no script evaluation, no fonts, no external resources.
  isEvalSupported: false,
  disableFontFace: true,
  useSystemFonts: false,
  enableXfa: false,
  stopAtErrors: false,
  verbosity: 0,
}).promise;
const pages = [];
let length = 0;
for (let n = 1; n <= Math.min(document.numPages, maxPages) && length < maxChars; n++) {
  const page = await document.getPage(n);
  const content = await page.getTextContent();
  const text = content.items
    .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
    .join('')
    .replace(/[ \t]+\n/g, '\n');
  pages.push(text);
  length += text.length;
  page.cleanup();
}
await document.cleanup?.();
parentPort.postMessage(pages.join('\n\n').slice(0, maxChars));
