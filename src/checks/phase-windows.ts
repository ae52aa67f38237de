import type { RunRecord } from '../engine/run-record.js';
import type { PhasePlan } from '../scenario/plan.js';

/** One phase as it ran: its plan, the label the engine gave it, from its start to its end (absent: cut short). */
export interface PhaseWindow {
  index: number;
  phase: PhasePlan;
  label: string;
  start: number;
  end?: number;
}

/** The phases that started, from the timeline (times on the run clock). */
export function phaseWindows(record: RunRecord): PhaseWindow[] {
  const windows: PhaseWindow[] = [];
  for (const e of record.timeline) {
    const phase = e.kind === 'phase-start' ? record.run.phases[e.phase] : undefined;
    if (e.kind === 'phase-start' && phase) windows.push({ index: e.phase, phase, label: e.label, start: e.at });
    if (e.kind === 'phase-end') {
      const open = windows.find((w) => w.index === e.phase && w.end === undefined);
      if (open) open.end = e.at;
    }
  }
  return windows;
}
