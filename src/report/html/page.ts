import { createHash } from 'node:crypto';
import { LOSS_REASONS } from '../../result/loss.js';
import { isExpressionError, parseExpression } from '../../checks/expression.js';
import type { Percentiles } from '../../result/latency.js';
import { count, duration } from '../../checks/words.js';
import { anyMeasured } from '../measured.js';
import type { Check, Result, RunResult } from '../../result/result.js';
import { saidLine } from '../said-md.js';
import { rowsFor } from '../summary-md.js';
import { chartAssets } from './assets.js';
import { LATENCIES, latencyView, percentileView, TABLE_PERCENTILES, type ChartSpec, type LatencyView } from './charts.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { runColors } from './colors.js';
import { escapeXml as esc, jsonForScript } from './escape.js';
import { expiryView } from './expiry.js';
import { memoryView } from './memory.js';
import { agentsHtml } from './agents.js';
import { rampView } from './ramp.js';
import { STYLE } from './style.js';
import { svgBars } from './svg-bars.js';
import { svgTimeline } from './svg-timeline.js';

/**
 * report.html: one self-contained page rendered from result.json alone — the chart library,
 * its stylesheet, the data and the page's script are inline, and its Content-Security-Policy
 * lets nothing load from anywhere, so it opens offline from disk. Every run is a column or
 * a coloured line, v3.1.1 beside v5 throughout. Every string from the result is escaped; the
 * scripts run by hash, so even a string that slipped through could not run as one.
 */
