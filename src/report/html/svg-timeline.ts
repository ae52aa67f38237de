import { duration } from '../../checks/words.js';
import type { RunResult } from '../../result/result.js';
import { escapeXml as esc } from './escape.js';

/**
 * The runs' timelines as static SVG, one lane per run on one time axis (ms from each run's
 * start), so the same phase of v3.1.1 and v5 sit one above the other: the phases as
 * coloured segments, each fault as a red band under its lane from start to heal, and the
 * first time the broker refused or changed each thing as a dark mark on the lane.
 */

const KIND_COLORS: Record<string, string> = {
  connect: '#8fb3d9',
  subscribe: '#a9d3ab',
  fault: '#e07b7b',
  publish: '#5cb85c',
  wait: '#d9d9d9',
  heal: '#f0ad4e',
  drain: '#a58fd6',
  disconnect: '#b0b0b0',
};
const OTHER = '#c8c8c8';

export interface Segment {
  kind: string;
  label: string;
  start: number;
  end: number;
  /** Set when the phase never ended (the run stopped in it). */
  open?: boolean;
  detail?: string;
}

export interface Lane {
  phases: Segment[];
  faults: Segment[];
  /** What the broker refused or changed, first seen at `at`. */
  said: { at: number; label: string }[];
  end: number;
}

/** Phases and faults of one run, paired from its timeline events. */
export function laneOf(run: RunResult): Lane {
  const end = Math.max(run.durationMs, ...run.timeline.map((e) => e.at));
  const phases: Segment[] = [];
  const faults: (Segment & { groups: string[] })[] = [];
  const open = new Map<number, { at: number; label: string }>();
  const drained = new Map<number, string>();
  const said: Lane['said'] = [];
  for (const e of run.timeline) {
    switch (e.kind) {
      case 'phase-start':
        open.set(e.phase, { at: e.at, label: e.label });
        break;
      case 'phase-end': {
        const start = open.get(e.phase);
        open.delete(e.phase);
        if (start) phases.push(segment(start.label, start.at, e.at, drained.get(e.phase)));
        break;
      }
      case 'drain-end':
        drained.set(e.phase, `ended: ${e.reason}`);
        break;
      case 'broker-said':
        said.push({ at: e.at, label: e.label });
        break;
      case 'fault-start':
        faults.push({ kind: 'fault', label: e.label, start: e.at, end, open: true, groups: e.groups });
        break;
      case 'fault-stop':
        for (const f of faults) {
          if (f.open && f.groups.some((g) => e.groups.includes(g))) {
            f.end = e.at;
            delete f.open;
            f.detail = `healed after ${duration(e.at - f.start)}`;
          }
        }
        break;
    }
  }
  for (const start of open.values()) phases.push({ ...segment(start.label, start.at, end, 'did not finish: the run stopped here'), open: true });
  for (const f of faults) if (f.open) f.detail = 'not healed before the run ended';
  phases.sort((a, b) => a.start - b.start);
  return { phases, faults: faults.map(({ groups: _groups, ...f }) => f), said, end };
}

function segment(label: string, start: number, end: number, detail?: string): Segment {
  return { kind: label.split(' ')[0] ?? '', label, start, end, ...(detail ? { detail } : {}) };
}

const WIDTH = 960;
const LEFT = 8;
const RIGHT = 16;
const LABEL_ROW = 16;
const LANE = 22;
const FAULT_ROW = 7;
const LANE_GAP = 14;
const AXIS = 24;

