import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The chart library, read from its package at render time and inlined into report.html, so
 * the report needs no network: uPlot (MIT), its minified IIFE build (~50 KB, defines the
 * global `uPlot`), its stylesheet, and its license, which the page carries as a comment.
 */
export interface ChartAssets {
  version: string;
  script: string;
  style: string;
  license: string;
}

let cached: ChartAssets | undefined;

export function chartAssets(): ChartAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('uplot/package.json'));
  const read = (path: string): string => readFileSync(join(root, path), 'utf8');
  const { version } = JSON.parse(read('package.json')) as { version: string };
  const script = read('dist/uPlot.iife.min.js');
  const style = read('dist/uPlot.min.css');
  // Inlined text must not end its own element early.
  if (/<\/script|<!--/i.test(script) || /<\/style/i.test(style)) throw new Error('uPlot build contains an HTML end tag: cannot inline it');
  cached = { version, script, style, license: read('LICENSE').replace(/--/g, '- -') };
  return cached;
}
