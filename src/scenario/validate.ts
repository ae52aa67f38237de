import { Ajv } from 'ajv';
import { describeErrors, type Issue, type VerboseError } from './messages.js';
import { GroupsSchema, ScenarioSchema, type GroupSpec, type Scenario } from './schema.js';

/**
 * Schema validation with every error at once (allErrors) and the failing data beside each
 * (verbose), which the messages quote. Defaults are not filled here: expansion does that,
 * typed, from DEFAULTS.
 */
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
const scenarioValidator = ajv.compile<Scenario>(ScenarioSchema);
const groupsValidator = ajv.compile<Record<string, GroupSpec>>(GroupsSchema);

export function schemaIssues(data: unknown): Issue[] {
  if (scenarioValidator(data)) return [];
  return describeErrors((scenarioValidator.errors ?? []) as VerboseError[], data);
}

/** For a matrix entry's groups after its override is merged in. */
export function groupsIssues(groups: unknown): Issue[] {
  if (groupsValidator(groups)) return [];
  return describeErrors((groupsValidator.errors ?? []) as VerboseError[], groups);
}