export function svgTimeline(runs: readonly RunResult[], colors: readonly string[]): string {
  const lanes = runs.map(laneOf);
  const end = Math.max(1, ...lanes.map((l) => l.end));
  const span = WIDTH - LEFT - RIGHT;
  const x = (ms: number): number => LEFT + (ms / end) * span;
  const parts: string[] = [];
  let y = 0;
  runs.forEach((run, i) => {
    const lane = lanes[i]!;
    parts.push(
      `<rect x="${LEFT}" y="${y + 3}" width="10" height="10" rx="2" fill="${colors[i]}"/>`,
      `<text class="lane-label" x="${LEFT + 15}" y="${y + 12}">${esc(run.label)} · ${esc(duration(run.durationMs))}${run.verdict === 'incomplete' || run.incomplete ? ' · incomplete' : ''}${run.verdict === 'unsupported' ? ' · not run' : ''}</text>`,
    );
    y += LABEL_ROW + 2;
    parts.push(`<rect class="lane" x="${LEFT}" y="${y}" width="${span}" height="${LANE}" fill="#f4f4f4"/>`);
    for (const p of lane.phases) {
      const left = x(p.start);
      const width = Math.max(1, x(p.end) - left);
      const tip = `${p.label}: ${duration(p.end - p.start)} (${duration(p.start)} – ${duration(p.end)})${p.detail ? `, ${p.detail}` : ''}`;
      const name = p.kind + (p.detail?.startsWith('ended: ') ? ` (${p.detail.slice(7)})` : '');
      const text = name.length * 6.2 + 6 < width ? `<text class="phase-label" x="${(left + 3).toFixed(1)}" y="${y + LANE / 2}" dominant-baseline="middle">${esc(name)}</text>` : '';
      parts.push(
        `<g class="phase" data-kind="${esc(p.kind)}"><title>${esc(tip)}</title>` +
          `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${LANE}" fill="${KIND_COLORS[p.kind] ?? OTHER}" stroke="#fff" stroke-width="1"${p.open ? ' stroke-dasharray="3 2"' : ''}/>${text}</g>`,
      );
    }
    for (const s of lane.said) {
      const at = x(s.at).toFixed(1);
      parts.push(`<g class="said"><title>${esc(`${duration(s.at)}: the broker — ${s.label}`)}</title><rect x="${at}" y="${y}" width="2" height="${LANE}" fill="#3a2a00"/></g>`);
    }
    y += LANE + 1;
    for (const f of lane.faults) {
      const left = x(f.start);
      const width = Math.max(2, x(f.end) - left);
      parts.push(
        `<g class="fault"><title>${esc(`${f.label}${f.detail ? `: ${f.detail}` : ''}`)}</title>` +
          `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${FAULT_ROW}" fill="#c9302c"${f.open ? ' fill-opacity="0.5"' : ''}/></g>`,
      );
    }
    y += FAULT_ROW + LANE_GAP;
  });
  parts.push(...axis(end, x, y));
  y += AXIS;
  const used = [...new Set(lanes.flatMap((l) => l.phases.map((p) => p.kind)))];
  let lx = LEFT;
  const marks = lanes.some((l) => l.said.length > 0) ? ['refused or changed (mark)'] : [];
  for (const kind of [...used, 'fault (red band: cut until healed)', ...marks]) {
    const color = kind.startsWith('fault (') ? '#c9302c' : kind.startsWith('refused or') ? '#3a2a00' : (KIND_COLORS[kind] ?? OTHER);
    parts.push(`<rect x="${lx}" y="${y}" width="10" height="10" fill="${color}"/><text class="legend" x="${lx + 14}" y="${y + 9}">${esc(kind)}</text>`);
    lx += 14 + kind.length * 6.2 + 14;
  }
  y += 16;
  return `<svg class="chart timeline" role="img" aria-label="run timelines" viewBox="0 0 ${WIDTH} ${y}" width="${WIDTH}" height="${y}">${parts.join('')}</svg>`;
}

/** Ticks at a round step (1, 2 or 5 × a power of ten ms), about eight across. */
function axis(end: number, x: (ms: number) => number, y: number): string[] {
  const raw = end / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const parts = [`<line x1="${LEFT}" x2="${x(end).toFixed(1)}" y1="${y}" y2="${y}" stroke="#999"/>`];
  for (let t = 0; t <= end + 1e-9; t += step) {
    const at = x(t).toFixed(1);
    parts.push(`<line x1="${at}" x2="${at}" y1="${y}" y2="${y + 4}" stroke="#999"/><text class="tick" x="${at}" y="${y + 15}" text-anchor="middle">${esc(tickLabel(t, step))}</text>`);
  }
  return parts;
}

function tickLabel(ms: number, step: number): string {
  if (step < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(step < 10_000 ? 1 : 0))} s`;
}
