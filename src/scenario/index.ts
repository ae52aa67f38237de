/** The scenario module's public face: load a file into a Plan, or say everything wrong with it. */
export { loadScenario, parseScenario, type LoadedScenario } from './load.js';
export { expandPlan, type PlanOverrides } from './expand.js';
export { ScenarioError, formatProblem, type Problem } from './problems.js';
export type { Scenario } from './schema.js';
export type * from './plan.js';
