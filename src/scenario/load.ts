import { readFileSync } from 'node:fs';
import { HarnessError } from '../errors.js';
import { scenarioProblems } from './check.js';
import { expandPlan, type PlanOverrides } from './expand.js';
import type { Plan } from './plan.js';
import { ScenarioError } from './problems.js';
import { refuseRemoteTargets } from './remote-targets.js';
import type { Scenario } from './schema.js';
import { parseYaml, type SourceDoc } from './yaml-positions.js';

/**
 * A scenario's text, checked: YAML syntax, the schema and the cross-field rules. Throws a
 * ScenarioError listing every problem, each with file:line:column and the field's path.
 * `file` is only used to name the source in messages and in the plan.
 */
export function parseScenario(text: string, file: string): Scenario {
  return checkedDoc(text, file).data as Scenario;
}

function checkedDoc(text: string, file: string): SourceDoc {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) throw new ScenarioError(parsed.problems);
  const problems = scenarioProblems(parsed.doc, file);
  if (problems.length > 0) throw new ScenarioError(problems);
  return parsed.doc;
}

/** Reads, checks and expands a scenario file into a Plan; flags win over the file. */
export function loadScenario(file: string, overrides: PlanOverrides = {}): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (code ?? String(err));
    throw new HarnessError('E_SCENARIO', `${file}: cannot read the scenario: ${why}`);
  }
  const doc = checkedDoc(text, file);
  const plan = expandPlan(doc.data as Scenario, file, overrides);
  refuseRemoteTargets(plan, overrides, doc, file);
  return plan;
}
