import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { REFERENCE_FILE, renderReference } from '../../../src/scenario/reference-doc.js';
import { METRICS } from '../../../src/checks/metric-names.js';
import { ScenarioSchema } from '../../../src/scenario/schema.js';

describe('docs/scenario-reference.md', () => {
  it('is what the generator writes from the schema (run: npm run schema)', () => {
    assert.ok(readFileSync(REFERENCE_FILE, 'utf8') === renderReference(), 'stale: run npm run schema and commit docs/scenario-reference.md');
  });

  it('has a row for every top-level field, every phase kind, every fault kind and every metric', () => {
    const page = renderReference();
    const top = Object.keys(ScenarioSchema.properties);
    const phases = ['connect', 'subscribe', 'fault', 'heal', 'publish', 'wait', 'measure-expiry', 'drain', 'measure', 'disconnect'];
    for (const field of [...top, ...phases]) assert.match(page, new RegExp(`^\\| \`${field}\` \\|`, 'm'), field);
    for (const kind of ['cut', 'partition', 'reset', 'latency', 'bandwidth', 'toxic', 'broker-restart']) {
      assert.match(page, new RegExp(`^## phases\\[\\]\\.fault \\(kind: ${kind}\\)$`, 'm'), kind);
    }
    for (const metric of Object.keys(METRICS)) assert.match(page, new RegExp(`^\\| \`${metric.replaceAll('.', '\\.')}\` \\| `, 'm'), metric);
  });

  it('says each default the schema gives, in the row of its field', () => {
    assert.match(renderReference(), /^\| `keepAlive` \| [^|]+ \| `30s` \|/m);
    assert.match(renderReference(), /^\| `expiry` \| .* \| `0` \|/m);
  });
});
