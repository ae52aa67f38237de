import type { BrokerSpec } from '../brokers/types.js';
import { duration, plural } from '../checks/words.js';
import { formatDeadline, scenarioDeadlineMs } from '../engine/deadline.js';
import { runEstimateMs } from '../engine/run-progress.js';
import type { GroupPlan, PhasePlan, Plan, RampPlan, RunPlan } from '../scenario/plan.js';
import { rampUnit } from '../scenario/ramp.js';

function broker(spec: BrokerSpec): string {
  return spec.kind === 'external' ? spec.url : spec.kind;
}

/** What the session outlives: the plan already holds 3.1.1's equivalent of an expiry (CleanSession=0: never). */
function sessionWords(g: GroupPlan): string {
  if (g.clean) return 'clean session';
  if (g.sessionExpiry === 0) return 'expiry 0: the session ends at disconnect';
  return g.sessionExpiry >= 0xffffffff ? 'persistent session' : `persistent session, expiry ${g.sessionExpiry} s`;
}

function group(g: GroupPlan): string {
  const session = sessionWords(g);
  const window = g.receiveMaximum !== undefined ? `, Receive Maximum ${g.receiveMaximum}` : '';
  const ack = g.ackDelayMs !== undefined ? `, acks after ${duration(g.ackDelayMs)}` : '';
  const share = g.share !== undefined ? `, sharing $share/${g.share}/` : '';
  return `${g.name} ${plural(g.count, g.role)} (QoS ${g.qos}, ${session}${window}${ack}${share})`;
}

function phase(p: PhasePlan): string {
  return p.kind === 'fault' ? `fault ${p.fault.kind}` : p.kind;
}

/** "at least 26.0 s": the phases whose length the plan fixes (waits, rates, settles), summed. */
function atLeast(ms: number | null): string {
  return ms === null ? 'no fixed length' : `at least ${duration(ms)}`;
}

function runLine(run: RunPlan): string[] {
  const clients = run.groups.reduce((n, g) => n + g.count, 0);
  return [
    `run ${run.id} (MQTT ${run.protocol}): ${plural(run.groups.length, 'group')}, ${plural(clients, 'client')}, ${plural(run.phases.length, 'phase')}, ${atLeast(runEstimateMs(run))}`,
    `  groups: ${run.groups.map(group).join(', ')}`,
    `  phases: ${run.phases.map(phase).join(' → ')}`,
  ];
}

/** A ramp runs every run once per step, until a step does not hold (docs/capacity-planning.md). */
function rampLine(ramp: RampPlan): string {
  return `ramp: every run once per step, ${ramp.group} at ${ramp.steps.join(', ')} ${rampUnit(ramp.grow)}, until a step breaks an expectation`;
}

/**
 * What `plan` prints for a person: the runs, their groups, clients and phases, and how
 * long the scenario takes at least and at most (its deadline). `plan --json` has the rest.
 */
export function renderPlanSummary(plan: Plan, file: string): string {
  const estimates = plan.runs.map(runEstimateMs);
  const known = estimates.filter((ms): ms is number => ms !== null);
  const total = known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
  const lines = [
    `${plan.scenario.name} (${plan.scenario.file}): ${plural(plan.runs.length, 'run')}, seed ${plan.seed}`,
    `broker: ${broker(plan.broker)}; faults: ${plan.faults.kind === 'toxiproxy' ? plan.faults.url : 'embedded'}`,
    ...plan.runs.flatMap(runLine),
    ...(plan.ramp ? [rampLine(plan.ramp)] : []),
    `estimated time: ${atLeast(total === null || !plan.ramp ? total : total * plan.ramp.steps.length)}${plan.ramp ? ' (every step)' : ''}, deadline ${formatDeadline(scenarioDeadlineMs(plan))}`,
    `every default filled: mqtt-chaos plan ${file} --json`,
  ];
  return `${lines.join('\n')}\n`;
}
