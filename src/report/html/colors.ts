import type { RunResult } from '../../result/result.js';

/**
 * One colour per run, the same in every chart and table of the report: MQTT 3.1.1 runs in
 * blues, MQTT 5 runs in oranges and reds, so the two protocol versions read apart at a
 * glance and the variants of one version stay related.
 */
const PALETTES: Record<string, readonly string[]> = {
  '3.1.1': ['#1f6fb4', '#5aa7de', '#0d3f6e', '#8ab8dc'],
  '5': ['#e8710a', '#c0392b', '#f2a541', '#8e3b2f'],
};
const OTHER = ['#2e8b57', '#7b4fa0', '#6b6b6b'];

export function runColors(runs: readonly RunResult[]): string[] {
  const used = new Map<string, number>();
  return runs.map((run) => {
    const palette = PALETTES[run.protocol] ?? OTHER;
    const n = used.get(run.protocol) ?? 0;
    used.set(run.protocol, n + 1);
    return palette[n % palette.length]!;
  });
}
