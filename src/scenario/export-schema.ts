import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScenarioSchema } from './schema.js';
import { REFERENCE_FILE, renderReference } from './reference-doc.js';
import { renderValidators, VALIDATORS_FILE } from './validator-code.js';

/**
 * Writes schema/scenario.schema.json, the scenario schema for editors (e.g. a first line
 * `# yaml-language-server: $schema=../schema/scenario.schema.json`), and the validators the
 * CLI loads (schema/scenario-validators.cjs), and the field-by-field page for users
 * (docs/scenario-reference.md). A unit test fails when a committed file
 * differs from what this writes.
 *
 *   npx tsc -p . && node dist/src/scenario/export-schema.js
 */
export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/scenario.schema.json', import.meta.url));

export function renderJsonSchema(): string {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'mqtt-chaos scenario',
    ...ScenarioSchema,
  };
  // JSON.stringify leaves out TypeBox's symbol keys: plain JSON Schema remains.
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, renderJsonSchema());
  writeFileSync(VALIDATORS_FILE, renderValidators());
  writeFileSync(REFERENCE_FILE, renderReference());
  process.stdout.write(`wrote ${SCHEMA_FILE}, ${VALIDATORS_FILE}, ${REFERENCE_FILE}\n`);
}