export function renderHtml(result: Result): string {
  const runs = result.runs;
  const colors = runColors(runs);
  const charts: Record<string, ChartSpec> = {};
  const chartBox = (id: string, spec: ChartSpec | undefined, what: string, table: string, emptyText: string, heading?: string): string => {
    if (spec) charts[id] = spec;
    const title = spec?.title ?? heading ?? '';
    const plot = spec ? `<div class="plot" data-chart="${id}" role="img" aria-label="${esc(title)}"></div>` : `<p class="empty">${esc(emptyText)}</p>`;
    return `<div class="chart-box">${title ? `<h3>${esc(title)}</h3>` : ''}<p class="what">${esc(what)}</p>${plot}${table}</div>`;
  };

  // Only curves with samples: a section of "no samples" boxes would come before the answer.
  const latencyViews = LATENCIES.map((l) => ({ ...l, view: latencyView(l.key, l.title, runs, colors) }));
  const latency = latencyViews
    .filter(({ view }) => view.chart)
    .map(({ key, title, what, metric, view }) => {
      const table = latencyTable(runs, colors, view, runs.map((r) => stats(r, key)), metric);
      return chartBox(`latency-${key}`, view.chart, `${what}; each line is one run's percentile curve (x: percentile, log scale towards the tail)`, table, '', title);
    });
  // How stale what devices got back was: arrival − send of the messages sent while they were away.
  const age = percentileView(AGE_TITLE, runs.map((r) => (r.verdict === 'unsupported' ? undefined : r.histograms.offlineAge)), runs, colors);
  if (age.chart) latency.push(chartBox('latency-offline-age', age.chart, AGE_WHAT, latencyTable(runs, colors, age, runs.map((r) => r.offlineAge), 'redelivery.age'), '', AGE_TITLE));
  const unsampled = latencyViews.filter(({ view }) => !view.chart).map(({ title }) => title);
  const latencySection =
    latency.length > 0
      ? section('latency', 'Latency', [...latency, unsampled.length > 0 ? `<p class="empty">No samples in any run: ${esc(unsampled.join(', '))}.</p>` : ''])
      : '';
  const memory = memoryView(runs, colors);
  const memorySection = memory
    ? section('memory', 'Broker memory', [
        memory.table,
        ...memory.charts.map((c, i) => chartBox(`memory-${i}`, c.spec, c.what, '', '')),
        memory.notes.length > 0 ? `<ul class="notes">${memory.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
      ])
    : '';
  const expiry = expiryView(runs, colors);
  const expirySection = expiry
    ? section('expiry', 'Session expiry', [
        expiry.table,
        ...expiry.distributions.map((d) => chartBox(`expiry-${d.key}`, d.view.chart, d.what, latencyTable(runs, colors, d.view, runs.map(() => undefined), `expiry.${d.key}`), '')),
        chartBox('expiry-survival', expiry.survival, 'share of probed sessions still alive by offset from their expected end (solid), and of will-timed sessions (dashed): the two methods should cross 50% together', '', 'no probes'),
        expiry.notes.length > 0 ? `<ul class="notes">${expiry.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
      ])
    : '';
  const ramp = result.ramp ? rampView(result.ramp, runs) : undefined;
  const rampSection = ramp
    ? section('ramp', 'Ramp to the knee', [`<p class="lead finding">${esc(ramp.finding)}</p>`, ramp.table, ...ramp.charts.map((c) => chartBox(c.id, c.spec, c.what, '', ''))])
    : '';
  const messagesSection = anyMeasured('redelivery')(runs) ? section('messages', 'Messages', [outcomes(runs, colors)]) : '';
  // What the phases measured leads (measured.ts); memory sampled without measure phases is context, after the timeline.
  const memoryMeasured = anyMeasured('memory')(runs);

  const body = [
    header(result, colors),
    rampSection,
    '<h2 id="summary">Summary</h2>',
    summaryTable(runs, colors),
    expirySection,
    memoryMeasured ? memorySection : '',
    messagesSection,
    latencySection,
    '<h2 id="verdicts">Checks and what the spec made of the settings</h2>',
    checksTable(runs, colors),
    runCards(runs, colors),
    '<h2 id="timeline">Timeline</h2>',
    '<p class="what muted">Phases of each run on its own clock (ms from the run\'s start); a red band under a lane is a fault, from its start until it was healed. Hover for details.</p>',
    svgTimeline(runs, colors),
    memoryMeasured ? '' : memorySection,
    agentsHtml(runs),
    footer(result),
  ].join('\n');

  const assets = chartAssets();
  const data = `<script type="application/json" id="report-data">${jsonForScript({ charts })}</script>`;
  const csp = [
    "default-src 'none'",
    `script-src ${sha(assets.script)} ${sha(CLIENT_SCRIPT)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(`${result.tool.name} ${result.tool.version}`)}">
<title>${esc(`mqtt-chaos: ${result.scenario.name}`)}</title>
<!-- Charts: uPlot ${esc(assets.version)}, inlined below. Its license:
${assets.license}
-->
<style>${assets.style}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
${data}
<script>${assets.script}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** A section of its own, so its charts and lists are its heading's siblings and nobody else's. */
const AGE_TITLE = 'Age of offline messages';
const AGE_WHAT = 'arrival − send of each message sent while its subscriber was away: how old what a device gets back is (an MQTT 5 Message Expiry Interval bounds it; 3.1.1 has none)';

function section(id: string, title: string, parts: string[]): string {
  return `<section class="part"><h2 id="${id}">${esc(title)}</h2>\n${parts.filter(Boolean).join('\n')}</section>`;
}

function sha(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

const chip = (color: string): string => `<span class="chip" style="background:${color}"></span>`;
const verdictBadge = (run: RunResult): string => `<span class="verdict ${esc(run.verdict)}">${esc(run.verdict.toUpperCase())}</span>`;
const runHead = (runs: readonly RunResult[], colors: readonly string[]): string =>
  `<tr><th></th>${runs.map((r, i) => `<th scope="col" data-run="${esc(r.id)}">${chip(colors[i]!)}${esc(r.label)}</th>`).join('')}</tr>`;

function header(result: Result, colors: readonly string[]): string {
  const broker = result.runs[0]?.broker.description;
  const meta = [broker, `started ${result.startedAt}`, `seed ${result.seed}`, `scenario file ${result.scenario.file}`].filter(Boolean).map((m) => esc(m!));
  const legend = result.runs.map((r, i) => `<li>${chip(colors[i]!)}${esc(r.label)} <span class="muted">(MQTT ${esc(r.protocol)})</span> ${verdictBadge(r)}</li>`);
  return [
    `<h1>mqtt-chaos: ${esc(result.scenario.name)}</h1>`,
    result.scenario.description ? `<p class="lead">${esc(result.scenario.description)}</p>` : '',
    `<p class="meta">${meta.join(' · ')}</p>`,
    `<ul class="legend-runs">${legend.join('')}</ul>`,
  ].join('\n');
}

/** The rows of summary.md, as a table. */
function summaryTable(runs: readonly RunResult[], colors: readonly string[]): string {
  const rows = [
    `<tr><th scope="row">verdict</th>${runs.map((r) => `<td data-row="verdict" data-run="${esc(r.id)}">${verdictBadge(r)}</td>`).join('')}</tr>`,
    ...rowsFor(runs).map(
      ([name, cell]) =>
        `<tr><th scope="row">${esc(name)}</th>${runs.map((r) => `<td data-row="${esc(name)}" data-run="${esc(r.id)}">${esc(r.verdict === 'unsupported' ? '–' : cell(r))}</td>`).join('')}</tr>`,
    ),
  ];
  return `<table class="wide summary"><thead>${runHead(runs, colors)}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Every check of every run: one row per check, one column per run. */
function checksTable(runs: readonly RunResult[], colors: readonly string[]): string {
  const names = [...new Set(runs.flatMap((r) => r.checks.map((c) => c.name)))];
  if (names.length === 0) return '<p class="empty">No checks: no run was done.</p>';
  const rows = names.map((name) => {
    const cells = runs.map((r) => {
      const check = r.checks.find((c) => c.name === name);
      if (r.verdict === 'unsupported') return '<td class="muted">not run</td>';
      if (!check) return '<td class="muted">–</td>';
      const actual = actualText(check);
      return `<td class="${check.passed ? 'ok' : 'bad'}" data-check="${esc(name)}" data-run="${esc(r.id)}" title="${esc(check.explanation)}">${check.passed ? '✓' : '✗'} ${esc(actual)}</td>`;
    });
    return `<tr><th scope="row">${esc(name)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="wide checks"><thead>${runHead(runs, colors)}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The measured value in the unit of its threshold: a ratio as a percentage, a duration in ms or s. */
function actualText(check: Check): string {
  if (check.actual === null) return 'no samples';
  const parsed = parseExpression(check.name);
  const unit = isExpressionError(parsed) ? 'count' : parsed.unit;
  if (unit === 'fraction') return `${count(check.actual * 100)}%`;
  if (unit === 'ms') return duration(check.actual);
  return count(check.actual);
}

/** Shortfalls; an older result without them still says it stopped early. */
function incompleteItems(run: RunResult): string[] {
  const shortfalls = (run.shortfalls ?? []).map((s) => s.text);
  if (shortfalls.length === 0 && run.incomplete) return [`the run stopped early: ${run.incomplete}`];
  return shortfalls;
}

const said = (run: RunResult) => (run.brokerSaid ?? []).filter((s) => s.kind !== 'told');

/** Per run: what failed and why, what the settings meant, notes. Side by side. */
function runCards(runs: readonly RunResult[], colors: readonly string[]): string {
  const cards = runs.map((run, i) => {
    const failed = run.checks.filter((c) => !c.passed);
    const list = (items: string[], cls = ''): string => `<ul${cls ? ` class="${cls}"` : ''}>${items.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>`;
    const parts = [
      `<h3>${esc(run.label)} ${verdictBadge(run)}</h3>`,
      `<p class="muted">MQTT ${esc(run.protocol)} · ${esc(duration(run.durationMs))} · ${esc(run.broker.description)}</p>`,
      run.unsupported ? `<p class="label">Not run</p>${list([run.unsupported])}` : '',
      incompleteItems(run).length > 0 ? `<p class="label">Incomplete: the run could not do what the scenario asked</p>${list(incompleteItems(run), 'failed')}` : '',
      said(run).length > 0 ? `<p class="label">What the broker refused or changed</p>${list(said(run).map(saidLine), 'said')}` : '',
      failed.length > 0 ? `<p class="label">Failed checks</p>${list(failed.map((c) => `${c.name}: ${c.explanation}`), 'failed')}` : '',
      run.explanations.length > 0 ? `<p class="label">Why these numbers</p>${list(run.explanations)}` : '',
      run.notes.length > 0 ? `<p class="label">Notes</p>${list(run.notes)}` : '',
    ];
    return `<section class="card" style="--card:${colors[i]}" data-run="${esc(run.id)}">${parts.join('')}</section>`;
  });
  return `<div class="cards">${cards.join('')}</div>`;
}

function outcomes(runs: readonly RunResult[], colors: readonly string[]): string {
  const value = (pick: (r: RunResult) => number) => runs.map((r) => (r.verdict === 'unsupported' ? null : pick(r)));
  const chart = svgBars({
    title: 'message outcomes per run',
    series: runs.map((r, i) => ({ label: r.label, color: colors[i]! })),
    categories: [
      { name: 'sent while offline', hint: 'messages (any QoS) sent while their subscriber was offline', values: value((r) => r.redelivery.offline) },
      { name: 'expected', hint: 'QoS>=1 messages the spec says had to arrive', values: value((r) => r.redelivery.expected) },
      { name: 'delivered', hint: 'expected messages that arrived', values: value((r) => r.redelivery.delivered) },
      { name: 'lost', hint: 'expected messages that never arrived', values: value((r) => r.redelivery.lost) },
      { name: 'duplicates', hint: 'extra copies (allowed at QoS 1, a violation at QoS 2)', values: value((r) => r.redelivery.duplicates) },
      { name: 'unexpected', hint: 'arrived though the spec had no session to hold them', values: value((r) => r.redelivery.unexpected) },
    ],
  });
  const causes = runs.flatMap((r) => {
    const reasons = LOSS_REASONS.filter((reason) => (r.redelivery.lostBy[reason] ?? 0) > 0).map((reason) => `${count(r.redelivery.lostBy[reason])} ${reason}`);
    return reasons.length > 0 ? [`<li><strong>${esc(r.label)}</strong>: lost ${esc(reasons.join(', '))}</li>`] : [];
  });
  return `<div class="chart-box">${chart}</div>${causes.length > 0 ? `<p class="label">Loss causes</p><ul>${causes.join('')}</ul>` : ''}`;
}

function stats(run: RunResult, key: (typeof LATENCIES)[number]['key']): Percentiles | null | undefined {
  if (run.verdict === 'unsupported') return undefined;
  return key === 'redelivery' ? run.redelivery.latency : key === 'e2e' ? run.latency.e2e : run.reconnect.time;
}

/**
 * Under each curve, the numbers: p50, p90, p99 and max as result.json holds them (what the
 * checks used), p99.9 from the histogram, and the sample count.
 */
function latencyTable(runs: readonly RunResult[], colors: readonly string[], view: LatencyView, stored: readonly (Percentiles | null | undefined)[], metric: string): string {
  const labels = TABLE_PERCENTILES.map((p) => (p === 100 ? 'max' : `p${p}`));
  const head = `<tr><th></th><th>samples</th>${labels.map((l) => `<th>${l}</th>`).join('')}</tr>`;
  const rows = runs.map((run, i) => {
    const fromHistogram = view.rows[i];
    const s = stored[i];
    const cells = labels.map((label, j) => {
      const value = s && label !== 'p99.9' ? (s as unknown as Record<string, number>)[label] : fromHistogram?.values[j];
      return value === undefined ? '<td class="muted">–</td>' : `<td data-metric="${esc(`${metric}.${label}`)}" data-run="${esc(run.id)}" data-value="${value}">${esc(duration(value))}</td>`;
    });
    const samples = s?.count ?? fromHistogram?.count;
    const none = run.verdict === 'unsupported' ? 'not run' : 'no samples';
    return `<tr><th scope="row">${chip(colors[i]!)}${esc(run.label)}</th><td>${samples === undefined ? `<span class="muted">${none}</span>` : count(samples)}</td>${cells.join('')}</tr>`;
  });
  return `<table class="latency">${`<thead>${head}</thead>`}<tbody>${rows.join('')}</tbody></table>`;
}

function footer(result: Result): string {
  return `<footer>Rendered by ${esc(result.tool.name)} ${esc(result.tool.version)} from result.json (schema ${esc(String(result.schemaVersion))}); re-render with <code>mqtt-chaos report result.json</code>. Charts by uPlot (MIT).</footer>`;
}
