import { readFileSync } from 'node:fs';
import type { Plan } from '../scenario/plan.js';
import { SCHEMA_VERSION, type Result, type RunResult } from './result.js';

/** result.json for a scenario from its runs, judged by the checks; `startedAt` is the first run's wall-clock start (ISO 8601). */
export function buildResult(plan: Plan, runs: RunResult[], startedAt = new Date().toISOString(), tool = toolInfo()): Result {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool,
    scenario: { ...plan.scenario },
    startedAt,
    seed: plan.seed,
    runs,
  };
}

/** The package's name and version, from package.json (three levels above dist/src/result/). */
function toolInfo(): Result['tool'] {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const { name, version } = JSON.parse(text) as { name: string; version: string };
  return { name, version };
}
