import type { PhasePlan, Plan, RunPlan } from '../scenario/plan.js';
import { stepPlan } from '../scenario/ramp.js';
import { formatDuration } from '../scenario/units.js';
import { expiryPhaseLimitMs } from './expiry-phase.js';
import { phaseTimeoutMs } from './phase-driver.js';

/** A run's own setup and teardown: broker, proxies, workers started; ledgers handed in (30 s at most). */
const RUN_SETUP_MS = 60_000;
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The longest a phase can take by its own bounds: its timeout, or what it waits by design if longer. */
function phaseLimitMs(phase: PhasePlan, run: RunPlan): number {
  const timeout = phaseTimeoutMs(phase, run.groups);
  switch (phase.kind) {
    case 'wait':
      return Math.max(timeout, phase.durationMs);
    case 'drain':
      return Math.max(timeout, phase.timeoutMs);
    case 'measure':
      return Math.max(timeout, phase.settleMs);
    case 'measure-expiry':
      return Math.max(timeout, expiryPhaseLimitMs(phase, run));
    default:
      return timeout;
  }
}

/**
 * The scenario's overall deadline: its own, else every run's phase limits summed plus a
 * minute of setup a run (over every step of a ramp). A run that reaches it was stuck somewhere no phase timeout saw.
 */
export function scenarioDeadlineMs(plan: Plan): number {
  // A ramp without a deadline of its own: each step's, summed (its own bounds the whole ramp).
  const { ramp } = plan;
  if (ramp && plan.deadlineMs === undefined) return Math.min(ramp.steps.reduce((n, _, i) => n + scenarioDeadlineMs(stepPlan(plan, ramp, i)), 0), MAX_TIMER_MS);
  const derived = plan.runs.reduce((total, run) => total + RUN_SETUP_MS + run.phases.reduce((n, p) => n + phaseLimitMs(p, run), 0), 0);
  return Math.min(plan.deadlineMs ?? derived, MAX_TIMER_MS);
}

/**
 * A deadline as people write one: 90000 -> "90s", 600000 -> "10m"; a derived one rounded
 * to the minute from 10 minutes (3060600 -> "51m"), to the second from 10 seconds.
 */
export function formatDeadline(ms: number): string {
  const step = ms >= 600_000 ? 60_000 : ms >= 10_000 ? 1000 : ms >= 1000 ? 100 : 1;
  return formatDuration(Math.round(ms / step) * step);
}
