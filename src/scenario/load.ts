import { readFileSync } from 'node:fs';
import { HarnessError } from '../errors.js';
import { scenarioProblems } from './check.js';
import { expandPlan, type PlanOverrides } from './expand.js';
import type { Plan } from './plan.js';
import { ScenarioError, sortProblems, type Problem } from './problems.js';
import { refuseRemoteTargets } from './remote-targets.js';
import type { Scenario } from './schema.js';
import { parseYaml, type SourceDoc } from './yaml-positions.js';

/**
 * A scenario's text, checked: YAML syntax, the schema and the cross-field rules. Throws a
 * ScenarioError listing every problem, each with file:line:column and the field's path.
 * `file` is only used to name the source in messages and in the plan. Warnings are dropped:
 * loadScenario returns them.
 */
export function parseScenario(text: string, file: string): Scenario {
  return checkedDoc(text, file).doc.data as Scenario;
}

function checkedDoc(text: string, file: string): { doc: SourceDoc; warnings: Problem[] } {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) throw new ScenarioError(parsed.problems);
  const problems = scenarioProblems(parsed.doc, file);
  if (problems.some((p) => p.severity === 'error')) throw new ScenarioError(problems);
  return { doc: parsed.doc, warnings: sortProblems(problems) };
}

/** A checked scenario's plan, and what it asks that common brokers refuse (for the CLI to print). */
export interface LoadedScenario {
  plan: Plan;
  warnings: Problem[];
}

/** Reads, checks and expands a scenario file into a Plan; flags win over the file. */
export function loadScenario(file: string, overrides: PlanOverrides = {}): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (code ?? String(err));
    throw new HarnessError('E_SCENARIO', `${file}: cannot read the scenario: ${why}`);
  }
  const { doc, warnings } = checkedDoc(text, file);
  const plan = expandPlan(doc.data as Scenario, file, overrides);
  refuseRemoteTargets(plan, overrides, doc, file);
  return { plan, warnings };
}
