import type { Plan, RampPlan, RunPlan } from './plan.js';
import type { Report } from './problems.js';
import { DEFAULTS } from './defaults.js';
import type { RampSpec, Scenario } from './schema.js';
import { didYouMean } from './suggest.js';

/**
 * A `ramp` block: what the schema cannot say. The group exists; the steps rise; a backlog
 * or rate ramp has publish phases to grow; a sessions ramp's group can take many clients.
 */
export function checkRamp(scenario: Scenario, report: Report): void {
  const ramp = scenario.ramp;
  if (ramp === undefined) return;
  const known = Object.keys(scenario.groups);
  const group = scenario.groups[ramp.group];
  if (!group) {
    report(['ramp', 'group'], `undefined group "${ramp.group}"${didYouMean(ramp.group, known)}`);
  } else if (ramp.grow === 'sessions') {
    if (!(group.clientId ?? DEFAULTS.clientId).includes('{i}')) {
      report(['ramp', 'group'], `group ${ramp.group}'s clientId has no {i}, so it takes one client only: a sessions ramp needs {i}`);
    }
  } else if (!scenario.phases.some((p) => p.publish?.to === ramp.group)) {
    const field = ramp.grow === 'backlog' ? 'perTarget' : 'rate';
    report(['ramp', 'group'], `no publish phase sends to group ${ramp.group}: a ${ramp.grow} ramp sets the ${field} of the publish phases to it`);
  }
  ramp.steps.forEach((value, i) => {
    const before = ramp.steps[i - 1];
    if (before !== undefined && value <= before) report(['ramp', 'steps', i], `steps must rise: ${value} comes after ${before}`);
  });
}

export function rampPlan(spec: RampSpec | undefined): Pick<Plan, 'ramp'> {
  return spec ? { ramp: { grow: spec.grow, group: spec.group, steps: [...spec.steps] } } : {};
}

/** The unit a step's value is in, as the reports say it. */
export function rampUnit(grow: RampPlan['grow']): string {
  return grow === 'sessions' ? 'sessions' : grow === 'backlog' ? 'messages per session' : 'messages/s';
}

/**
 * The plan of one step: every run with the dimension set to the step's value, its id and
 * label naming the step (so each step's runs are distinct in result.json and the reports).
 * No ramp of its own: a step is one pass.
 */
export function stepPlan(plan: Plan, ramp: RampPlan, index: number): Plan {
  const value = ramp.steps[index]!;
  const { ramp: _ramp, ...rest } = plan;
  return { ...rest, runs: plan.runs.map((run) => stepRun(run, ramp, index, value)) };
}

function stepRun(run: RunPlan, ramp: RampPlan, index: number, value: number): RunPlan {
  const groups = run.groups.map((g) => (ramp.grow === 'sessions' && g.name === ramp.group ? { ...g, count: value } : g));
  const phases = run.phases.map((p) => {
    if (p.kind !== 'publish' || p.to !== ramp.group || ramp.grow === 'sessions') return p;
    return ramp.grow === 'backlog' ? { ...p, perTarget: value } : { ...p, ratePerSec: value };
  });
  return { ...run, id: `step${index + 1}-${run.id}`, label: `${run.label} · ${value} ${rampUnit(ramp.grow)}`, groups, phases };
}
