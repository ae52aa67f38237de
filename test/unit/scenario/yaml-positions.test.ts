import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml } from '../../../src/scenario/yaml-positions.js';

const TEXT = `a:
  b: 1
  empty:
  list:
    - x
    - "quoted text"
    - 'it''s'
  flow: { c: plain words }
`;

describe('yaml positions', () => {
  const parsed = parseYaml(TEXT, 't.yaml');
  assert.ok(parsed.ok);
  const { doc } = parsed;

  it('finds values, keys, and list items', () => {
    assert.deepEqual(doc.locate(['a', 'b']), { line: 2, column: 6 });
    assert.deepEqual(doc.locate(['a', 'b'], { key: true }), { line: 2, column: 3 });
    assert.deepEqual(doc.locate(['a', 'list', 1]), { line: 6, column: 7 });
    assert.deepEqual(doc.locate(['a', 'flow', 'c']), { line: 8, column: 14 });
  });

  it('an empty value or a missing key points at the deepest key there is', () => {
    assert.deepEqual(doc.locate(['a', 'empty']), { line: 3, column: 3 });
    assert.deepEqual(doc.locate(['a', 'flow', 'missing', 'deeper']), { line: 8, column: 3 });
    assert.deepEqual(doc.locate([]), { line: 1, column: 1 });
  });

  it('a column inside a plain or quoted string, or the string start when escapes shift it', () => {
    assert.deepEqual(doc.locateInString(['a', 'flow', 'c'], 7), { line: 8, column: 20 });
    assert.deepEqual(doc.locateInString(['a', 'list', 1], 8), { line: 6, column: 15 });
    assert.deepEqual(doc.locateInString(['a', 'list', 2], 3), { line: 7, column: 7 });
  });

  it('syntax errors come back with file, line and column', () => {
    const bad = parseYaml('a: [1, 2\nb: c\n', 'bad.yaml');
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.problems.length > 0 && bad.problems.every((p) => p.file === 'bad.yaml' && p.line > 0));
  });
});

describe('yaml merge keys', () => {
  it('<<: *anchor shares settings between groups', () => {
    const parsed = parseYaml('base: &b { count: 2, role: publisher }\ng:\n  <<: *b\n  count: 3\n', 'm.yaml');
    assert.ok(parsed.ok);
    assert.deepEqual((parsed.doc.data as { g: unknown }).g, { count: 3, role: 'publisher' });
  });
});
