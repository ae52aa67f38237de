import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../../src/scenario/load.js';
import { formatProblem, ScenarioError } from '../../../src/scenario/problems.js';

/** The source tree's fixtures: tsc does not copy YAML into dist. */
export const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/scenarios/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/** The problems parseScenario reports for `text`, one formatted line each. */
export function problemLines(text: string, file = 'x.yaml'): string[] {
  try {
    parseScenario(text, file);
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${String(err)}`);
    return err.problems.map(formatProblem);
  }
  return [];
}

/** A valid scenario to vary: one subscriber group, one publisher group, a full cycle. */
export const BASE = `name: t
groups:
  devices:
    count: 4
    role: subscriber
    topic: "fleet/{i}"
  backend:
    count: 1
    role: publisher
phases:
  - connect: {}
  - subscribe: {}
  - publish: { from: backend, to: devices, perTarget: 2 }
  - drain: {}
`;
