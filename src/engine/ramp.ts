import { judgeStep, rampResult, rampSlos, type StepStop } from '../checks/ramp.js';
import { judgeRun } from '../checks/judge.js';
import { HarnessError, isHarnessError } from '../errors.js';
import { outOfFilesLine } from '../net/open-files.js';
import type { RampResult, RampStep } from '../result/ramp.js';
import type { RunResult } from '../result/result.js';
import type { Plan, RampPlan } from '../scenario/plan.js';
import { rampUnit, stepPlan } from '../scenario/ramp.js';
import { count } from '../checks/words.js';
import { preflightOpenFiles } from './open-files-preflight.js';
import { runScenario, type ScenarioRunOptions } from './orchestrator.js';

export interface RampRunOptions extends ScenarioRunOptions {
  /** Each step's plan before it runs (live metrics register its runs). */
  onStep?: (plan: Plan) => void;
}

export interface RampRunOutcome {
  /** Every step's runs, judged, in order. */
  runs: RunResult[];
  ramp: RampResult;
  startedAtIso?: string;
  /** What ended the ramp other than a step that did not hold (a machine limit, the environment, Ctrl-C). */
  error?: unknown;
}

/**
 * Ramp to the knee: the scenario's runs once per step, the dimension set to the step's value.
 * Each step is a complete run of every phase on a fresh broker (a managed broker is started per
 * run; an external one has the previous step's sessions cleared at its end), judged at once;
 * the ramp stops at the first step that does not hold. A step the machine cannot drive (its
 * population over the open-file limit) is not started: that limit is the machine's, not the
 * broker's, and the finding says so.
 */
export async function runRamp(plan: Plan, ramp: RampPlan, options: RampRunOptions): Promise<RampRunOutcome> {
  const slos = rampSlos(plan.runs);
  const judged: RampStep[] = [];
  const runs: RunResult[] = [];
  const begun = performance.now();
  let startedAtIso: string | undefined;
  let error: unknown;
  for (const [index, value] of ramp.steps.entries()) {
    if (options.signal.aborted) {
      error = options.signal.reason;
      break;
    }
    const step = withDeadline(stepPlan(plan, ramp, index), plan.deadlineMs, performance.now() - begun);
    const baseIds = new Map(step.runs.map((r, i) => [r.id, plan.runs[i]!.id]));
    options.log(`ramp step ${index + 1}/${ramp.steps.length}: ${ramp.group} at ${count(value)} ${rampUnit(ramp.grow)}`);
    try {
      preflightOpenFiles(step);
    } catch (err) {
      if (!isHarnessError(err)) throw err;
      error = new HarnessError('E_ENVIRONMENT', `ramp step ${index + 1} (${count(value)} ${rampUnit(ramp.grow)}): ${err.message}`);
      judged.push(judgeStep(value, [], slos, baseIds, { kind: 'machine-limit', text: err.message }));
      break;
    }
    options.onStep?.(step);
    const outcome = await runScenario(step, options);
    const stepRuns = outcome.records.map(judgeRun);
    startedAtIso ??= outcome.records[0]?.startedAtIso;
    runs.push(...stepRuns);
    const stop = outcome.error === undefined ? undefined : stepStop(outcome.error);
    const result = judgeStep(value, stepRuns, slos, baseIds, stop);
    judged.push(result);
    if (outcome.error !== undefined) error = outcome.error;
    if (result.status !== 'held' || error !== undefined) break;
  }
  return { runs, ramp: rampResult(ramp, slos, judged), ...(startedAtIso ? { startedAtIso } : {}), ...(error !== undefined ? { error } : {}) };
}

/** A scenario deadline bounds the whole ramp: each step gets what is left of it. */
function withDeadline(step: Plan, deadlineMs: number | undefined, elapsedMs: number): Plan {
  return deadlineMs === undefined ? step : { ...step, deadlineMs: Math.max(1, Math.round(deadlineMs - elapsedMs)) };
}

/** Out of descriptors mid-step is the machine's limit; anything else stopped the step. */
function stepStop(error: unknown): StepStop {
  const text = error instanceof Error ? error.message : String(error);
  const outOfFiles = outOfFilesLine(text);
  return outOfFiles ? { kind: 'machine-limit', text: outOfFiles } : { kind: 'stopped', text };
}
