/**
 * Shared by the end-to-end engine tests: a scenario written into a temp dir, expanded into
 * a Plan, run by runScenario and judged by judgeScenario — exactly as `mqtt-chaos run` does —
 * and a check that every process the run started (brokers, fault server) is gone when it
 * returns. Those processes are the test process's own children, so they are found by
 * parent PID, never by name; anything left over is reported and then killed by its PID.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, type ScenarioOutcome } from '../../../src/engine/orchestrator.js';
import type { Result, RunResult } from '../../../src/result/result.js';
import { judgeScenario } from '../../../src/checks/judge.js';
import { expandPlan, parseScenario, type Plan, type PlanOverrides } from '../../../src/scenario/index.js';
import type { Teardown } from '../../helpers/teardown.js';
import { requireMosquitto } from '../../helpers/requires.js';

export const mosquittoBinary = requireMosquitto();
export const needsMosquitto = mosquittoBinary ? false : 'mosquitto is not installed (apt-get install mosquitto)';

/** A temp dir removed at teardown. */
export async function tempDir(td: Teardown, tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mqtt-chaos-${tag}-`));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes the scenario to `dir/scenario.yaml` and checks and expands it as loadScenario does. */
export async function planFrom(dir: string, yaml: string, overrides: PlanOverrides = {}): Promise<Plan> {
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, yaml);
  return expandPlan(parseScenario(yaml, file), file, overrides);
}

/** PIDs of processes whose parent is `pid` (pgrep exits 1 when there are none). */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** PIDs of processes whose command line contains `text` (our temp dir), this process excluded. */
export function processesMentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', text], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith(`${process.pid} `) && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Ran {
  plan: Plan;
  outcome: ScenarioOutcome;
  result: Result;
  log: string[];
  /** The run with this id; fails the test if it is missing. */
  run(id: string): RunResult;
}

/**
 * Runs the plan through the engine and judges it. Asserts the engine returned without an
 * error and that no process it started survives it.
 */
export async function runPlan(td: Teardown, plan: Plan, dir: string): Promise<Ran> {
  const before = new Set(childrenOf(process.pid));
  const log: string[] = [];
  // Anything the engine failed to stop is killed by its PID, after the assertions below.
  const leftovers: number[] = [];
  td.add('leftover child processes', () => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const outcome = await runScenario(plan, {
    runDir: join(dir, 'runs'),
    signal: new AbortController().signal,
    log: (line) => void log.push(line),
  });
  const after = childrenOf(process.pid).filter((pid) => !before.has(pid));
  leftovers.push(...after);
  const mentioning = processesMentioning(dir);
  assert.deepEqual(after, [], `child processes left running after the run: ${after.join(', ')}`);
  assert.deepEqual(mentioning, [], `processes still using ${dir}`);
  assert.equal(outcome.error, undefined, `runScenario ended early: ${String(outcome.error)}\n${log.join('\n')}`);
  const result = judgeScenario(plan, outcome.records);
  const run = (id: string): RunResult => {
    const found = result.runs.find((r) => r.id === id);
    assert.ok(found, `no run "${id}" in ${result.runs.map((r) => r.id).join(', ')}`);
    return found;
  };
  return { plan, outcome, result, log, run };
}

/** Everything worth reading when an assertion about a run fails. */
export function describeRun(run: RunResult, log: readonly string[] = []): string {
  const r = run.redelivery;
  return [
    `run ${run.id} (${run.protocol}) verdict ${run.verdict}${run.incomplete ? `, incomplete: ${run.incomplete}` : ''}`,
    `redelivery: ${JSON.stringify({ ...r, latency: undefined })}`,
    `checks: ${run.checks.map((c) => `${c.passed ? 'ok' : 'FAILED'} ${c.name}: ${c.explanation}`).join(' | ')}`,
    `explanations: ${run.explanations.join(' | ')}`,
    ...(log.length > 0 ? [`log:\n${log.join('\n')}`] : []),
  ].join('\n');
}
