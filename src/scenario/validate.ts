import type { ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { describeErrors, type Issue, type VerboseError } from './messages.js';
import type { GroupSpec, Scenario } from './schema.js';

/**
 * Schema validation with every error at once and the failing data beside each, which the
 * messages quote, by the validators generated from the schema (validator-code.ts). Defaults
 * are not filled here: expansion does that, typed, from DEFAULTS.
 */
const validators = createRequire(import.meta.url)('../../../schema/scenario-validators.cjs') as {
  scenario: ValidateFunction<Scenario>;
  groups: ValidateFunction<Record<string, GroupSpec>>;
};
const scenarioValidator = validators.scenario;
const groupsValidator = validators.groups;

export function schemaIssues(data: unknown): Issue[] {
  if (scenarioValidator(data)) return [];
  return describeErrors((scenarioValidator.errors ?? []) as VerboseError[], data);
}

/** For a matrix entry's groups after its override is merged in. */
export function groupsIssues(groups: unknown): Issue[] {
  if (groupsValidator(groups)) return [];
  return describeErrors((groupsValidator.errors ?? []) as VerboseError[], groups);
}
