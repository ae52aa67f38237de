import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignSessions, splitByShares, spreadOffsets } from '../../../src/workers/expiry-assign.js';

const windows = {
  graceful: { fromMs: -1000, toMs: 2000 },
  abrupt: { fromMs: -1000, toMs: 2000 },
  partition: { fromMs: 6500, toMs: 15500 },
};

describe('expiry session assignment', () => {
  it('splits counts exactly: floors, then the largest remainders', () => {
    assert.deepEqual(splitByShares(10, [0.5, 0, 0.5]), [5, 0, 5]);
    assert.deepEqual(splitByShares(7, [1 / 3, 1 / 3, 1 / 3]), [3, 2, 2]);
    assert.deepEqual(splitByShares(1, [0.5, 0, 0.5]), [1, 0, 0]);
    assert.deepEqual(splitByShares(3, [0, 0, 1]), [0, 0, 3]);
  });

  it('spreads probe offsets evenly, each in the middle of its slice of the window', () => {
    assert.deepEqual(spreadOffsets(3, { fromMs: -1000, toMs: 2000 }), [-500, 500, 1500]);
    assert.deepEqual(spreadOffsets(0, { fromMs: 0, toMs: 1 }), []);
  });

  it('every session gets a way of closing, in the shares asked; a share of each is probed', () => {
    const a = assignSessions('devices', 1000, { graceful: 0.5, abrupt: 0, partition: 0.5 }, 0.2, windows, 1);
    assert.equal(a.length, 1000);
    const of = (close: string) => a.filter((s) => s.close === close);
    assert.equal(of('graceful').length, 500);
    assert.equal(of('partition').length, 500);
    assert.equal(of('graceful').filter((s) => s.probeOffsetMs !== undefined).length, 100);
    const partitionOffsets = of('partition').flatMap((s) => (s.probeOffsetMs === undefined ? [] : [s.probeOffsetMs]));
    assert.equal(partitionOffsets.length, 100);
    assert.ok(partitionOffsets.every((o) => o > 6500 && o < 15500));
  });

  it('is the same in every shard (seeded), and shuffled: index order says nothing about the close or offset', () => {
    const args = ['devices', 100, { graceful: 0.5, abrupt: 0, partition: 0.5 }, 0.4, windows, 7] as const;
    assert.deepEqual(assignSessions(...args), assignSessions(...args));
    const a = assignSessions(...args);
    const firstHalfGraceful = a.slice(0, 50).filter((s) => s.close === 'graceful').length;
    assert.ok(firstHalfGraceful > 10 && firstHalfGraceful < 40, String(firstHalfGraceful));
    assert.notDeepEqual(assignSessions('devices', 100, args[2], 0.4, windows, 8), a);
  });
});
