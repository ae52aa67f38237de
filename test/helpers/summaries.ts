/**
 * Every histogram summary in a result, found by shape rather than by name, so a summary
 * added later is held to the same rule without touching the tests: an object with `p50`
 * and `max` is a summary, and must read min ≤ p50 ≤ p90 ≤ p99 ≤ max.
 */
import assert from 'node:assert/strict';

const ORDER = ['min', 'p50', 'p90', 'p99', 'max'] as const;

/** The JSON paths of the summaries in `json`, and the ones whose figures are missing or out of order. */
export function summaries(json: unknown): { paths: string[]; wrong: string[] } {
  const paths: string[] = [];
  const wrong: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    const o = value as Record<string, unknown>;
    if (!Array.isArray(value) && 'p50' in o && 'max' in o) {
      paths.push(path);
      const figures = ORDER.map((k) => o[k]);
      const ordered = figures.every((v, i) => typeof v === 'number' && (i === 0 || (figures[i - 1] as number) <= v));
      if (!ordered) wrong.push(`${path}: ${ORDER.map((k, i) => `${k} ${String(figures[i])}`).join(', ')}`);
    }
    for (const [k, v] of Object.entries(o)) walk(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`);
  };
  walk(json, '$');
  return { paths, wrong };
}

/** Fails unless `json` holds at least `atLeast` summaries and every one is in order. */
export function assertSummariesInOrder(json: unknown, atLeast: number): void {
  const { paths, wrong } = summaries(json);
  assert.deepEqual(wrong, [], 'every summary reads min ≤ p50 ≤ p90 ≤ p99 ≤ max');
  assert.ok(paths.length >= atLeast, `${paths.length} summaries found, expected at least ${atLeast}: ${paths.join(', ')}`);
}
