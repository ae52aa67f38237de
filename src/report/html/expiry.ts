import type { ExpiryResult, ExpiryStats } from '../../result/expiry.js';
import { count, duration } from '../../checks/words.js';
import type { RunResult } from '../../result/result.js';
import { percentileView, seriesChart, type ChartSpec, type LatencyView } from './charts.js';
import { escapeXml as esc } from './escape.js';

/**
 * Session-expiry accuracy, when some run measured it (`expiry` in result.json): the
 * figures side by side; the error (observed end − expected end) and, after a silent
 * partition, the detection delay as percentile curves, one line per run; and the probes'
 * survival curves (share of sessions alive by offset from the expected end) with the wills'
 * answer at the same offsets dashed beside them, so the two methods can be seen to agree.
 */
export interface ExpiryView {
  table: string;
  distributions: { key: string; title: string; what: string; view: LatencyView }[];
  survival: ChartSpec | undefined;
  notes: string[];
}

type Row = [string, (e: ExpiryResult) => string];

const stat = (s: ExpiryStats | null, pick: (s: ExpiryStats) => number): string => (s ? signedDuration(pick(s)) : '–');

const ROWS: Row[] = [
  ['method', (e) => e.method],
  ['sessions', (e) => count(e.sessions)],
  ['error p50 / p99', (e) => `${stat(e.error, (s) => s.p50)} / ${stat(e.error, (s) => s.p99)}`],
  ['error min / max', (e) => `${stat(e.error, (s) => s.min)} / ${stat(e.error, (s) => s.max)}`],
  ['detection p50 / p99 (partition)', (e) => (e.detection ? `${stat(e.detection, (s) => s.p50)} / ${stat(e.detection, (s) => s.p99)}` : '–')],
  ['ended early', (e) => count(e.early)],
  ['never ended', (e) => count(e.never)],
  ['wills missing', (e) => count(e.willMissing)],
  ['will/probe contradictions', (e) => count(e.contradictions)],
  ['methods agree', (e) => (e.agreement.agree === null ? '–' : e.agreement.agree ? 'yes' : 'no')],
  ['harness resolution', (e) => (e.resolution.harnessMs === null ? '–' : duration(e.resolution.harnessMs))],
  ['broker resolution', (e) => `${duration(e.resolution.brokerMs)} (${e.resolution.broker})`],
];

export function expiryView(runs: readonly RunResult[], colors: readonly string[]): ExpiryView | undefined {
  if (!runs.some((r) => r.expiry)) return undefined;
  const head = `<tr><th></th>${runs.map((r, i) => `<th scope="col"><span class="chip" style="background:${colors[i]}"></span>${esc(r.label)}</th>`).join('')}</tr>`;
  const rows = ROWS.map(
    ([name, cell]) =>
      `<tr><th scope="row">${esc(name)}</th>${runs
        .map((r) => `<td data-expiry="${esc(name)}" data-run="${esc(r.id)}">${esc(!r.expiry ? '–' : r.expiry.measured ? cell(r.expiry) : 'not measured')}</td>`)
        .join('')}</tr>`,
  );
  const table = `<table class="wide expiry"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;

  const measured = (r: RunResult): ExpiryResult | undefined => (r.expiry?.measured ? r.expiry : undefined);
  const distributions = [
    { key: 'error', title: 'Session expiry error', yLabel: 'error', what: 'observed end − (close + Session Expiry Interval), per session; sessions that ended early count at 0 (see "ended early")' },
    { key: 'detection', title: 'Partition detection delay', yLabel: 'delay', what: 'silent partition to the moment the broker learned of it (will − expiry): keep-alive × 1.5 plus the broker’s sweep' },
  ]
    .map(({ key, title, yLabel, what }) => {
      const view = percentileView(title, runs.map((r) => measured(r)?.histograms[key as 'error' | 'detection']), runs, colors);
      if (view.chart) view.chart.yLabel = yLabel;
      return { key, title, what, view };
    })
    .filter((d) => d.view.chart !== undefined);

  const lines = runs.flatMap((r, i) =>
    (measured(r)?.groups ?? []).flatMap((g) =>
      g.closes.flatMap((c, k) => {
        const name = `${r.label} · ${g.group} ${c.close}`;
        // A run's second kind of close in a lighter shade of its colour.
        const color = k === 0 ? colors[i]! : `${colors[i]}99`;
        const probes = { label: `${name}: probes`, color, points: c.survival.points.map((p) => ({ atMs: p.offsetMs, value: p.fraction })) };
        const wills = c.survival.points.filter((p) => p.willFraction !== null).map((p) => ({ atMs: p.offsetMs, value: p.willFraction! }));
        return wills.length > 0 ? [probes, { label: `${name}: wills`, color, points: wills, dash: true }] : [probes];
      }),
    ),
  );
  const survival = seriesChart('Session survival by offset from the expected end', '%', lines, 'sessions alive', 'offset from close + expiry');
  if (survival) survival.stepped = false;

  const notes: string[] = [];
  for (const r of runs) {
    const e = r.expiry;
    if (!e) continue;
    const tag = runs.length > 1 ? `${r.label}: ` : '';
    if (e.notMeasured) notes.push(`${tag}${e.notMeasured}`);
    if (e.measured) notes.push(`${tag}${e.agreement.explanation}`);
    notes.push(...e.notes.map((n) => `${tag}${n}`));
  }
  return { table, distributions, survival, notes: [...new Set(notes)] };
}

function signedDuration(ms: number): string {
  return ms < 0 ? `−${duration(-ms)}` : duration(ms);
}
