import { count, duration, size } from '../checks/words.js';
import type { RampStep, RampStepStatus } from '../result/ramp.js';
import type { Result } from '../result/result.js';
import { padTable } from './memory-md.js';

const STATUS: Record<RampStepStatus, string> = { held: 'HELD', broke: 'BROKE', incomplete: 'INCOMPLETE', stopped: 'STOPPED', 'not-run': 'not run' };

/** A measured value in its metric's unit, as a person reads it. */
export function rampValue(value: number | null, unit: string): string {
  if (value === null) return '–';
  if (unit === 'B') return size(value);
  if (unit === 'ms') return duration(value);
  if (unit === 'fraction') return `${count(Math.round(value * 1000) / 10)}%`;
  return count(value);
}

/**
 * The ramp part of summary.md, first thing after the heading: the finding in one line (the
 * knee, no knee in range, or what stopped the ramp and whose limit it was), then a row per
 * step with each expectation's value (✗ where it failed).
 */
export function rampSection(result: Result): string[] {
  const ramp = result.ramp;
  if (!ramp) return [];
  const first = ramp.steps[0]!.value;
  const last = ramp.steps.at(-1)!.value;
  const lines = [`## Ramp: ${ramp.group}, ${ramp.unit} ${count(first)} to ${count(last)}`, '', `**${capital(ramp.finding)}**`, ''];
  const runIds = [...new Set(ramp.steps.flatMap((s) => s.values.map((v) => v.run)))];
  const rows = [['step', ramp.unit, 'result', ...ramp.slos.map((s) => s.name)]];
  for (const [i, step] of ramp.steps.entries()) {
    rows.push([String(i + 1), count(step.value), STATUS[step.status], ...ramp.slos.map((slo) => sloCell(step, slo.name, slo.unit, runIds.length > 1))]);
  }
  lines.push(...padTable(rows), '');
  const off = ramp.steps.find((s) => s.status !== 'held' && s.status !== 'not-run');
  if (off && off.reasons.length > 1) lines.push(`Step ${count(off.value)}:`, '', ...off.reasons.map((r) => `- ${r}`), '');
  lines.push(ONE_STEP, '');
  return lines;
}

function sloCell(step: RampStep, slo: string, unit: string, named: boolean): string {
  const values = step.values.filter((v) => v.slo === slo);
  return values.map((v) => `${named ? `${v.run}: ` : ''}${rampValue(v.actual, unit)}${v.passed ? '' : ' ✗'}`).join(', ') || '–';
}

const ONE_STEP =
  "Each step is a complete run of every phase with the step's value, on a broker started fresh for it (a managed one) or with the previous step's sessions cleared (an external one); every step's runs are below.";

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
