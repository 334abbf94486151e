import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureConsoleBuilt } from '../console/build';

/** The budget of the JavaScript a first visit loads, gzipped. */
export const INITIAL_JS_BUDGET_BYTES = 200 * 1024;

export interface ConsoleFigures {
  /** What index.html loads before the first page shows: its module script and the modules it preloads. */
  initialJs: { files: string[]; bytes: number; gzipBytes: number };
  initialCss: { files: string[]; gzipBytes: number };
  /** Chunks loaded on demand only (the API reference renderer). */
  lazyJs: { files: string[]; gzipBytes: number };
  withinBudget: boolean;
}

const gz = (file: string) => gzipSync(fs.readFileSync(file), { level: 9 }).length;

/** Builds the console if needed and measures what the browser downloads, as CloudFront would serve it compressed. */
export async function consoleFigures(): Promise<ConsoleFigures> {
  const dist = await ensureConsoleBuilt();
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const refs = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!.replace(/^\//, ''));
  const initial = [
    ...new Set([...refs(/<script type="module"[^>]*src="([^"]+)"/g), ...refs(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)]),
  ];
  const css = refs(/<link rel="stylesheet"[^>]*href="([^"]+)"/g);
  const allJs = fs
    .readdirSync(path.join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`);
  const lazy = allJs.filter((f) => !initial.includes(f));
  const gzipBytes = initial.reduce((t, f) => t + gz(path.join(dist, f)), 0);
  return {
    initialJs: { files: initial, bytes: initial.reduce((t, f) => t + fs.statSync(path.join(dist, f)).size, 0), gzipBytes },
    initialCss: { files: css, gzipBytes: css.reduce((t, f) => t + gz(path.join(dist, f)), 0) },
    lazyJs: { files: lazy, gzipBytes: lazy.reduce((t, f) => t + gz(path.join(dist, f)), 0) },
    withinBudget: gzipBytes <= INITIAL_JS_BUDGET_BYTES,
  };
}

/** The figures as table rows. */
export function consoleRows(figures: ConsoleFigures): string[][] {
  const kib = (n: number) => (n / 1024).toFixed(1);
  return [
    ['console (SPA)', 'KiB gzipped'],
    [
      `initial JS (${figures.initialJs.files.length} file${figures.initialJs.files.length === 1 ? '' : 's'}, ${kib(figures.initialJs.bytes)} KiB raw), budget ${kib(INITIAL_JS_BUDGET_BYTES)}: ${figures.withinBudget ? 'within' : 'OVER'}`,
      kib(figures.initialJs.gzipBytes),
    ],
    ['initial CSS', kib(figures.initialCss.gzipBytes)],
    [
      `loaded on demand (API reference renderer, ${figures.lazyJs.files.length} file${figures.lazyJs.files.length === 1 ? '' : 's'})`,
      kib(figures.lazyJs.gzipBytes),
    ],
  ];
}

// `tsx bench/console.ts`: the console's figures alone, as JSON.
if (require.main === module) {
  consoleFigures().then((figures) => console.log(JSON.stringify(figures, null, 2)));
}
