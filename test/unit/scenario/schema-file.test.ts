import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { renderJsonSchema, SCHEMA_FILE } from '../../../src/scenario/export-schema.js';
import { fixture } from './support.js';

describe('schema/scenario.schema.json', () => {
  it('is what the code generates (run: node dist/src/scenario/export-schema.js)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderJsonSchema());
  });

  it('is plain JSON Schema an editor’s validator accepts, and it accepts the full example', () => {
    const validate = new Ajv({ strict: true }).compile(JSON.parse(renderJsonSchema()));
    assert.equal(validate(parse(fixture('valid-full.yaml'))), true, JSON.stringify(validate.errors));
    assert.equal(validate(parse(fixture('negative-count.yaml'))), false);
  });
});
