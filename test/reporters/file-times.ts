/**
 * A node:test reporter that adds up the time of each test file's top-level tests and
 * prints the files slowest first once the run is over, so a slow file is seen in CI's log.
 * It runs beside the TAP reporter (package.json's test script), which CI reads.
 */
import { relative } from 'node:path';

interface TestEvent {
  type: string;
  data: { nesting?: number; file?: string; details?: { duration_ms?: number } };
}

const SHOWN = 15;

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const byFile = new Map<string, number>();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, details } = event.data;
    if (nesting !== 0 || file === undefined) continue;
    byFile.set(file, (byFile.get(file) ?? 0) + (details?.duration_ms ?? 0));
  }
  const files = [...byFile].sort((a, b) => b[1] - a[1]);
  const total = files.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\ntime per test file (${files.length} files, ${(total / 1000).toFixed(0)} s in all; the ${Math.min(SHOWN, files.length)} slowest):\n`;
  for (const [file, ms] of files.slice(0, SHOWN)) yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(process.cwd(), file)}\n`;
}
