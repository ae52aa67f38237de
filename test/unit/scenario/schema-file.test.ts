import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { renderJsonSchema, SCHEMA_FILE } from '../../../src/scenario/export-schema.js';
import { renderValidators, VALIDATORS_FILE } from '../../../src/scenario/validator-code.js';
import { fixture } from './support.js';

describe('schema/scenario.schema.json', () => {
  it('is what the code generates (run: npm run schema)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderJsonSchema());
  });

  it('schema/scenario-validators.cjs, which the CLI loads, is what the schema makes (run: npm run schema)', () => {
    assert.ok(readFileSync(VALIDATORS_FILE, 'utf8') === renderValidators(), 'stale: run npm run schema and commit both files');
  });

  it('is plain JSON Schema an editor’s validator accepts, and it accepts the full example', () => {
    const validate = new Ajv({ strict: true }).compile(JSON.parse(renderJsonSchema()));
    assert.equal(validate(parse(fixture('valid-full.yaml'))), true, JSON.stringify(validate.errors));
    assert.equal(validate(parse(fixture('negative-count.yaml'))), false);
  });
});
