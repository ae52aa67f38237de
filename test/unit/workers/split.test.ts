import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitExactly } from '../../../src/workers/protocol.js';

describe('splitExactly', () => {
  it('10 over 3 is 4, 3, 3: the first parts take the remainder', () => {
    assert.deepEqual(splitExactly(10, 3), [
      { first: 0, count: 4 },
      { first: 4, count: 3 },
      { first: 7, count: 3 },
    ]);
  });

  it('drops nothing and overlaps nothing, whatever n and k', () => {
    for (let n = 0; n <= 40; n++) {
      for (let k = 1; k <= 9; k++) {
        const parts = splitExactly(n, k);
        assert.equal(parts.length, k);
        let next = 0;
        for (const { first, count } of parts) {
          assert.equal(first, next, `${n} over ${k}`);
          next += count;
        }
        assert.equal(next, n, `${n} over ${k}`);
        const counts = parts.map((p) => p.count);
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${n} over ${k} is even`);
      }
    }
  });

  it('fewer items than parts leaves the last parts empty', () => {
    assert.deepEqual(
      splitExactly(2, 4).map((p) => p.count),
      [1, 1, 0, 0],
    );
  });
});
