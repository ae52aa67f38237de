import type { RampPlan, RunPlan } from '../scenario/plan.js';
import { rampUnit } from '../scenario/ramp.js';
import type { RampOutcome, RampResult, RampSlo, RampStep, RampStepStatus, RampValue } from '../result/ramp.js';
import type { RunResult } from '../result/result.js';
import { ExitCode } from '../errors.js';
import { count } from './words.js';

/** Why a step ended without its runs judged: the machine's limit, or anything else that stopped it. */
export interface StepStop {
  kind: 'machine-limit' | 'stopped';
  text: string;
}

/** The scenario's expectations, once each, as the curves' SLO lines. */
export function rampSlos(runs: readonly RunPlan[]): RampSlo[] {
  const seen = new Map<string, RampSlo>();
  for (const e of runs.flatMap((r) => r.expect)) {
    if (!seen.has(e.source)) seen.set(e.source, { name: e.source, metric: e.metric, op: e.op, value: e.value, unit: e.unit });
  }
  return [...seen.values()];
}

/**
 * One step judged from its runs: held only when every run that ran passed and measured
 * every expectation. An INCOMPLETE run, or an expectation with no samples (it would pass
 * vacuously), never holds: the step did not show what was asked. `baseIds` maps a step's run
 * id back to the scenario's (step2-5 -> 5), so a curve joins one run's steps.
 */
export function judgeStep(value: number, runs: readonly RunResult[], slos: readonly RampSlo[], baseIds: ReadonlyMap<string, string>, stop?: StepStop): RampStep {
  const values: RampValue[] = runs.flatMap((run) =>
    slos.map((slo) => {
      const check = run.checks.find((c) => c.name === slo.name && c.source !== 'builtin');
      return { slo: slo.name, run: baseIds.get(run.id) ?? run.id, actual: check?.actual ?? null, passed: check?.passed ?? false };
    }),
  );
  const step = (status: RampStepStatus, reasons: string[]): RampStep => ({ value, status, runs: runs.map((r) => r.id), reasons, values });
  if (stop) return step('stopped', [`${stop.kind === 'machine-limit' ? MACHINE_LIMIT : ''}${stop.text}`]);
  const ran = runs.filter((r) => r.verdict !== 'unsupported');
  if (ran.length === 0) return step('stopped', runs.length === 0 ? ['no run finished'] : runs.map((r) => `${r.label}: not run: ${r.unsupported ?? 'unsupported'}`));
  const incomplete = ran.filter((r) => r.verdict === 'incomplete');
  if (incomplete.length > 0) {
    // The broker refused what the step asked: its own limit, named as such.
    const refused = incomplete.some((r) => (r.brokerSaid ?? []).some((s) => s.kind === 'refused'));
    return step('incomplete', incomplete.flatMap((r) => (r.shortfalls ?? []).map((s) => `${refused ? BROKER_LIMIT : ''}${r.label}: INCOMPLETE: ${s.text}`)));
  }
  const unmeasured = ran.flatMap((r) =>
    slos.filter((slo) => r.checks.find((c) => c.name === slo.name && c.source !== 'builtin')?.actual == null).map((slo) => `${r.label}: ${slo.name}: no samples, so the step was not held to it`),
  );
  if (unmeasured.length > 0) return step('incomplete', unmeasured);
  const failed = ran.filter((r) => r.verdict !== 'pass');
  const why = failed.flatMap((r) => {
    const checks = r.checks.filter((c) => !c.passed).map((c) => `${r.label}: ${c.name}: ${c.explanation}`);
    return checks.length > 0 ? checks : [`${r.label}: ${r.verdict.toUpperCase()}`];
  });
  return failed.length > 0 ? step('broke', why) : step('held', []);
}

/** Steps judged so far (and the rest not run) into the ramp's finding. */
export function rampResult(ramp: RampPlan, slos: RampSlo[], judged: readonly RampStep[]): RampResult {
  const unit = rampUnit(ramp.grow);
  const steps: RampStep[] = ramp.steps.map((value, i) => judged[i] ?? { value, status: 'not-run', runs: [], reasons: [], values: [] });
  const firstOff = steps.findIndex((s) => s.status !== 'held');
  const lastHeld = firstOff === 0 ? null : steps[firstOff === -1 ? steps.length - 1 : firstOff - 1]!.value;
  const off = firstOff === -1 ? undefined : steps[firstOff]!;
  const at = (v: number): string => `${count(v)} ${unit}`;
  const heldTo = lastHeld === null ? 'no step held' : `held up to ${at(lastHeld)}`;
  const base = { grow: ramp.grow, group: ramp.group, unit, slos, steps, lastHeld };
  const finish = (outcome: RampOutcome, firstBroke: number | null, finding: string): RampResult => ({ ...base, outcome, firstBroke, finding });
  if (!off) return finish('no-knee', null, `no knee in range: every step held, up to ${at(lastHeld!)}`);
  const why = off.reasons[0] ?? 'no reason recorded';
  switch (off.status) {
    case 'broke':
      return lastHeld === null
        ? finish('below-range', off.value, `the first step already broke (${at(off.value)}): the knee is below the range; ${why}`)
        : finish('knee', off.value, `knee between ${at(lastHeld)} (held) and ${at(off.value)} (broke): ${why}`);
    case 'incomplete':
      return why.startsWith(BROKER_LIMIT)
        ? finish('broker-limit', off.value, `stopped at ${at(off.value)} by the broker's own limit (it refused what the step asked), not by the SLO (${heldTo}): ${why.slice(BROKER_LIMIT.length)}`)
        : finish('incomplete', off.value, `step ${at(off.value)} could not do what was asked, so it is no knee; ${heldTo}; ${why}`);
    default: {
      const machine = off.reasons.some((r) => r.startsWith(MACHINE_LIMIT));
      return machine
        ? finish('machine-limit', off.value, `stopped at ${at(off.value)} by this machine's limit, not the broker's (${heldTo}): ${why.slice(MACHINE_LIMIT.length)}`)
        : finish('stopped', off.value, `stopped at ${at(off.value)} (${heldTo}): ${why}`);
    }
  }
}

/** The prefix a step's reason carries when the machine, not the broker, stopped it. */
export const MACHINE_LIMIT = 'machine limit: ';
/** And when the broker refused what the step asked. */
export const BROKER_LIMIT = 'broker limit: ';

/**
 * A knee found, or none in range: the ramp did what was asked, a finding (0). Broke at the
 * first step, or a step INCOMPLETE (the broker's refusal among the causes): as a failed or
 * INCOMPLETE run (1). A machine limit:
 * the environment (3). A ramp stopped otherwise ends with its error's own code.
 */
export function rampExitCode(outcome: RampOutcome): number {
  switch (outcome) {
    case 'knee':
    case 'no-knee':
      return ExitCode.ok;
    case 'below-range':
    case 'incomplete':
    case 'broker-limit':
      return ExitCode.checkFailed;
    default:
      return ExitCode.environment;
  }
}
