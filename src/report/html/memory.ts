import type { MemoryFigures } from '../../result/memory.js';
import { count, size } from '../../checks/words.js';
import type { RunResult } from '../../result/result.js';
import { seriesChart, type ChartSpec } from './charts.js';
import { escapeXml as esc } from './escape.js';

/**
 * Broker memory, when some run sampled it (`memory` in result.json): per probe a chart of
 * the samples over each run's clock, one line per run, v3.1.1 beside v5; the derived figures
 * side by side; how each was derived, and probes that had no value.
 */
export interface MemoryView {
  charts: { title: string; what: string; spec: ChartSpec }[];
  table: string;
  notes: string[];
}

const PROBE_WORDS: Record<string, string> = { 'sys-heap': 'heap ($SYS)', rss: 'RSS' };
const words = (probe: string): string => PROBE_WORDS[probe] ?? probe;

const FIGURES: [string, keyof MemoryFigures, boolean][] = [
  ['per session', 'perSession', true],
  ['per queued message', 'perQueuedMessage', true],
  ['before the wait', 'beforeExpiry', false],
  ['after the wait', 'afterExpiry', false],
  ['reclaimed after expiry', 'reclaimedAfterExpiry', false],
  ['baseline', 'baseline', false],
  ['peak', 'peak', false],
  ['end', 'end', false],
];

export function memoryView(runs: readonly RunResult[], colors: readonly string[]): MemoryView | undefined {
  if (!runs.some((r) => r.memory)) return undefined;
  const probes = [...new Set(runs.flatMap((r) => r.memory?.probes.filter((p) => p.available).map((p) => p.name) ?? []))];
  const charts = probes.flatMap((probe) => {
    const spec = seriesChart(
      `Broker memory: ${words(probe)}`,
      'B',
      runs.map((r, i) => ({
        label: r.label,
        color: colors[i]!,
        points: readings(r, probe),
      })),
      'memory',
    );
    if (spec) spec.stepped = true;
    const source = runs.flatMap((r) => r.memory?.probes.find((p) => p.name === probe && p.available)?.source ?? [])[0];
    return spec ? [{ title: spec.title, what: `${source ?? probe}; one line per run, x: seconds from the run's start`, spec }] : [];
  });

  const head = `<tr><th></th>${runs.map((r, i) => `<th scope="col"><span class="chip" style="background:${colors[i]}"></span>${esc(r.label)}</th>`).join('')}</tr>`;
  const rows: string[] = [];
  for (const probe of probes) {
    for (const [name, key, isCost] of FIGURES) {
      const cells = runs.map((r) => {
        const value = r.memory?.figures[probe]?.[key] ?? null;
        return value === null ? null : key === 'reclaimedAfterExpiry' ? `${count(Math.round(value * 1000) / 10)}%` : bytes(value, isCost);
      });
      if (cells.every((c) => c === null)) continue;
      rows.push(
        `<tr><th scope="row">${esc(`${words(probe)}: ${name}`)}</th>${cells
          .map((c, i) => `<td data-memory="${esc(`${probe}.${key}`)}" data-run="${esc(runs[i]!.id)}">${c === null ? '–' : esc(c)}</td>`)
          .join('')}</tr>`,
      );
    }
  }
  const table = rows.length > 0 ? `<table class="wide memory"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>` : '';

  const notes: string[] = [];
  for (const r of runs) {
    const m = r.memory;
    if (!m) continue;
    const tag = runs.length > 1 ? `${r.label}: ` : '';
    if (m.points.some((p) => p.phase !== undefined)) {
      notes.push(`${tag}per session: ${m.basis.perSession}`, `${tag}per queued message: ${m.basis.perQueuedMessage}`, `${tag}reclaimed: ${m.basis.reclaimedAfterExpiry}`);
    }
    for (const p of m.probes.filter((x) => !x.available)) notes.push(`${tag}${words(p.name)} unavailable: ${p.reason ?? 'no value'}`);
    notes.push(...m.notes.map((n) => `${tag}${n}`));
  }
  return { charts, table, notes: [...new Set(notes)] };
}

/**
 * A probe's readings in one run: the samples, and the readings at the measurement points
 * (start, each measure phase, end), in time order. $SYS heap is published only when it
 * changes, so a reading holds until the next: the chart draws steps.
 */
function readings(run: RunResult, probe: string): { atMs: number; value: number }[] {
  const m = run.memory;
  if (!m) return [];
  const samples = m.samples.filter(([, , p]) => p === probe).map(([atMs, value]) => ({ atMs, value }));
  const points = m.points.flatMap((p) => {
    const value = p.values[probe];
    return typeof value === 'number' ? [{ atMs: p.t, value }] : [];
  });
  const seen = new Set(samples.map((s) => s.atMs));
  return [...samples, ...points.filter((p) => !seen.has(p.atMs))].sort((a, b) => a.atMs - b.atMs);
}

/** 1234567 -> "1.23 MB"; a per-item cost to the byte below 10 KB. */
function bytes(value: number, cost = false): string {
  return size(value, cost ? 10_000 : 1000);
}
