import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startOffsetMs } from '../../../src/workers/connect-phase.js';
import { targetsOf } from '../../../src/workers/publish-phase.js';

describe('targetsOf: target t is served by publisher t % P', () => {
  it('covers every target exactly once', () => {
    for (const [P, T] of [[1, 5], [2, 20], [3, 10], [7, 3]] as const) {
      const all = Array.from({ length: P }, (_, p) => targetsOf(p, P, T)).flat().sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: T }, (_, t) => t), `${P} publishers, ${T} targets`);
    }
    assert.deepEqual(targetsOf(1, 3, 10), [1, 4, 7]);
    assert.deepEqual(targetsOf(5, 7, 3), []);
  });
});

describe('startOffsetMs: a shard paces its share of the group rate', () => {
  it('spaces starts by groupCount / rate, shards offset by a fraction of a gap', () => {
    const group = { clients: [], groupCount: 100, ratePerSec: 50 };
    // 50 of 100 owned: 25/s for this shard, 40 ms apart.
    assert.equal(startOffsetMs(0, 50, group, 0, 2), 0);
    assert.equal(startOffsetMs(1, 50, group, 0, 2), 40);
    assert.equal(startOffsetMs(0, 50, group, 1, 2), 20);
    assert.equal(startOffsetMs(49, 50, group, 1, 2), 1980);
  });

  it('is undefined (at once) without a rate', () => {
    assert.equal(startOffsetMs(3, 10, { clients: [], groupCount: 10 }, 0, 1), undefined);
  });
});
