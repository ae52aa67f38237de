import { count, duration } from '../checks/words.js';
import { ALPHA } from './distribution.js';
import { baselineText, value, type Comparison, type DistributionRow, type MetricRow, type RunComparison } from './compare.js';

/**
 * `compare` output: padded tables that read in a terminal and are Markdown too; with
 * `markdown`, a pull-request comment — the verdict and the rows that changed first, every
 * metric of every run folded away under <details>.
 */
export function renderComparison(c: Comparison, options: { markdown?: boolean } = {}): string {
  return `${(options.markdown ? markdown(c) : text(c)).join('\n').trimEnd()}\n`;
}

function text(c: Comparison): string[] {
  const lines = [
    `mqtt-chaos compare: ${c.current.scenario}${otherScenarios(c)}`,
    ...c.baselines.map((b) => `baseline: ${b.file} (started ${b.startedAt}, ${b.tool})`),
    `current:  ${c.current.file} (started ${c.current.startedAt}, ${c.current.tool})`,
    `tolerances: ${toleranceList(c)}`,
    '',
  ];
  for (const run of c.runs) lines.push(...runTables(run), '');
  lines.push(...unmatched(c), ...verdict(c));
  return lines;
}

function markdown(c: Comparison): string[] {
  const lines = [`### mqtt-chaos compare: ${c.current.scenario}`, ''];
  lines.push(c.regressions.length === 0 ? `✅ **no regression** against the baseline` : `❌ **${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}** against the baseline`, '');
  if (c.regressions.length > 0) lines.push(...c.regressions.map((r) => `- ${r}`), '');
  const changed = c.runs.flatMap((run) =>
    [...run.metrics, ...run.distances].filter((r) => r.status === 'regression' || r.direction === 'better' || r.direction === 'worse').map((r) => [run.id, ...metricCells(r)]),
  );
  lines.push(`${baselineList(c)} → current \`${c.current.file}\` (${c.current.startedAt}). Tolerances: ${toleranceList(c, '`')}.`, '');
  if (changed.length > 0) {
    lines.push('**What got better or worse**', '', ...table(['run', ...METRIC_HEAD], changed, [0, 1, 5, 6, 7]), '');
  } else {
    lines.push('No metric got better or worse.', '');
  }
  const shapes = c.runs.flatMap((run) => run.distributions.filter((d) => d.direction !== 'same').map((d) => [run.id, ...distributionCells(d)]));
  if (shapes.length > 0) lines.push('**Latency distributions that moved** (two-sample Kolmogorov–Smirnov, α = ${c.alpha})', '', ...table(['run', ...DISTRIBUTION_HEAD], shapes, [0, 1, 9]), '');
  for (const run of c.runs) {
    lines.push(`<details><summary>${escapeHtml(`${run.label} (${run.id}): ${run.verdict[0].toUpperCase()} → ${run.verdict[1].toUpperCase()}`)}</summary>`, '', ...runTables(run, false), '', '</details>', '');
  }
  lines.push(...unmatched(c));
  return lines;
}

const METRIC_HEAD = ['metric', 'baseline', 'current', 'change', '', 'tolerance', 'status'];
const DISTRIBUTION_HEAD = ['histogram', 'samples', 'p50', 'p90', 'p99', 'p99.9', 'max', 'KS D (worse)', `shape (α = ${ALPHA})`];

function runTables(run: RunComparison, heading = true): string[] {
  const rows = [...run.metrics, ...run.distances].filter((r) => r.baseline !== null || r.current !== null || r.tolerance !== undefined);
  const out = heading ? [`${run.label} (${run.id}): ${run.verdict[0].toUpperCase()} → ${run.verdict[1].toUpperCase()}`, ''] : [];
  out.push(...table(['', ...METRIC_HEAD.slice(1)], [['verdict', run.verdict[0].toUpperCase(), run.verdict[1].toUpperCase(), '', run.verdict[0] === run.verdict[1] ? 'same' : run.verdict[1] === 'pass' ? 'better' : 'worse', '', run.verdict[0] === 'pass' && run.verdict[1] !== 'pass' ? 'REGRESSION' : ''], ...rows.map(metricCells)], [0, 4, 5, 6]));
  if (run.distributions.length > 0) out.push('', ...table(DISTRIBUTION_HEAD, run.distributions.map(distributionCells), [0, 8]));
  return out;
}

function metricCells(r: MetricRow): string[] {
  const limit = r.limit === undefined || r.limit === null ? '' : ` (${bound(r)} ${value(r.limit, r.kind)})`;
  return [
    r.metric,
    baselineText(r),
    value(r.current, r.kind),
    change(r),
    r.direction === 'n/a' ? '' : r.direction,
    r.tolerance ? `${r.tolerance}${limit}${r.isDefault ? ' (default)' : ''}` : '',
    r.status === 'regression' ? 'REGRESSION' : r.status,
  ];
}

function bound(r: MetricRow): string {
  const op = r.tolerance?.match(/(==|!=|<=|>=|<|>)/)?.[1];
  if (op) return op;
  return r.better === 'higher' ? '>=' : '<=';
}

function distributionCells(d: DistributionRow): string[] {
  const q = d.quantiles.map((x) => `${duration(x.baseline)} → ${duration(x.current)}${pct(x.baseline, x.current)}`);
  const ks = `${d.ks.toFixed(3)} (${d.ksWorse.toFixed(3)})`;
  const shape = d.direction === 'same' ? `same (D ≤ ${d.critical.toFixed(3)})` : `${d.direction}: D > ${d.critical.toFixed(3)}, largest gap at ${duration(d.at)}`;
  return [d.metric, `${count(d.counts[0])} → ${count(d.counts[1])}`, ...q, ks, shape];
}

function otherScenarios(c: Comparison): string {
  const others = [...new Set(c.baselines.map((b) => b.scenario))].filter((s) => s !== c.current.scenario);
  return others.length > 0 ? ` (baseline: ${others.join(', ')})` : '';
}

function baselineList(c: Comparison): string {
  const one = (b: Comparison['baselines'][number]) => `\`${b.file}\` (${b.startedAt})`;
  return c.baselines.length === 1 ? `Baseline ${one(c.baselines[0]!)}` : `Baselines ${c.baselines.map(one).join(', ')}`;
}

function pct(from: number, to: number): string {
  if (from === 0 || from === to) return '';
  const r = ((to - from) / from) * 100;
  return ` (${r > 0 ? '+' : ''}${Number(r.toPrecision(2))}%)`;
}

function change(r: MetricRow): string {
  if (r.change === null) return '';
  if (r.change === 0) return r.band && r.band[0] !== r.band[1] ? 'within band' : '0';
  const sign = r.change > 0 ? '+' : '−';
  const size = Math.abs(r.change);
  const amount = r.kind === 'ratio' ? `${count(Number((size * 100).toPrecision(3)))} pp` : value(size, r.kind);
  const relative = r.relative === null || r.kind === 'ratio' ? '' : ` (${r.relative > 0 ? '+' : '−'}${count(Number(Math.abs(r.relative * 100).toPrecision(2)))}%)`;
  return `${sign}${amount}${relative}`;
}

function toleranceList(c: Comparison, quote = ''): string {
  if (c.tolerances.length === 0) return 'none';
  return c.tolerances.map((t) => `${quote}${t.source}${quote}${t.isDefault ? ' (default)' : ''}`).join(', ');
}

function unmatched(c: Comparison): string[] {
  const out: string[] = [];
  if (c.onlyInBaseline.length > 0) out.push(`Only in the baseline (missing from the current result): ${c.onlyInBaseline.join(', ')}`);
  if (c.onlyInCurrent.length > 0) out.push(`Only in the current result (not compared): ${c.onlyInCurrent.join(', ')}`);
  return out.length > 0 ? [...out, ''] : [];
}

function verdict(c: Comparison): string[] {
  if (c.regressions.length === 0) return ['no regression'];
  return [`${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}:`, ...c.regressions.map((r) => `- ${r}`)];
}

/** A padded Markdown table; `left` columns are left-aligned, the rest right-aligned. */
function table(head: string[], rows: string[][], left: number[]): string[] {
  const all = [head, ...rows].map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
  const widths = head.map((_, i) => Math.max(3, ...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (left.includes(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (left.includes(i) ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}
