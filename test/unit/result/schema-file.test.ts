import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { judgeScenario } from '../../../src/checks/judge.js';
import type { Plan } from '../../../src/scenario/plan.js';
import { RESULT_SCHEMA_FILE, renderResultSchema } from '../../../tools/result-schema.js';
import { cutCycle } from '../checks/records.js';

describe('schema/result.schema.json', () => {
  it('is what the result types make (run: npm run schema)', () => {
    assert.ok(readFileSync(RESULT_SCHEMA_FILE, 'utf8') === renderResultSchema(), 'stale: run npm run schema and commit schema/result.schema.json');
  });

  // Real runs' results are held to it by test/e2e/shipped-scenarios.test.ts.
  it('holds a result the checks write, and refuses one with a field it does not define', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(RESULT_SCHEMA_FILE, 'utf8')));
    const plan = { scenario: { name: 'cut', file: 'scenarios/cut.yaml' }, seed: 1 } as Plan;
    const lossy = cutCycle({ protocol: '5', expiry: 3600, label: '5 lossy', arrives: (seq) => seq % 3 !== 0 });
    const result = JSON.parse(JSON.stringify(judgeScenario(plan, [lossy, cutCycle({ protocol: '3.1.1', label: '3.1.1' })]))) as { runs: Record<string, unknown>[] };
    assert.equal(validate(result), true, JSON.stringify(validate.errors?.slice(0, 3)));
    result.runs[0]!['unheardOf'] = 1;
    assert.equal(validate(result), false, 'an unknown field must not pass');
  });
});
