import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

/**
 * schema/result.schema.json: the contract of result.json for the tools that read it
 * (dashboards, CI scripts), generated from the TypeScript types the harness writes it with
 * (src/result/), so the two cannot drift. `npm run schema` writes it; a unit test fails when
 * the committed file differs, and the shipped scenarios' results are held to it.
 */
const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export const RESULT_SCHEMA_FILE = root('schema/result.schema.json');

export function renderResultSchema(): string {
  const schema = createGenerator({
    path: root('src/result/result.ts'),
    tsconfig: root('tsconfig.json'),
    type: 'Result',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    skipTypeCheck: true,
  }).createSchema('Result');
  return `${JSON.stringify({ ...schema, title: 'mqtt-chaos result.json' }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(RESULT_SCHEMA_FILE, renderResultSchema());
  process.stdout.write(`wrote ${RESULT_SCHEMA_FILE}\n`);
}
