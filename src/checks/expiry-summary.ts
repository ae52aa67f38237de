/**
 * The session-expiry rows of the side-by-side table (only when a run measured expiry) and
 * each run's survival curves, for summary.md. Rendered from result.json alone.
 */
import { anyMeasured, type Row } from '../report/measured.js';
import type { RunResult } from '../result/result.js';
import { signed } from './words.js';
import type { ExpiryCloseResult, ExpiryResult, ExpiryStats } from '../result/expiry.js';
import { count, duration } from './words.js';

const cell = (read: (e: ExpiryResult) => string) => (run: RunResult) => {
  const e = run.expiry;
  if (!e) return '–';
  return e.measured ? read(e) : '–';
};

const expiry = anyMeasured('expiry');

/** Shown only when some run has a measure-expiry phase; its key counts first. */
export const EXPIRY_ROWS: Row[] = ([
  ['expiry sessions', (run: RunResult) => (run.expiry ? (run.expiry.measured ? sessionsCell(run.expiry) : 'not measured') : '–')],
  ['expiry error p50 / p99', cell((e) => pair(e.error))],
  ['expiry early / never', cell((e) => `${count(e.early)} / ${count(e.never)}`)],
  ['expiry wills missing / contradicted', cell((e) => `${count(e.willMissing)} / ${count(e.contradictions)}`)],
  ['detection p50 / p99', cell((e) => pair(e.detection))],
  ['probe boundary', cell(boundaryCell)],
  ['expiry methods agree', cell((e) => (e.agreement.agree === null ? '–' : `${e.agreement.agree ? 'yes' : 'NO'}${e.agreement.worstDeltaMs !== null ? ` (Δ ${signed(e.agreement.worstDeltaMs)})` : ''}`))],
  ['harness / broker resolution', cell((e) => `${e.resolution.harnessMs === null ? '–' : duration(e.resolution.harnessMs)} / ${duration(e.resolution.brokerMs)}`)],
] as [string, (run: RunResult) => string][]).map(([name, read]): Row => [name, read, expiry]);

function sessionsCell(e: ExpiryResult): string {
  const by = new Map<string, number>();
  for (const c of e.groups.flatMap((g) => g.closes)) by.set(c.close, (by.get(c.close) ?? 0) + c.sessions);
  return `${count(e.sessions)} (${[...by].map(([close, n]) => `${count(n)} ${close}`).join(', ')})`;
}

function boundaryCell(e: ExpiryResult): string {
  const parts = e.groups.flatMap((g) =>
    g.closes
      .filter((c) => c.probed > 0)
      .map((c) => `${e.groups.length > 1 ? `${g.group} ` : ''}${c.close} ${boundaryWords(c)}`),
  );
  return parts.join('; ') || '–';
}

function boundaryWords(c: ExpiryCloseResult): string {
  const s = c.survival;
  if (s.boundaryMs !== null) return `E ${signed(s.boundaryMs)}`;
  return s.outside === 'after' ? `after E ${signed(s.points.at(-1)?.offsetMs ?? 0)}` : `before E ${signed(s.points[0]?.offsetMs ?? 0)}`;
}

function pair(s: ExpiryStats | null): string {
  return s ? `${duration(s.p50)} / ${duration(s.p99)}` : '–';
}

/** Per run: each survival curve beside the will method's, as a small table. */
export function expirySection(run: RunResult): string[] {
  const e = run.expiry;
  if (!e?.measured) return [];
  const lines: string[] = [];
  for (const g of e.groups) {
    for (const c of g.closes) {
      if (c.survival.points.length === 0) continue;
      const frame = c.close === 'partition' ? 'the cut' : 'the close';
      lines.push(
        `Survival, ${g.group}, ${c.close} (offsets from ${frame} + ${duration(c.expectedMs)}; ${count(c.probed)} probes, one per session):`,
        '',
        '| offset | probes | alive (probes) | alive (wills) |',
        '|-------:|-------:|---------------:|--------------:|',
        ...c.survival.points.map(
          (p) => `| ${signed(p.offsetMs)} | ${count(p.probes)} | ${percent(p.fraction)} | ${p.willFraction === null ? '–' : percent(p.willFraction)} |`,
        ),
        '',
      );
    }
  }
  return lines;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
