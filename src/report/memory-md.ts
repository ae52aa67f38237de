import type { MemoryFigures, MemoryResult } from '../result/memory.js';
import { count, size } from '../checks/words.js';
import type { RunResult } from '../result/result.js';

/**
 * The broker memory part of summary.md: one table with a column per run (v3.1.1 beside v5),
 * rows per probe and figure; then how each figure was derived, and probes that had no value.
 * Empty when no run sampled memory.
 */
export function memorySection(runs: readonly RunResult[]): string[] {
  const sampled = runs.filter((r) => r.memory !== undefined);
  if (sampled.length === 0) return [];
  const names = [...new Set(sampled.flatMap((r) => r.memory!.probes.map((p) => p.name)))];
  // A probe no run could read is only listed below the table, with its reason.
  const read = names.filter((name) => sampled.some((r) => r.memory!.probes.some((p) => p.name === name && p.available)));
  const lines = ['## Broker memory', ''];
  if (names.length === 0) {
    const notes = [...new Set(sampled.flatMap((r) => r.memory!.notes))];
    return [...lines, `No memory probe${notes.length > 0 ? `: ${notes.join('; ')}` : ''}.`, ''];
  }
  const rows: string[][] = [['', ...runs.map((r) => r.label)]];
  for (const name of read) {
    for (const [figure, cell] of FIGURES) {
      const cells = runs.map((r) => figureCell(r.memory, name, cell));
      // Rows nothing was derived for (no measure phase there) stay out of the way.
      if (cells.some((c) => c !== '–' && c !== 'unavailable')) rows.push([`${probeWords(name)}: ${figure}`, ...cells]);
    }
  }
  if (rows.length > 1) lines.push(...padTable(rows), '');
  const sources = new Map<string, string>();
  for (const r of sampled) for (const p of r.memory!.probes) if (p.available) sources.set(p.name, p.source);
  if (sources.size > 0) lines.push(...[...sources].map(([name, source]) => `- ${probeWords(name)}: ${source}${SOURCE_WORDS[name] ?? ''}`));
  const measured = sampled.some((r) => r.memory!.points.some((p) => p.phase !== undefined));
  if (!measured) {
    lines.push('- per session, per queued message, reclaimed: add `measure` phases after the connect, after a publish to offline sessions, and after a wait (scenarios/capacity.yaml)');
  }
  for (const r of sampled) {
    const m = r.memory!;
    const tag = runs.length > 1 ? `${r.label}, ` : '';
    if (measured) {
      lines.push(`- ${tag}per session: ${m.basis.perSession}`);
      lines.push(`- ${tag}per queued message: ${m.basis.perQueuedMessage}`);
      lines.push(`- ${tag}reclaimed: ${m.basis.reclaimedAfterExpiry}`);
    }
    for (const p of m.probes.filter((x) => !x.available)) lines.push(`- ${tag}${probeWords(p.name)} unavailable: ${p.reason ?? 'no value'}`);
    for (const p of m.probes.filter((x) => x.available && x.gaps > 0)) {
      lines.push(`- ${tag}${probeWords(p.name)} had no value ${count(p.gaps)} times: ${p.reason ?? ''}`);
    }
  }
  for (const note of new Set(sampled.flatMap((r) => r.memory!.notes))) lines.push(`- ${note}`);
  return [...lines, ''];
}

type Cell = (f: MemoryFigures) => string;

/** What measure phases derive first (the answer of a capacity run), then the raw readings. */
const FIGURES: [string, Cell][] = [
  ['per session', (f) => bytes(f.perSession, true)],
  ['per queued message', (f) => bytes(f.perQueuedMessage, true)],
  ['before → after wait', reclaimCell],
  ['baseline', (f) => bytes(f.baseline)],
  ['peak', (f) => bytes(f.peak)],
  ['end', (f) => bytes(f.end)],
];

const SOURCE_WORDS: Record<string, string> = {
  'sys-heap': " — the broker's own allocations, not RSS",
  rss: ' — resident set: what the kernel holds for the process (freed heap is seldom returned to it)',
};

/** "sys-heap" -> "heap", "rss" -> "RSS", "rss-2" (a second RSS probe) -> "RSS #2". */
function probeWords(name: string): string {
  const [, base = name, n] = /^(.*?)(?:-(\d+))?$/.exec(name) ?? [];
  const words = base === 'sys-heap' ? 'heap' : base === 'rss' ? 'RSS' : base;
  return n ? `${words} #${n}` : words;
}

function figureCell(memory: MemoryResult | undefined, probe: string, cell: Cell): string {
  const p = memory?.probes.find((x) => x.name === probe);
  if (!memory || !p) return '–';
  if (!p.available) return 'unavailable';
  const f = memory.figures[probe];
  return f ? cell(f) : '–';
}

function reclaimCell(f: MemoryFigures): string {
  if (f.beforeExpiry === null || f.afterExpiry === null) return '–';
  const share = f.reclaimedAfterExpiry === null ? '' : `, ${count(Math.round(f.reclaimedAfterExpiry * 100))}% back`;
  return `${bytes(f.beforeExpiry)} → ${bytes(f.afterExpiry)}${share}`;
}

/** Sizes as the summary prints them: exact bytes below 10 KB (and for per-item figures). */
export function bytes(n: number | null, exact = false): string {
  return n === null ? '–' : size(n, exact ? Infinity : 10_000);
}

/** Rows padded to their columns; the first column left-aligned, the others right. */
export function padTable(rows: string[][]): string[] {
  const escaped = rows.map((row) => row.map((c) => c.replaceAll('|', '\\|')));
  const widths = escaped[0]!.map((_, i) => Math.max(3, ...escaped.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(escaped[0]!), rule, ...escaped.slice(1).map(line)];
}
