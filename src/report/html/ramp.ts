import { count } from '../../checks/words.js';
import type { RampResult } from '../../result/ramp.js';
import type { RunResult } from '../../result/result.js';
import { rampValue } from '../ramp-md.js';
import type { ChartSpec } from './charts.js';
import { runColors } from './colors.js';
import { escapeXml as esc } from './escape.js';

/** The SLO line's colour: neutral, dashed, so it reads apart from the runs' curves. */
const SLO_COLOR = '#6b6b6b';

export interface RampView {
  finding: string;
  table: string;
  /** One curve chart per expectation: its value against the step's value, the SLO line dashed. */
  charts: { id: string; title: string; what: string; spec: ChartSpec }[];
}

/**
 * The ramp in report.html: the finding, a row per step, and per expectation a curve of the
 * measured value over the steps (one line per run of the scenario, e.g. 3.1.1 and 5) with the
 * expectation's threshold drawn across: where a curve crosses it is the knee.
 */
export function rampView(ramp: RampResult, runs: readonly RunResult[]): RampView {
  const x = ramp.steps.filter((s) => s.status !== 'not-run' && s.values.length > 0).map((s) => s.value);
  // One colour per run of the scenario, as the first step's runs have them.
  const firstStep = runs.filter((r) => ramp.steps[0]?.runs.includes(r.id));
  const colors = runColors(firstStep);
  const bases = [...new Set(ramp.steps.flatMap((s) => s.values.map((v) => v.run)))];
  const labelOf = (base: string): string => firstStep.find((r) => r.id.endsWith(`-${base}`))?.protocol ?? base;
  // The expectations that broke first: their curve is the one that crosses its line.
  const broken = (name: string): boolean => ramp.steps.some((s) => s.values.some((v) => v.slo === name && !v.passed));
  const slos = [...ramp.slos.filter((s) => broken(s.name)), ...ramp.slos.filter((s) => !broken(s.name))];
  const charts = slos.flatMap((slo, i) => {
    if (x.length === 0) return [];
    const series = bases.map((base, b) => ({
      label: bases.length > 1 ? `${slo.metric} (${labelOf(base)})` : slo.metric,
      color: colors[b] ?? SLO_COLOR,
      y: x.map((value) => ramp.steps.find((s) => s.value === value)?.values.find((v) => v.slo === slo.name && v.run === base)?.actual ?? null),
    }));
    const spec: ChartSpec = {
      kind: 'steps',
      title: slo.name,
      xLabel: ramp.unit,
      unit: slo.unit === 'fraction' ? '%' : slo.unit === 'count' ? '' : slo.unit,
      yLabel: slo.metric,
      x,
      series: [...series, { label: `SLO ${slo.op} ${rampValue(slo.value, slo.unit)}`, color: SLO_COLOR, y: x.map(() => slo.value), dash: true }],
    };
    return [{ id: `ramp-${i}`, title: slo.name, what: `${slo.metric} at each step (x: ${ramp.group}, ${ramp.unit}); dashed: the expectation's threshold`, spec }];
  });
  return { finding: ramp.finding, table: stepsTable(ramp), charts };
}

const STATUS_CLASS: Record<string, string> = { held: 'pass', broke: 'fail', incomplete: 'incomplete', stopped: 'incomplete', 'not-run': 'unsupported' };

function stepsTable(ramp: RampResult): string {
  const head = `<tr><th>step</th><th>${esc(ramp.unit)}</th><th>result</th>${ramp.slos.map((s) => `<th>${esc(s.name)}</th>`).join('')}<th>why</th></tr>`;
  const rows = ramp.steps.map((step, i) => {
    const cells = ramp.slos.map((slo) => {
      const values = step.values.filter((v) => v.slo === slo.name);
      if (values.length === 0) return '<td class="muted">–</td>';
      const text = values.map((v) => `${values.length > 1 ? `${v.run}: ` : ''}${rampValue(v.actual, slo.unit)}`).join(', ');
      return `<td class="${values.every((v) => v.passed) ? 'ok' : 'bad'}" data-step="${i + 1}" data-slo="${esc(slo.name)}">${esc(text)}</td>`;
    });
    const status = `<span class="verdict ${STATUS_CLASS[step.status]}">${esc(step.status.replace('-', ' ').toUpperCase())}</span>`;
    return `<tr data-step="${i + 1}"><th scope="row">${i + 1}</th><td>${esc(count(step.value))}</td><td>${status}</td>${cells.join('')}<td class="why">${esc(step.reasons.join('; '))}</td></tr>`;
  });
  return `<table class="wide ramp"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}
